// A copy of lib/watched_conn.ts for issue 17's experiments (bench/fairness/): change this one, not lib/.
/**
 * A connection the server loop keeps an eye on, for two things it needs to
 * see the handler's reads and writes for:
 *
 * - the idle timeout: has this connection done anything lately? A peer that
 *   connects and says nothing holds a socket, a file descriptor and a
 *   coroutine for as long as we let it. Python has `sock.settimeout()`;
 *   Deno's `read()` takes no timeout, so the loop counts reads and writes.
 * - a graceful stop: once the server is closing, a handler that reads again
 *   is told "end of stream", as if the client had finished, so it returns
 *   after the reply it was writing and needs no shutdown code of its own.
 *
 * @module
 */

import { ConnWrapper } from "./conn_wrapper_copy.ts";

/**
 * A {@linkcode ConnWrapper} that counts reads and writes, and whose reads can
 * be ended early with {@linkcode WatchedConn.endReads}.
 *
 * @example Reads end early; writes are counted
 * ```ts
 * import { WatchedConn } from "./watched_conn_copy.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using watched = new WatchedConn(await listener.accept());
 * await watched.write(new TextEncoder().encode("hi"));
 * assert.equal(watched.activity, 1);
 * const waiting = watched.read(new Uint8Array(16)); // the client says nothing
 * watched.endReads();
 * assert.equal(await waiting, null);
 * assert.equal(await client.read(new Uint8Array(16)), 2);
 * ```
 */
export class WatchedConn<C extends Deno.Conn = Deno.Conn> extends ConnWrapper<C> {
  /** How many reads and writes the handler has started so far. */
  activity = 0;
  #readsEnded = false;
  /** Settles the read in progress, if any: `endReads()` answers it with `null`. */
  #pendingRead: ((n: null) => void) | undefined;

  /** Reads as the connection does, unless {@linkcode endReads} was called. */
  override read(p: Uint8Array): Promise<number | null> {
    this.activity++;
    if (this.#readsEnded) return Promise.resolve(null);
    const { promise, resolve, reject } = Promise.withResolvers<number | null>();
    this.#pendingRead = resolve;
    // A read left behind by endReads() settles later (data, or an error when
    // the socket is closed); settling a settled promise does nothing.
    this.inner.read(p).then(resolve, reject);
    return promise;
  }

  /** Writes as the connection does, counted. */
  override write(p: Uint8Array): Promise<number> {
    this.activity++;
    return this.inner.write(p);
  }

  /**
   * From now on every read, including one already waiting, returns `null`
   * (end of stream). Writes go on: a reply being written is finished.
   */
  endReads(): void {
    this.#readsEnded = true;
    this.#pendingRead?.(null);
  }

  protected override onReadable(): void {
    this.activity++;
  }

  protected override onWritable(): void {
    this.activity++;
  }
}
