/**
 * # 05 · A proxy that re-cuts the stream
 *
 * A TCP proxy that forwards every byte unchanged but re-cuts the stream: the
 * bytes of each read go out as pieces of random sizes, from a seeded
 * generator, optionally with random pauses between them.
 *
 * Where do the cuts come from on a real network? Not from routers: they
 * forward IP packets and do not re-cut a TCP stream (an IPv4 router may
 * fragment a packet; the receiving host joins it again before TCP sees it).
 * The sender cuts: segments no larger than the MSS, as the receive and
 * congestion windows allow, held back and merged by Nagle's algorithm,
 * handed to the network card in large chunks it splits (TSO/GSO). The
 * receiver merges: the card or driver joins segments (GRO), and the receive
 * buffer holds whatever has arrived until the application reads. A proxy
 * that ends one TCP connection and opens another, like this one, re-cuts as
 * it likes. On loopback, with a reader that waits for each reply, one read
 * often returns one write; through this proxy, sticky packets (粘包) and half
 * packets (半包) happen on every run, at the same offsets for the same seed.
 *
 * @example Bytes survive any cutting
 * ```ts
 * import { startResliceProxy } from "./reslice_proxy.ts";
 * import { serve } from "../../lib/serve.ts";
 * import assert from "node:assert/strict";
 *
 * // An echo server, and a proxy in front of it that cuts 1 to 3 bytes at a time.
 * await using server = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
 *   const buffer = new Uint8Array(1024);
 *   for (let n; (n = await conn.read(buffer)) !== null;) await conn.write(buffer.subarray(0, n));
 * });
 * await using proxy = startResliceProxy({ target: server.addr, seed: 7, minPiece: 1, maxPiece: 3 });
 * using conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.addr.port });
 * await conn.write(new TextEncoder().encode("hello, sticky packets"));
 * await conn.closeWrite();
 * const echoed = await new Response(conn.readable).text();
 * assert.equal(echoed, "hello, sticky packets");
 * ```
 *
 * @module
 */

import { formatAddr } from "../../lib/addr.ts";
import { isClosedError, isPeerGoneError } from "../../lib/errors.ts";
import { explainNetError } from "../../lib/explain.ts";
import { readChunk, writeAll } from "../../lib/io.ts";
import { type Log, silent } from "../../lib/log.ts";
import { randomInt, seededRandom } from "../../lib/random.ts";
import { closeQuietly, serve, type Server } from "../../lib/serve.ts";
import { Slicer } from "./slicer.ts";

export { Slicer };

/** Which way a piece travels. */
export type Direction = "client→server" | "server→client";

/** One piece the proxy is about to write. */
export interface Piece {
  /** 0 for the first connection the proxy accepted, then 1, 2, ... */
  connection: number;
  /** Which way it goes. */
  direction: Direction;
  /** 0 for the first piece in this direction of this connection. */
  index: number;
  /** Its bytes. */
  bytes: Uint8Array;
}

/** Options for {@linkcode startResliceProxy}. */
export interface ResliceProxyOptions {
  /** The server to forward to. */
  target: { hostname?: string; port: number };
  /** Where the proxy listens. Default 127.0.0.1. */
  host?: string;
  /** Where the proxy listens. Default 0: any free port. */
  port?: number;
  /** Seed of the cuts; the same seed cuts the same offsets. Default 1. */
  seed?: number;
  /** The smallest piece, in bytes. Default 1. */
  minPiece?: number;
  /** The largest piece, in bytes. Default 1024. */
  maxPiece?: number;
  /** Pause up to this long before each piece (0 to `maxDelayMs`, random). Default 0: no pauses. */
  maxDelayMs?: number;
  /**
   * Called before each piece is written; the proxy waits for the returned
   * promise. Tests use it to hold the stream until the receiver has read the
   * previous piece, so every cut the proxy makes is a read boundary the
   * receiver sees (without it, the receiver's buffer may merge pieces again).
   */
  beforeForward?: (piece: Piece) => void | Promise<void>;
  /** Where the proxy reports connections it could not forward. */
  log?: Log;
}

/** A running proxy: a server that also counts what it cut. */
export interface ResliceProxy extends Server {
  /** How many pieces it has written so far, both directions, all connections. */
  readonly pieces: number;
  /** How many bytes it has forwarded so far. */
  readonly bytes: number;
}

/** A seed for one direction of one connection: independent of timing. */
function streamSeed(seed: number, connection: number, direction: Direction): number {
  const mixed = Math.imul(connection + 1, 0x9e37_79b1) ^
    (direction === "client→server" ? 0 : 0x85eb_ca6b);
  return (seed ^ mixed) >>> 0;
}

/** Sleeps `ms`; the proxy's pauses simulate a network, they don't synchronise anything. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How one direction ended: its source ended, or a side failed. */
type End = "eof" | "read failed" | "write failed";

/**
 * Starts the proxy: listens, and for each client opens a connection to
 * `target` and forwards both directions, re-cut. End of stream is passed on
 * as a half-close (`closeWrite()`), so request-then-shutdown clients work.
 * `close()` stops it and closes every connection.
 */
export function startResliceProxy(options: ResliceProxyOptions): ResliceProxy {
  const log = options.log ?? silent;
  const seed = options.seed ?? 1;
  const minPiece = options.minPiece ?? 1;
  const maxPiece = options.maxPiece ?? 1024;
  new Slicer(seededRandom(seed), minPiece, maxPiece); // check the sizes now, not per connection
  const target = { hostname: options.target.hostname ?? "127.0.0.1", port: options.target.port };
  const listener = Deno.listen({ hostname: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  let connections = 0;
  let pieces = 0;
  let bytes = 0;
  const targets = new Set<Deno.TcpConn>(); // our side of each connection to the target

  // Copies one direction: read, cut, write each piece, until `from` ends
  // (the end is passed on) or either side fails.
  async function pump(from: Deno.Conn, to: Deno.Conn, connection: number, direction: Direction) {
    const random = seededRandom(streamSeed(seed, connection, direction));
    const slicer = new Slicer(random, minPiece, maxPiece);
    let index = 0;
    while (true) {
      const chunk = await readChunk(from, 64 * 1024).catch(gone);
      if (chunk === "gone") return "read failed";
      if (chunk === null) {
        await to.closeWrite().catch(() => {}); // pass the FIN on: "no more bytes this way"
        return "eof";
      }
      for (const piece of slicer.cut(chunk)) {
        if (options.maxDelayMs) await pause(randomInt(random, 0, options.maxDelayMs));
        await options.beforeForward?.({ connection, direction, index: index++, bytes: piece });
        if (await writeAll(to, piece).catch(gone) === "gone") return "write failed";
        pieces++;
        bytes += piece.length;
      }
    }
  }

  async function forward(client: Deno.TcpConn): Promise<void> {
    const connection = connections++;
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect(target);
    } catch (err) {
      const why = explainNetError(err, target);
      log(`proxy: cannot reach ${formatAddr(target)}: ${why instanceof Error ? why.message : why}`);
      return; // serve() closes the client
    }
    using _server = server;
    targets.add(server);
    client.setNoDelay(true); // Nagle off: each piece leaves as soon as it is written
    server.setNoDelay(true);
    const ends: Promise<End>[] = [
      pump(client, server, connection, "client→server"),
      pump(server, client, connection, "server→client"),
    ];
    // A read failing means a side is gone (reset, or close() on the proxy):
    // close both, so the other direction's pending read ends too. A write
    // failing ends only that direction; the other may still deliver data.
    for (const end of ends) {
      end.then((how) => {
        if (how !== "read failed") return;
        closeQuietly(client);
        closeQuietly(server);
      }, () => {});
    }
    await Promise.all(ends);
    targets.delete(server);
  }

  const server = serve(listener, forward, { log, idleTimeoutMs: 0 });
  // serve() closes the clients' side when the grace period ends; the targets'
  // side is ours to close, or a target that never answers holds close() open.
  const close = async (graceMs = 0) => {
    const closing = server.close(graceMs);
    await settleWithin(closing, graceMs);
    for (const target of targets) closeQuietly(target);
    await closing;
  };
  return {
    addr: listener.addr,
    get connections() {
      return server.connections;
    },
    get pieces() {
      return pieces;
    },
    get bytes() {
      return bytes;
    },
    close,
    finished: server.finished,
    [Symbol.asyncDispose]: () => close(),
  };
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  await Promise.race([promise.catch(() => {}), late]);
  clearTimeout(timer);
}

/** A closed socket or a vanished peer becomes `"gone"`; any other error is thrown on. */
function gone(err: unknown): "gone" {
  if (isClosedError(err) || isPeerGoneError(err)) return "gone";
  throw err;
}
