/**
 * # 08 · TCP on 127.0.0.1 or a Unix socket: what each costs
 *
 * Both ends on one machine can talk over TCP on loopback or over a Unix
 * socket. Loopback TCP is still TCP: a three-way handshake to connect, a
 * FIN exchange and TIME_WAIT to close, segments with headers, sequence
 * numbers, ACKs, windows and congestion control, routed through the IP
 * layer to the `lo` device. One thing it skips: checksums. `lo` claims to
 * compute them in hardware (NETIF_F_HW_CSUM in drivers/net/loopback.c)
 * and no hardware ever does, so a captured loopback segment carries only
 * the pseudo-header sum and the receiver accepts it unverified. A Unix
 * stream socket has none of this: `write()` appends the bytes to the peer
 * socket's receive queue, and `connect()` links two sockets without a
 * packet.
 *
 * The functions below time the same work over both, roughly; the real
 * measurement is `deno bench bench/unix_vs_tcp_bench.ts`.
 *
 * Run alone: deno run --allow-net=127.0.0.1,unix:$PWD/.tmp/08_demo.sock
 *              --allow-read=.tmp --allow-write=.tmp lessons/08_unix_sockets/speed.ts
 *
 * @module
 */

import { serve } from "../../lib/serve.ts";
import { runHelloClient, startHelloServer } from "../03_tcp_hello.ts";
import { DEMO_PATH, runUnixHelloClient, startUnixHelloServer } from "../08_unix_sockets.ts";

/** How long the same work took over each transport. */
export interface Times {
  /** How many round trips or connections were timed. */
  rounds: number;
  /** Milliseconds over TCP on 127.0.0.1. */
  tcpMs: number;
  /** Milliseconds over the Unix socket. */
  unixMs: number;
}

/**
 * Times `rounds` names sent one at a time, each waiting for its reply, to
 * lesson 03's server on 127.0.0.1 and to lesson 08's on `path`.
 */
export async function timeRoundTrips(path: string, rounds: number): Promise<Times> {
  const names = Array.from({ length: rounds }, (_, i) => `n${i}`);
  await using tcp = startHelloServer({ port: 0 });
  await using _unix = await startUnixHelloServer({ path });
  const tcpMs = await timed(() => runHelloClient({ port: tcp.addr.port, names }));
  const unixMs = await timed(() => runUnixHelloClient({ path, names }));
  return { rounds, tcpMs, unixMs };
}

/**
 * Times `rounds` connections opened and closed against servers that accept
 * each one and hang up at once. The client waits for that hang-up before
 * closing, so the server's side closes first and TCP's TIME_WAIT stays on
 * the server's one port instead of using up the clients' ephemeral ports.
 */
export async function timeConnects(path: string, rounds: number): Promise<Times> {
  const hangUp = () => Promise.resolve();
  await using tcp = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), hangUp);
  await using _unix = serve(Deno.listen({ transport: "unix", path }), hangUp);
  const connectAndClose = async (connect: () => Promise<Deno.Conn>) => {
    using conn = await connect();
    await conn.read(new Uint8Array(1)); // null: the server hung up
  };
  const tcpMs = await timed(async () => {
    for (let i = 0; i < rounds; i++) {
      await connectAndClose(() => Deno.connect({ hostname: "127.0.0.1", port: tcp.addr.port }));
    }
  });
  const unixMs = await timed(async () => {
    for (let i = 0; i < rounds; i++) {
      await connectAndClose(() => Deno.connect({ transport: "unix", path }));
    }
  });
  return { rounds, tcpMs, unixMs };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

if (import.meta.main) {
  console.log("round trips:", await timeRoundTrips(DEMO_PATH, 2_000));
  console.log("connections:", await timeConnects(DEMO_PATH, 500));
}
