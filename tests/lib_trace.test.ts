/**
 * `--trace`: the events a traced connection reports, their names and how a
 * line reads; `--trace-svg` writing its file; `--capture` saying why not in
 * one line where it cannot run. (The packets themselves: lib_trace_capture*.)
 */

import assert from "node:assert/strict";
import * as lesson03 from "../lessons/03_tcp_hello.ts";
import { startTracing, traced, tracedDatagram } from "../lib/trace.ts";
import { runCli, utf8, within } from "./_util.ts";
import { connectAndReset } from "./hostile/_harness.ts";

/** Starts `--trace` into an array; dispose it to finish. */
async function tracing(
  extra: { svgFile?: string; capture?: boolean; captureCommand?: string } = {},
) {
  const lines: string[] = [];
  const tracer = await startTracing({
    trace: true,
    capture: extra.capture ?? false,
    svgFile: extra.svgFile,
    captureCommand: extra.captureCommand,
    write: (line) => lines.push(line),
  });
  return { lines, tracer };
}

/** A connected pair on the loopback, both ends traced. */
async function tracedPair(listener: Deno.TcpListener) {
  const client = traced(
    await within(
      2_000,
      "the connect",
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    ),
    "client",
  );
  const server = traced(await within(2_000, "the accept", listener.accept()), "server");
  return { client, server };
}

/** What each line says after the time: `client #1  write 2 of 2 ...`. */
function events(lines: string[]): string[] {
  return lines.map((line) => line.replace(/^ *\d+\.\d\d ms {2}/, ""));
}

Deno.test("traced() returns the connection itself when tracing is off: nothing is wrapped", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using conn = await within(
    2_000,
    "the connect",
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  assert.equal(traced(conn, "client"), conn);
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  assert.equal(tracedDatagram(socket, "client"), socket);
  socket.close();
});

Deno.test("startTracing() without a tracing flag leaves traced() off", async () => {
  await using _tracing = await startTracing({ trace: false, capture: false, write: () => {} });
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using conn = await within(
    2_000,
    "the connect",
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  assert.equal(traced(conn, "client"), conn);
});

Deno.test("traced() reports connect, accept, write N of M, read N, closeWrite, EOF and close, both ends as #1", async () => {
  const { lines, tracer } = await tracing();
  {
    await using _tracing = tracer;
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { client, server } = await tracedPair(listener);
    await client.write(utf8.encode("Michael"));
    const buffer = new Uint8Array(1024);
    assert.equal(await within(2_000, "Michael at the server", server.read(buffer)), 7);
    await client.closeWrite();
    assert.equal(await within(2_000, "end of stream at the server", server.read(buffer)), null);
    server.close();
    assert.equal(await within(2_000, "end of stream at the client", client.read(buffer)), null);
    client.close();
  }
  const said = events(lines);
  const port = (line: string) => line.match(/127\.0\.0\.1:(\d+)/g);
  assert.match(said[0], /^client #1 {2}connect 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+$/);
  assert.match(said[1], /^server #1 {2}accept 127\.0\.0\.1:\d+ ← 127\.0\.0\.1:\d+$/);
  assert.deepEqual(port(said[0]), port(said[1])?.toReversed(), "both lines name the same two ends");
  assert.deepEqual(said.slice(2), [
    'client #1  write 7 of 7  "Michael"  4d 69 63 68 61 65 6c',
    'server #1  read 7  "Michael"  4d 69 63 68 61 65 6c',
    "client #1  closeWrite: we send FIN (we will send no more; reading goes on)",
    "server #1  EOF: read() returned null (a FIN arrived: the peer will send no more)",
    "server #1  close",
    "client #1  EOF: read() returned null (a FIN arrived: the peer will send no more)",
    "client #1  close",
  ]);
  // Each line starts with the milliseconds since tracing started, in order.
  const times = lines.map((line) => Number(line.match(/^ *(\d+\.\d\d) ms/)?.[1]));
  assert.ok(times.every((t, i) => t >= 0 && (i === 0 || t >= times[i - 1] - 1)), lines.join("\n"));
});

Deno.test("traced() reports the read that threw ConnectionReset, and the write after it, as resets", async () => {
  const { lines, tracer } = await tracing();
  {
    await using _tracing = tracer;
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepting = listener.accept();
    // A client that aborts: SO_LINGER 0 and close, so its kernel sends RST.
    await within(2_000, "a client that connects and resets", connectAndReset(listener.addr.port));
    using server = traced(await within(2_000, "the accept", accepting), "server");
    await assert.rejects(server.read(new Uint8Array(16)), Deno.errors.ConnectionReset);
    await assert.rejects(server.write(utf8.encode("late")), Deno.errors.BrokenPipe);
  }
  assert.deepEqual(events(lines).slice(1), [
    "server #1  reset: read threw ConnectionReset (an RST arrived: the peer aborted the connection)",
    "server #1  reset: write threw BrokenPipe (the connection was reset: nothing more can be sent)",
    "server #1  close",
  ]);
});

Deno.test("tracedDatagram() reports send N → addr and receive N ← addr, as one conversation", async () => {
  const { lines, tracer } = await tracing();
  {
    await using _tracing = tracer;
    const server = tracedDatagram(
      Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
      "server",
    );
    const client = tracedDatagram(
      Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
      "client",
    );
    try {
      await client.send(utf8.encode("ping"), server.addr);
      const [, from] = await within(2_000, "ping at the server", server.receive());
      await server.send(utf8.encode("pong"), from);
      await within(2_000, "pong at the client", client.receive());
    } finally {
      client.close();
      server.close();
    }
  }
  const said = events(lines);
  assert.equal(said.length, 4, lines.join("\n"));
  assert.match(said[0], /^client #1 {2}send 4 → 127\.0\.0\.1:\d+ {2}"ping" {2}70 69 6e 67$/);
  assert.match(said[1], /^server #1 {2}receive 4 ← 127\.0\.0\.1:\d+ {2}"ping" {2}70 69 6e 67$/);
  assert.match(said[2], /^server #1 {2}send 4 → /);
  assert.match(said[3], /^client #1 {2}receive 4 ← /);
});

Deno.test("traced() shortens long reads: the first characters and 16 bytes in hex, then the count", async () => {
  const { lines, tracer } = await tracing();
  {
    await using _tracing = tracer;
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { client, server } = await tracedPair(listener);
    using _client = client;
    using _server = server;
    await client.write(utf8.encode("a".repeat(100)));
    let got = 0;
    const buffer = new Uint8Array(1024);
    while (got < 100) got += (await within(2_000, "100 bytes", server.read(buffer))) ?? 100;
  }
  const write = events(lines).find((line) => line.includes("write"));
  assert.equal(
    write,
    `client #1  write 100 of 100  "${"a".repeat(32)}"…  ${"61 ".repeat(16).trim()} … (100 bytes)`,
  );
});

Deno.test("--trace on lesson 03's client: one line per event on stderr, replies on stdout as before", async () => {
  await using server = lesson03.startHelloServer({ port: 0 });
  const run = await within(
    5_000,
    "lesson 03's client with --trace",
    runCli(lesson03.cli, ["client", "--port", String(server.addr.port), "--trace", "Ada"]),
  );
  assert.equal(run.code, 0, run.stderr.join("\n"));
  assert.deepEqual(run.stdout, ["Welcome!", "Hello, Ada!"]);
  // The server runs in this process, so it is traced too: its lines are #1 as well.
  const client = events(run.stderr).filter((line) => line.startsWith("client"));
  assert.ok(events(run.stderr).some((line) => line.startsWith("server #1  accept")));
  assert.deepEqual(client.map((line) => line.replace(/127\.0\.0\.1:\d+/g, "ADDR")), [
    "client #1  connect ADDR → ADDR",
    'client #1  read 8  "Welcome!"  57 65 6c 63 6f 6d 65 21',
    'client #1  write 3 of 3  "Ada"  41 64 61',
    'client #1  read 11  "Hello, Ada!"  48 65 6c 6c 6f 2c 20 41 64 61 21',
    'client #1  write 4 of 4  "exit"  65 78 69 74',
    "client #1  close",
  ]);
});

Deno.test("--capture where tcpdump cannot run says why in one line, then traces anyway", async () => {
  const { lines, tracer } = await tracing({ capture: true, captureCommand: "no-such-tcpdump" });
  {
    await using _tracing = tracer;
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { client, server } = await tracedPair(listener);
    client.close();
    server.close();
  }
  assert.match(lines[0], /^--capture: .+\. Going on with --trace only\.$/);
  assert.match(
    lines[0],
    /not installed|may not run no-such-tcpdump: add --allow-run=no-such-tcpdump|runs tcpdump on Linux/,
  );
  assert.match(lines[1], /client #1 {2}connect/);
});

Deno.test("--trace-svg FILE writes a sequence diagram of the conversation and says where", async () => {
  await Deno.mkdir(".tmp", { recursive: true });
  const file = await Deno.makeTempFile({ dir: ".tmp", prefix: "trace_", suffix: ".svg" });
  try {
    const lines: string[] = [];
    {
      await using _tracing = await startTracing({
        trace: false,
        capture: false,
        svgFile: file,
        title: "a test",
        write: (line) => lines.push(line),
      });
      using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const { client, server } = await tracedPair(listener);
      await client.write(utf8.encode("hello"));
      await within(2_000, "hello at the server", server.read(new Uint8Array(16)));
      client.close();
      server.close();
    }
    assert.deepEqual(lines, [
      `--trace-svg: wrote ${file} (1 conversations): open it in a browser.`,
    ]);
    const svg = await Deno.readTextFile(file);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<text [^>]*>a test<\/text>/);
    assert.match(svg, /write 5 of 5 {2}&quot;hello&quot;/);
    assert.match(svg, /class="arrow write write"/, "without --capture the write is the arrow");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("--trace-svg FILE that cannot be written says why in one line; the run itself is not failed", async () => {
  const lines: string[] = [];
  {
    await using _tracing = await startTracing({
      trace: false,
      capture: false,
      svgFile: ".tmp/no-such-folder/trace.svg",
      write: (line) => lines.push(line),
    });
  }
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^--trace-svg: could not write \.tmp\/no-such-folder\/trace\.svg: .+ \(is the folder there\?\)$/,
  );
});
