/**
 * Giving up on a silent peer. A read on a TCP socket waits for as long as the
 * peer says nothing: minutes, hours, for ever if the network dropped the
 * peer's packets or the peer hung. Python sets `s.settimeout(10)`; Deno's
 * reads take no timeout, so we start a timer next to each operation and, if
 * it fires first, close the socket, which makes the pending read fail at once.
 *
 * @module
 */

import { TimeoutError } from "./errors.ts";
import type { Reader } from "./io.ts";
import { closeQuietly } from "./serve.ts";

/**
 * A timer for one socket: each operation run through it must finish within
 * `ms`, or the socket is closed and the operation fails with the
 * {@linkcode TimeoutError} that `explain` makes. Like Python's
 * `settimeout()`, the time counts per operation, so a long download that
 * keeps making progress never times out; a peer that goes quiet does.
 *
 * @example A server that accepts and says nothing
 * ```ts
 * import { IdleTimeout } from "./idle_timeout.ts";
 * import { TimeoutError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using _silent = await listener.accept();
 * const timeout = new IdleTimeout(conn, 20, () => new TimeoutError("the server said nothing"));
 * await assert.rejects(timeout.reader(conn).read(new Uint8Array(16)), TimeoutError);
 * assert.ok(timeout.timedOut);
 * ```
 */
export class IdleTimeout {
  #socket: { close(): void };
  #ms: number;
  #explain: () => TimeoutError;
  #timedOut = false;

  /** Guards `socket`: at most `ms` per operation; `explain` says what timed out. */
  constructor(socket: { close(): void }, ms: number, explain: () => TimeoutError) {
    this.#socket = socket;
    this.#ms = ms;
    this.#explain = explain;
  }

  /** True once the timer fired (the socket is then closed). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Runs `operation`; if it takes longer than the limit, closes the socket and throws. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#timedOut) throw this.#explain();
    const timer = setTimeout(() => {
      this.#timedOut = true;
      // Closing the socket makes the pending read or write fail with
      // Interrupted/BadResource; below, that becomes the TimeoutError.
      closeQuietly(this.#socket);
    }, this.#ms);
    try {
      const result = await operation();
      if (this.#timedOut) throw this.#explain();
      return result;
    } catch (err) {
      if (this.#timedOut && !(err instanceof TimeoutError)) throw this.#explain();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A {@linkcode Reader} over `source` whose every read is guarded by this timer. */
  reader(source: Reader): Reader {
    return { read: (p) => this.run(() => source.read(p)) };
  }
}
