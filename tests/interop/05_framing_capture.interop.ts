/**
 * Lesson 05's demo in its own process, as a learner types it, with
 * `--capture` and with `--trace`. As root with tcpdump installed (CI installs
 * it), the demo counts the real segments under its pictures: the three
 * sticky writes left as three segments and were taken by one read; the one
 * 100 KiB write left as a few large segments and took a hundred reads.
 * Elsewhere it says in words what the capture would show, and exits 0.
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";
import { within } from "../_util.ts";

const LESSON = new URL("../../lessons/05_framing.ts", import.meta.url).pathname;

/** Runs lesson 05's demo with `args`: its exit code, stdout and stderr lines. */
async function demo05(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const abort = new AbortController();
  const run = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-run=tcpdump", LESSON, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: abort.signal,
  }).output();
  try {
    const { code, stdout, stderr } = await within(60_000, `deno task 05 ${args.join(" ")}`, run);
    const lines = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trimEnd().split("\n");
    return { code, out: lines(stdout), err: lines(stderr) };
  } finally {
    abort.abort(); // a wedged run must not outlive the test
    await run.catch(() => {});
  }
}

/** What each trace line says after its time. */
const said = (lines: string[]) => lines.map((line) => line.replace(/^ *\d+\.\d\d ms {2}/, ""));

Deno.test("deno task 05 --capture counts the real segments: 3 writes, 3 segments, 1 read; 1 write, a few segments, 100 reads", async () => {
  const { code, out, err } = await demo05(["--capture"]);
  assert.equal(code, 0, err.join("\n"));
  if (!err[0].startsWith("--capture: tcpdump is watching")) {
    console.log(`no capture here: ${err[0]}`);
    assert.match(err[0], /^--capture: .+\. Going on with --trace only\.$/);
    assert.ok(
      out.includes("  on the loopback, 3 segments of 5, 6 and 7 bytes, all taken by this 1 read.)"),
    );
    return;
  }
  if (err.some((line) => line.includes("the kernel dropped"))) {
    console.log("tcpdump could not keep up with this machine's loopback: only the exit is checked");
    return;
  }
  // Part 1: the note under the picture, and the wire lines of connection #1 in order.
  assert.ok(out.includes("  On the wire (--capture): 3 writes left as 3 segments: 5, 6, 7 bytes;"));
  assert.ok(out.includes("  1 read took all 18 bytes."));
  const one = said(err).filter((line) => / #1 {2}/.test(line));
  const at = (line: string) => {
    const index = one.indexOf(line);
    assert.ok(index >= 0, `missing: ${line}\n${one.join("\n")}`);
    return index;
  };
  const segments = [
    at("wire   #1  client → server  PSH ACK  5 bytes  seq 1:6  ack 1"),
    at("wire   #1  client → server  PSH ACK  6 bytes  seq 6:12  ack 1"),
    at("wire   #1  client → server  PSH ACK  7 bytes  seq 12:19  ack 1"),
  ];
  const read = at(
    'server #1  read 18  "hellostickypackets"  68 65 6c 6c 6f 73 74 69 63 6b 79 70 61 63 6b 65 … (18 bytes)',
  );
  assert.ok(segments[0] < segments[1] && segments[1] < segments[2] && segments[2] < read);
  // Part 3: one write, a few large segments, a hundred reads.
  const half = out.find((line) => line.startsWith("  On the wire (--capture): 1 write left as"));
  assert.ok(half, out.join("\n"));
  const [, count, sizes] = /left as (\d+) segments: (.*) bytes;$/.exec(half) ?? [];
  assert.ok(Number(count) >= 2 && Number(count) <= 8, half);
  if (Number(count) <= 4) {
    const total = sizes.split(", ").reduce((sum, size) => sum + Number(size), 0);
    assert.equal(total, 100 * 1024, half);
  }
  const reads = out[out.indexOf(half) + 1];
  assert.match(reads, /^ {2}(\d{3,}) reads of (1024|\d+ to 1024) bytes took them\.$/);
});

Deno.test("deno task 05 --trace prints every call on stderr, the transcript unchanged on stdout", async () => {
  const { code, out, err } = await demo05(["--trace"]);
  assert.equal(code, 0, err.join("\n"));
  const lines = said(err);
  for (
    const expected of [
      'client #1  write 5 of 5  "hello"  68 65 6c 6c 6f',
      'server #1  read 18  "hellostickypackets"  68 65 6c 6c 6f 73 74 69 63 6b 79 70 61 63 6b 65 … (18 bytes)',
      "server #1  EOF: read() returned null (a FIN arrived: the peer will send no more)",
    ]
  ) {
    assert.ok(lines.includes(expected), `missing: ${expected}`);
  }
  assert.ok(out.includes("  ✓ 200 of 200 replies are the upper-cased messages, in order."));
  assert.ok(out.some((line) => line.includes("With --capture (Linux, root, tcpdump)")));
});
