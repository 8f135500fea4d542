/**
 * A TCP proxy that forwards every byte unchanged but re-cuts the stream:
 * the bytes of each read go out as pieces of random sizes, from a seeded
 * generator, optionally with random pauses between them.
 *
 * On loopback, writes usually arrive as they were made, so code that assumes
 * "one read = one message" seems to work. On a real network, routers, MTUs
 * and timing cut and merge the stream. This proxy brings that to loopback:
 * put it between a client and a server, and sticky packets (粘包) and half
 * packets (半包) happen on every run, at the same offsets for the same seed.
 *
 * ```
 * client ──► proxy (listens on 127.0.0.1:0) ──► target server
 *        ◄──          cuts both directions   ◄──
 * ```
 *
 * @example Framed messages survive any cutting
 * ```ts
 * import { startResliceProxy } from "./reslice_proxy.ts";
 * import { serveTcp } from "./server.ts";
 * import { connectTcp, listenTcp } from "./tcp.ts";
 * import { readChunk, writeAll } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * // An echo server, and a proxy in front of it that cuts 1 to 3 bytes at a time.
 * await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
 *   for (let chunk; (chunk = await readChunk(conn, 1024)) !== null;) await writeAll(conn, chunk);
 * });
 * await using proxy = startResliceProxy({ target: server.addr, seed: 7, minPiece: 1, maxPiece: 3 });
 * using conn = await connectTcp({ port: proxy.addr.port });
 * await writeAll(conn, new TextEncoder().encode("hello, sticky packets"));
 * await conn.closeWrite();
 * const echoed: number[] = [];
 * for (let chunk; (chunk = await readChunk(conn, 1024)) !== null;) echoed.push(...chunk);
 * assert.equal(new TextDecoder().decode(new Uint8Array(echoed)), "hello, sticky packets");
 * ```
 *
 * @module
 */

import { formatAddr, netAddr } from "./addr.ts";
import { isClosedError, isPeerGoneError, LessonError } from "./errors.ts";
import { readChunk, writeAll } from "./io.ts";
import { type Log, silent } from "./log.ts";
import { type Random, randomInt, seededRandom } from "./random.ts";
import { closeQuietly, serveTcp, type TcpServer } from "./server.ts";
import { connectTcp, listenTcp } from "./tcp.ts";

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

/** A running proxy: a {@linkcode TcpServer} that also counts what it cut. */
export interface ResliceProxy extends TcpServer {
  /** How many pieces it has written so far, both directions, all connections. */
  readonly pieces: number;
  /** How many bytes it has forwarded so far. */
  readonly bytes: number;
}

/**
 * Cuts a byte stream into pieces whose sizes come from a seeded generator.
 * The cut offsets depend only on the seed and the sizes, not on how the bytes
 * were chunked when they reached {@linkcode Slicer.cut}: a piece in progress
 * carries over into the next chunk. (A chunk boundary also ends a piece, since
 * the proxy cannot wait for bytes that may never come.)
 *
 * Sizes are log-uniform between `min` and `max`: as many pieces of 1-9 bytes
 * as of 10-99, so headers get split often and large messages still move.
 *
 * @example
 * ```ts
 * import { Slicer } from "./reslice_proxy.ts";
 * import { seededRandom } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("hellostickypackets");
 * const pieces = new Slicer(seededRandom(5), 1, 6).cut(bytes);
 * assert.ok(pieces.length > 1 && pieces.every((p) => p.length >= 1 && p.length <= 6));
 * assert.deepEqual(new Uint8Array(pieces.flatMap((p) => [...p])), bytes);
 * ```
 */
export class Slicer {
  #random: Random;
  #min: number;
  #max: number;
  #left = 0; // bytes left in the piece in progress

  /** Pieces of `min` to `max` bytes (both at least 1), sizes drawn from `random`. */
  constructor(random: Random, min: number, max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new RangeError(`piece sizes need 1 <= min <= max, got ${min} and ${max}`);
    }
    this.#random = random;
    this.#min = min;
    this.#max = max;
  }

  /** The next piece size: log-uniform in [min, max]. */
  nextSize(): number {
    const size = Math.floor(this.#min * Math.pow((this.#max + 1) / this.#min, this.#random()));
    return Math.min(this.#max, Math.max(this.#min, size));
  }

  /** Cuts one chunk into pieces (views into `chunk`, no copies). */
  cut(chunk: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#left === 0) this.#left = this.nextSize();
      const take = Math.min(this.#left, chunk.length - at);
      pieces.push(chunk.subarray(at, at + take));
      this.#left -= take;
      at += take;
    }
    return pieces;
  }
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
  const target = { host: options.target.hostname, port: options.target.port };
  const listener = listenTcp({ host: options.host, port: options.port ?? 0 });
  let connections = 0;
  let pieces = 0;
  let bytes = 0;

  // Copies one direction: read, cut, write each piece. Resolves when `from`
  // ends (after passing the end on) or either side fails.
  async function pump(
    from: Deno.TcpConn,
    to: Deno.TcpConn,
    connection: number,
    direction: Direction,
  ): Promise<"eof" | "read failed" | "write failed"> {
    const random = seededRandom(streamSeed(seed, connection, direction));
    const slicer = new Slicer(random, minPiece, maxPiece);
    let index = 0;
    while (true) {
      let chunk: Uint8Array | null;
      try {
        chunk = await readChunk(from, 64 * 1024);
      } catch (err) {
        if (isClosedError(err) || isPeerGoneError(err)) return "read failed";
        throw err;
      }
      if (chunk === null) {
        try {
          await to.closeWrite(); // pass the FIN on: "no more bytes this way"
        } catch { /* the other side is already gone */ }
        return "eof";
      }
      for (const piece of slicer.cut(chunk)) {
        if (options.maxDelayMs) await pause(randomInt(random, 0, options.maxDelayMs));
        await options.beforeForward?.({ connection, direction, index: index++, bytes: piece });
        try {
          await writeAll(to, piece);
        } catch (err) {
          if (isClosedError(err) || isPeerGoneError(err)) return "write failed";
          throw err;
        }
        pieces++;
        bytes += piece.length;
      }
    }
  }

  async function forward(client: Deno.TcpConn): Promise<void> {
    const connection = connections++;
    let server: Deno.TcpConn;
    try {
      server = await connectTcp({ host: target.host, port: target.port });
    } catch (err) {
      const why = err instanceof LessonError ? err.message : String(err);
      log(
        `proxy: cannot reach ${
          formatAddr({ hostname: target.host ?? "127.0.0.1", port: target.port })
        }: ${why}`,
      );
      return; // serveTcp closes the client
    }
    // Nagle off, so each piece leaves as soon as it is written.
    client.setNoDelay(true);
    server.setNoDelay(true);
    try {
      const ends = [
        pump(client, server, connection, "client→server"),
        pump(server, client, connection, "server→client"),
      ];
      // A read failing means a side is gone (reset, or close() on the proxy):
      // close both, so the other direction's pending read ends too. A write
      // failing ends only that direction; the other may still deliver data.
      for (const end of ends) {
        end.then((how) => {
          if (how === "read failed") {
            closeQuietly(client);
            closeQuietly(server);
          }
        }, () => {});
      }
      await Promise.all(ends);
    } finally {
      closeQuietly(server);
    }
  }

  const server = serveTcp(listener, forward, { log });
  return {
    addr: netAddr(listener.addr),
    get connections() {
      return server.connections;
    },
    get pieces() {
      return pieces;
    },
    get bytes() {
      return bytes;
    },
    close: (graceMs?: number) => server.close(graceMs),
    finished: server.finished,
    [Symbol.asyncDispose]: () => server.close(),
  };
}
