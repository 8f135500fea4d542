/**
 * A connection the server keeps an eye on, for two limits that need to see
 * the handler's reads and writes:
 *
 * - the idle timeout: has this connection done anything lately? A peer that
 *   connects and says nothing holds a socket, a file descriptor and a
 *   coroutine for as long as we let it. The kernel has no such limit for us
 *   (Python's `settimeout()` is per call, and Deno has none), so we count.
 * - a graceful stop: once the server is closing, a handler that goes back to
 *   read the next request is told "end of stream", as if the client had
 *   finished. It then returns after the reply it was writing, and needs no
 *   shutdown code of its own.
 *
 * The handler gets a stand-in for its `Deno.Conn` that behaves exactly like
 * it, except that `read` and `write` (what `lib/io.ts` and every lesson use)
 * also count, and `read` can end early.
 *
 * @module
 */

/** What {@linkcode watchConn} returns. */
export interface WatchedConn<C extends Deno.Conn> {
  /** The connection to hand to the handler: the original, watched. */
  readonly conn: C;
  /** How many reads and writes the handler has started so far. */
  readonly activity: number;
  /**
   * From now on every read, including one already waiting, returns `null`
   * (end of stream). Writes go on: a reply being written is finished.
   * (Reads through `conn.readable` are counted, but not ended.)
   */
  endReads(): void;
}

/**
 * Wraps `conn` so that its reads and writes are counted and its reads can be
 * ended with {@linkcode WatchedConn.endReads}.
 *
 * @example Reads end early; writes are counted
 * ```ts
 * import { watchConn } from "./watched_conn.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using accepted = await listener.accept();
 * const watched = watchConn(accepted);
 * await watched.conn.write(new TextEncoder().encode("hi"));
 * assert.equal(watched.activity, 1);
 * const waiting = watched.conn.read(new Uint8Array(16)); // the client says nothing
 * watched.endReads();
 * assert.equal(await waiting, null);
 * assert.equal(await client.read(new Uint8Array(16)), 2);
 * ```
 */
export function watchConn<C extends Deno.Conn>(conn: C): WatchedConn<C> {
  let activity = 0;
  let ended = false;
  // The resolvers of reads still waiting: endReads() answers them with null.
  // (Not a race against one shared promise: every read would leave a
  // callback on it, and a long connection would pile them up.)
  const waiting = new Set<(n: null) => void>();

  function read(p: Uint8Array): Promise<number | null> {
    activity++;
    if (ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      waiting.add(resolve);
      // A read left behind by endReads() settles later (data, or an error
      // when the socket is closed); settling a settled promise does nothing.
      conn.read(p).then((n) => {
        waiting.delete(resolve);
        resolve(n);
      }, (err) => {
        waiting.delete(resolve);
        reject(err);
      });
    });
  }

  function write(p: Uint8Array): Promise<number> {
    activity++;
    return conn.write(p);
  }

  // A stream that counts what flows through it, for handlers that use
  // `conn.readable` or `conn.writable` instead of read() and write().
  const counting = () =>
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        activity++;
        controller.enqueue(chunk);
      },
    });
  let readable: ReadableStream<Uint8Array> | undefined;
  let writable: WritableStream<Uint8Array> | undefined;

  const watched = new Proxy(conn, {
    get(target, property) {
      if (property === "read") return read;
      if (property === "write") return write;
      if (property === "readable") return readable ??= target.readable.pipeThrough(counting());
      if (property === "writable") {
        if (writable === undefined) {
          const through = counting();
          through.readable.pipeTo(target.writable).catch(() => {}); // errors reach the writer
          writable = through.writable;
        }
        return writable;
      }
      // Everything else is the connection's own, called on the connection.
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

  return {
    conn: watched,
    get activity() {
      return activity;
    },
    endReads() {
      ended = true;
      for (const resolve of waiting) resolve(null);
      waiting.clear();
    },
  };
}
