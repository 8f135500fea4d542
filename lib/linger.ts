/**
 * Closing a server's side of a connection without losing the answer.
 *
 * If a socket is closed while bytes the peer sent are still unread in its
 * receive buffer, Linux does not send a polite FIN: it sends a reset (RST).
 * A reset tells the peer's kernel to throw away what it has not yet handed to
 * its program, so a browser can lose the very answer we just wrote and show
 * "connection reset" instead. That happens whenever a server answers before
 * reading everything: a 400 for garbage, a 431 for a huge head, a request
 * with a body it ignores.
 *
 * The cure (what web servers call a lingering close): shut down only our
 * sending side, which sends FIN after the answer, then read and throw away
 * whatever still arrives until the peer closes too, for a short while.
 *
 * @module
 */

import { isClosedError, isPeerGoneError } from "./errors.ts";
import { closeQuietly } from "./server.ts";

/** Options for {@linkcode shutdownAndDrain}. */
export interface DrainOptions {
  /** Stop waiting for the peer to close after this long. Default 1000 ms. */
  ms?: number;
  /** Stop after throwing away this many bytes. Default 64 KiB. */
  maxBytes?: number;
}

/**
 * Python's `sock.shutdown(socket.SHUT_WR)` followed by reading until `recv`
 * returns `b''`: sends FIN after everything written so far, then discards
 * input until the peer closes, `ms` pass or `maxBytes` were drained. The
 * caller still closes the socket afterwards. Never throws for a peer that is
 * already gone.
 *
 * @example
 * ```ts
 * import { shutdownAndDrain } from "./linger.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using server = await listener.accept();
 * await client.write(new TextEncoder().encode("a request the server never reads"));
 * await server.write(new TextEncoder().encode("400"));
 * const draining = shutdownAndDrain(server);
 * const got = new Uint8Array(16);
 * assert.equal(await client.read(got), 3); // the answer arrives, not a reset
 * assert.equal(await client.read(got), null); // then FIN
 * client.closeWrite();
 * await draining;
 * ```
 */
export async function shutdownAndDrain(conn: Deno.Conn, options: DrainOptions = {}): Promise<void> {
  const ms = options.ms ?? 1000;
  let left = options.maxBytes ?? 64 * 1024;
  // Python: sock.shutdown(socket.SHUT_WR)
  try {
    await conn.closeWrite();
  } catch (err) {
    if (isPeerGoneError(err) || isClosedError(err)) return;
    throw err;
  }
  const timer = setTimeout(() => closeQuietly(conn), ms);
  try {
    const scratch = new Uint8Array(Math.min(left, 16 * 1024));
    while (left > 0) {
      const n = await conn.read(scratch);
      if (n === null) return; // the peer closed too: a clean FIN both ways
      left -= n;
    }
  } catch (err) {
    if (!isPeerGoneError(err) && !isClosedError(err)) throw err;
  } finally {
    clearTimeout(timer);
  }
}
