/**
 * Unix domain socket versus TCP on 127.0.0.1 (lesson 08): the same echo
 * server on both, the same client code, three measurements each.
 *
 * - round trip: write 16 bytes, read the 16 echoed back, on an open connection
 * - connect: open a connection and close it (TCP: a three-way handshake and a
 *   FIN exchange; Unix: the kernel links two sockets, no packets at all)
 * - 1 MiB: write 1 MiB and read it all back
 *
 * Run:
 *   deno bench --allow-net=127.0.0.1,unix:$PWD/.tmp/08_bench.sock \
 *     --allow-read=.tmp --allow-write=.tmp bench/unix_vs_tcp_bench.ts
 *
 * @module
 */

import { readChunk, writeAll } from "../lib/io.ts";
import { serveTcp } from "../lib/server.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { connectUnix, listenUnix, serveUnix } from "../lib/unix.ts";

const BENCH_PATH = ".tmp/08_bench.sock";
const SMALL = new Uint8Array(16).fill(0x61);
const LARGE = new Uint8Array(1 << 20).fill(0x62);

/** Sends back every byte it reads, until the client closes. */
async function echo(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  for (let n; (n = await conn.read(buffer)) !== null;) await writeAll(conn, buffer.subarray(0, n));
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

const tcpServer = serveTcp(listenTcp({ port: 0 }), echo);
const unixServer = serveUnix(await listenUnix({ path: BENCH_PATH }), echo);
const port = tcpServer.addr.port;
const tcpConn = await connectTcp({ port });
const unixConn = await connectUnix({ path: BENCH_PATH });

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
  const conn = await connectTcp({ port });
  conn.close();
});

Deno.bench("Unix socket: connect and close", { group: "connect" }, async () => {
  const conn = await connectUnix({ path: BENCH_PATH });
  conn.close();
});

Deno.bench("TCP 127.0.0.1: 1 MiB echoed", { group: "1 MiB", baseline: true }, async () => {
  await roundTrip(tcpConn, LARGE);
});

Deno.bench("Unix socket: 1 MiB echoed", { group: "1 MiB" }, async () => {
  await roundTrip(unixConn, LARGE);
});
