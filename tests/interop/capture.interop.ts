/**
 * `--capture` for real: lesson 03's demo runs in its own process with
 * `--capture`, as a learner types it. As root with tcpdump installed (CI
 * installs it), the wire lines must tell the demo's story: the handshake
 * before `connect`, the 8-byte segment between the server's `write` and the
 * client's `read`, the FINs. Elsewhere the run must say in one line why
 * there is no capture, trace anyway, and exit 0.
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";

/** Runs lesson 03's demo with `args`; its exit code and stderr lines. */
async function demo03(args: string[]): Promise<{ code: number; stderr: string[] }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000); // a wedged run must not hang CI
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-run=tcpdump",
        "lessons/03_tcp_hello.ts",
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
      signal: abort.signal,
    }).output();
    return { code, stderr: new TextDecoder().decode(stderr).trimEnd().split("\n") };
  } finally {
    clearTimeout(timer);
  }
}

/** What each line says after the time. */
const said = (lines: string[]) => lines.map((line) => line.replace(/^ *\d+\.\d\d ms {2}/, ""));

Deno.test("deno task 03 --capture: the real segments among the calls, or one line saying why not", async () => {
  const { code, stderr } = await demo03(["--capture"]);
  assert.equal(code, 0, stderr.join("\n"));
  const lines = said(stderr);
  if (!lines[0].startsWith("--capture: tcpdump is watching")) {
    // No root, no tcpdump, not Linux: one line, then the trace as --trace prints it.
    console.log(`no capture here: ${lines[0]}`);
    assert.match(lines[0], /^--capture: .+\. Going on with --trace only\.$/);
    assert.match(lines[1], /^client #1 {2}connect 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+$/);
    return;
  }
  const one = lines.filter((line) => / #1 {2}/.test(line));
  const index = (line: string) => {
    const at = one.indexOf(line);
    assert.ok(at >= 0, `missing: ${line}\n${one.join("\n")}`);
    return at;
  };
  if (lines.some((line) => line.includes("the kernel dropped"))) {
    console.log(
      "tcpdump could not keep up with this machine's loopback: only the trace is checked",
    );
    return;
  }
  const syn = index("wire   #1  client → server  SYN  seq 0");
  const synAck = index("wire   #1  server → client  SYN-ACK  seq 0  ack 1");
  const ack = index("wire   #1  client → server  ACK  ack 1");
  const connect = one.findIndex((line) => line.startsWith("client #1  connect"));
  assert.ok(syn < synAck && synAck < ack && ack < connect, "the handshake, then connect() returns");
  const write = index('server #1  write 8 of 8  "Welcome!"  57 65 6c 63 6f 6d 65 21');
  const segment = index("wire   #1  server → client  PSH ACK  8 bytes  seq 1:9  ack 1");
  const read = index('client #1  read 8  "Welcome!"  57 65 6c 63 6f 6d 65 21');
  assert.ok(write < segment && segment < read, "write, the segment, read");
  const close = index("client #1  close");
  const fin = one.findIndex((line) => /^wire {3}#1 {2}client → server {2}FIN ACK/.test(line));
  assert.ok(close < fin, "close, then the client's FIN");
  assert.ok(
    one.some((line) => /^wire {3}#1 {2}server → client {2}FIN ACK/.test(line)),
    "the server's FIN",
  );
});

Deno.test("deno task 03 --capture without --allow-run=tcpdump says so in one line and traces", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "lessons/03_tcp_hello.ts", "--capture"],
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = said(new TextDecoder().decode(stderr).trimEnd().split("\n"));
  assert.equal(code, 0, lines.join("\n"));
  const expected = Deno.build.os === "linux"
    ? "--capture: Deno may not run tcpdump: add --allow-run=tcpdump to the command. Going on with --trace only."
    : lines[0];
  assert.equal(lines[0], expected);
  assert.match(lines[1], /^client #1 {2}connect/);
});
