/**
 * Closing a server's side of a connection without losing the answer.
 *
 * A socket closed while bytes the peer sent are still unread in it does not
 * end politely: the kernel resets the connection (RST), as RFC 1122
 * §4.2.2.13 says it should, to show that data was lost. What the reset
 * destroys, measured on Linux by `lessons/02_hello_http/closing.ts` (and
 * pinned by `tests/02_hello_http_closing.test.ts`):
 *
 * - our own unsent bytes. Whatever of the answer still waits in our send
 *   buffer (the peer's receive window was full: it was busy sending, not
 *   reading) is thrown away and never sent, and what was sent but not yet
 *   acknowledged is never retransmitted (RFC 9293 §3.10.5). Of an 8 MiB
 *   answer to a client that had not started reading, it got what its
 *   kernel already held (128,000 bytes here), then `ConnectionReset`.
 * - the peer's writes. From the reset on they fail (`BrokenPipe`,
 *   `ConnectionReset`): a client still sending its request stops there, and
 *   one that reads only after sending (Python's `sendall()`, then `recv()`)
 *   never gets to the answer.
 *
 * What the reset does not destroy on Linux: what the peer's kernel had
 * already received. The peer reads all of it before it sees the reset.
 * (RFC 9293 §3.10.7.4 has a reset flush "all segment queues", and RFC 9112
 * §9.6 warns that it may erase a response before the client has read it;
 * Linux keeps what had arrived.)
 * Deno's `close()` even sends a FIN first (it shuts down the sending side,
 * then closes), so a small answer already sent reads as answer, end of
 * stream, and only then the reset, on the peer's next write.
 *
 * The cure (the staged close of RFC 9112 §9.6; nginx's `lingering_close`):
 * shut down only our sending side, which sends FIN after the answer, then
 * read and throw away whatever still arrives until the peer closes too, for
 * a short while. Nothing is left unread when we close, so there is no reset;
 * a peer that sends more than the drain takes (`maxBytes`, `ms`) is reset
 * then, after its answer and our FIN.
 *
 * @module
 */

import { isClosedError, isPeerGoneError } from "./errors.ts";
import { closeQuietly } from "./serve.ts";

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
