import assert from "node:assert/strict";
import { command, type LessonCli, usage } from "../lib/cli.ts";
import { intFlag, parseFlags, portFlag } from "../lib/flags.ts";
import { runCli, within } from "./_util.ts";

Deno.test("parseFlags() makes an unknown flag a usage error that points at --help", () => {
  assert.throws(
    () => parseFlags(["--prot", "1"], { port: { type: "string" } }),
    /unknown option '--prot'/,
  );
});

Deno.test("intFlag() and portFlag() check whole numbers and ranges, and take defaults", async (t) => {
  for (const value of ["http", "-1", "65536", "1.5", ""]) {
    await t.step(`--port ${JSON.stringify(value)} is refused`, () => {
      assert.throws(() => portFlag(value, 9999), /--port must be/);
    });
  }
  await t.step(
    "a missing flag takes its default",
    () => assert.equal(portFlag(undefined, 9999), 9999),
  );
  await t.step("in range", () => assert.equal(intFlag("--tries", "3", 1, { min: 1, max: 10 }), 3));
});

/** A lesson with one of everything, for the tests below. */
function exampleCli(seen: { value?: unknown }): LessonCli {
  return {
    id: "99",
    title: "An example",
    defaultPort: 9999,
    demo: (log) => Promise.resolve(log("the demo")),
    commands: {
      client: command({
        summary: "say hello",
        args: "[NAME...]",
        flags: { tries: { type: "int", default: 3, min: 1, max: 10, help: "try N times" } },
        run: ({ host, port, args, flags, log }) => {
          seen.value = { host, port, args, tries: flags.tries };
          log("hello");
        },
      }),
      crash: command({
        summary: "a bug",
        run: () => {
          throw new TypeError("oops");
        },
      }),
      refused: command({
        summary: "nothing listens",
        run: () => {
          throw new Deno.errors.ConnectionRefused("Connection refused (os error 111)");
        },
      }),
    },
  };
}

Deno.test("runLesson() runs the demo with no subcommand", async () => {
  const { code, stdout } = await runCli(exampleCli({}), []);
  assert.equal(code, 0);
  assert.deepEqual(stdout, ["the demo"]);
});

Deno.test("runLesson() parses shared and own flags for a command, wherever they stand", async () => {
  const seen: { value?: unknown } = {};
  const { code } = await runCli(exampleCli(seen), [
    "--port",
    "1234",
    "client",
    "Ada",
    "--tries",
    "5",
  ]);
  assert.equal(code, 0);
  assert.deepEqual(seen.value, { host: "127.0.0.1", port: 1234, args: ["Ada"], tries: 5 });
});

Deno.test("runLesson() prints one error line and exits 1 for usage errors", async (t) => {
  const cases: [string[], string][] = [
    [["nope"], 'error: unknown command "nope": expected client or crash or refused (see --help)'],
    [["client", "--tries", "0"], "error: --tries must be between 1 and 10, got 0 (see --help)"],
    [["crash", "x"], 'error: crash takes no arguments, got "x" (see --help)'],
    [["crash", "--tries", "2"], "error: --tries is not an option of crash (see --help)"],
  ];
  for (const [args, line] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, stderr } = await runCli(exampleCli({}), args);
      assert.equal(code, 1);
      assert.deepEqual(stderr, [line]);
    });
  }
});

Deno.test("runLesson() names the address and the server command when nothing listens", async () => {
  const { code, stderr } = await runCli(exampleCli({}), ["refused", "--port", "7"]);
  assert.equal(code, 1);
  assert.deepEqual(stderr, ["error: nothing is listening on 127.0.0.1:7 (start the server first)"]);
});

Deno.test("runLesson() prints a stack trace only for a bug", async () => {
  const { code, stderr } = await runCli(exampleCli({}), ["crash"]);
  assert.equal(code, 1);
  assert.equal(stderr[0], "error: oops");
  assert.match(stderr[1], /this is a bug/);
  assert.match(stderr[2], /TypeError: oops\n\s+at /);
});

Deno.test("runLesson() keeps a returned server running until the signal, then closes it", async () => {
  const closed = Promise.withResolvers<void>();
  let grace: number | undefined;
  const cli: LessonCli = {
    ...exampleCli({}),
    commands: {
      server: command({
        summary: "serve",
        limits: { refusal: "a close" },
        run: () => ({
          finished: closed.promise,
          close: (graceMs?: number) => (grace = graceMs, closed.resolve(), closed.promise),
        }),
      }),
    },
  };
  const stop = new AbortController();
  const running = runCli(cli, ["server", "--grace-ms", "20"], stop.signal);
  stop.abort();
  const { code, stdout } = await within(5_000, "the server command to end", running);
  assert.equal(code, 0);
  assert.equal(grace, 20);
  assert.deepEqual(stdout, [
    "Ctrl+C: no new connections; open ones have 20 ms to finish...",
    "Server closed.",
  ]);
});

Deno.test("usage() lists every command and flag with its default", () => {
  const help = usage(exampleCli({}));
  assert.match(help, /^Lesson 99: An example/);
  assert.match(help, /deno task 99 client \[options\] \[NAME\.\.\.\]\s+say hello/);
  assert.match(help, /--tries N\s+try N times \(default 3\)/);
  assert.match(help, /--port P\s+.*\(default 9999\)/);
  assert.match(help, /--trace\s+/);
});
