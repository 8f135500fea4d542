/**
 * The edge, end to end: each lesson's client run exactly as a learner types
 * it (`deno task NN client ...`, a real process) with no server to talk to.
 * It must print ONE line on stderr, `error: <what> (<what to do>)`, nothing
 * else (no stack trace), and exit 1. The same for a server whose port is taken.
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";
import { closedPort, within } from "../_util.ts";

/** Runs `deno task <args>` in the project, as a learner would; at most 30 s. */
async function task(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { code, stdout, stderr } = await within(
    30_000,
    `deno task ${args.join(" ")} to exit`,
    child.output(),
  );
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

/** Asserts one `error:` line on stderr and exit code 1. */
function assertOneErrorLine(
  run: { code: number; stderr: string },
  expected: RegExp,
): void {
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0], /^error: [^\n]+ \([^\n]+\)$/);
  assert.match(lines[0], expected);
  assert.equal(run.code, 1);
}

Deno.test("runLesson() prints one error line and exits 1 when nothing listens, for every lesson's client", async (t) => {
  const port = closedPort();
  const cases: { args: string[]; expected: RegExp }[] = [
    {
      args: ["01", `http://127.0.0.1:${port}/`],
      expected: /nothing is listening on 127\.0\.0\.1:\d+/,
    },
    {
      args: ["03", "client", "--port", `${port}`],
      expected: /nothing is listening .*deno task 03 server/,
    },
    {
      args: ["04", "client", "--port", `${port}`, "--timeout-ms", "100", "--tries", "1"],
      expected: /no (reply|answer)/i,
    },
    {
      args: ["05", "client", "--port", `${port}`],
      expected: /nothing is listening .*deno task 05 server/,
    },
    {
      args: ["06", "client", "--port", `${port}`, "--timeout-ms", "100", "--tries", "1", "5"],
      expected: /no (reply|answer)/i,
    },
    {
      args: ["07", "client", "--port", `${port}`, "ada"],
      expected: /nothing is listening .*deno task 07 server/,
    },
    { args: ["07", "turn-client", "--port", `${port}`], expected: /deno task 07 turn-server/ },
    { args: ["08", "client"], expected: /08_hello\.sock.*deno task 08 server/ },
  ];
  for (const { args, expected } of cases) {
    await t.step(`deno task ${args.join(" ")}`, async () => {
      assertOneErrorLine(await task(args), expected);
    });
  }
});

Deno.test("runLesson() prints one error line and exits 1 when a server's port is taken", async (t) => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = `${taken.addr.port}`;
  for (const id of ["02", "03", "05", "07"]) {
    await t.step(`deno task ${id} server --port ${port}`, async () => {
      assertOneErrorLine(await task([id, "server", "--port", port]), /already in use/);
    });
  }
});
