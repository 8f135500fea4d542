/**
 * Unix domain socket versus TCP on 127.0.0.1 (lesson 08): the same echo
 * server on both, the same client code, three measurements each.
 *
 * - round trip: write 16 bytes, read the 16 echoed back, on an open connection
 * - connect: open a connection, say "bye", and close once the server has
 *   hung up (TCP: a three-way handshake and a FIN exchange; Unix: the kernel
 *   links two sockets, no packets at all). The server closes first so TCP's
 *   TIME_WAIT stays on its one port, not on thousands of ephemeral ports.
 * - 1 MiB: write 1 MiB and read it all back
 *
 * Run:
 *   deno bench --allow-net=127.0.0.1,unix:$PWD/.tmp/08_bench.sock \
 *     --allow-read=.tmp --allow-write=.tmp bench/unix_vs_tcp_bench.ts
 *
 * @module
 */

import { readChunk, writeAll } from "../lib/io.ts";
import { serve } from "../lib/serve.ts";

const BENCH_PATH = ".tmp/08_bench.sock";
const SMALL = new Uint8Array(16).fill(0x61);
const LARGE = new Uint8Array(1 << 20).fill(0x62);

const BYE = new TextEncoder().encode("bye");

/** Sends back every byte it reads, until the client closes; hangs up at once on "bye". */
async function echo(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    if (n === BYE.length && buffer.subarray(0, n).every((b, i) => b === BYE[i])) return;
    await writeAll(conn, buffer.subarray(0, n));
  }
}

/** Connects, says bye, and closes after the server has hung up. */
async function connectAndClose(connect: () => Promise<Deno.Conn>): Promise<void> {
  using conn = await connect();
  await writeAll(conn, BYE);
  if (await readChunk(conn, 16) !== null) throw new Error("the server did not hang up");
}

/** Writes `bytes` and reads until as many have come back. */
async function roundTrip(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  const writing = writeAll(conn, bytes);
  let got = 0;
  while (got < bytes.length) {
    const chunk = await readChunk(conn, 64 * 1024);
    if (chunk === null) throw new Error("the echo server closed early");
    got += chunk.length;
  }
  await writing;
}

const connectTcp = () => Deno.connect({ hostname: "127.0.0.1", port });
const connectUnix = () => Deno.connect({ transport: "unix", path: BENCH_PATH });

await Deno.mkdir(".tmp", { recursive: true });
await Deno.remove(BENCH_PATH).catch(() => {}); // a stale file from an interrupted run
const tcpServer = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), echo);
const unixServer = serve(Deno.listen({ transport: "unix", path: BENCH_PATH }), echo);
const port = tcpServer.addr.port;
const tcpConn = await connectTcp();
const unixConn = await connectUnix();

// Close everything when the benchmarks are done (this also removes the socket file).
globalThis.addEventListener("unload", () => {
  tcpConn.close();
  unixConn.close();
  tcpServer.close();
  unixServer.close();
});

Deno.bench(
  "TCP 127.0.0.1: 16-byte round trip",
  { group: "round trip", baseline: true },
  async () => {
    await roundTrip(tcpConn, SMALL);
  },
);

Deno.bench("Unix socket: 16-byte round trip", { group: "round trip" }, async () => {
  await roundTrip(unixConn, SMALL);
});

Deno.bench("TCP 127.0.0.1: connect and close", { group: "connect", baseline: true }, async () => {
  await connectAndClose(connectTcp);
});

Deno.bench("Unix socket: connect and close", { group: "connect" }, async () => {
  await connectAndClose(connectUnix);
});

Deno.bench("TCP 127.0.0.1: 1 MiB echoed", { group: "1 MiB", baseline: true }, async () => {
  await roundTrip(tcpConn, LARGE);
});

Deno.bench("Unix socket: 1 MiB echoed", { group: "1 MiB" }, async () => {
  await roundTrip(unixConn, LARGE);
});
