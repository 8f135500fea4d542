/**
 * # Exercise 04c · A server loop no datagram can stop
 *
 * Lesson 04, part 3, and `lib/udp_server.ts`. The tutorial's loop dies of
 * the first error a datagram causes (a reply too big to send: EMSGSIZE), and
 * `receive()` with no buffer cuts an IPv6 datagram at 65,507 bytes.
 * `serveUdp` is the loop lessons 04 and 06 serve with: an error costs that
 * datagram only, every datagram arrives whole, and `close(graceMs)` lets the
 * reply being sent go out. Everything but the loop itself is written.
 *
 * Check it:  deno task verify 04c        Stuck?  deno task hint 04c
 *
 * @module
 */

import { formatAddr, netAddr } from "../../lib/addr.ts";
import { isClosedError } from "../../lib/errors.ts";
import { silent } from "../../lib/log.ts";
import { MAX_UDP_PAYLOAD_IPV6, raceTimeout } from "../../lib/udp.ts";
import type { DatagramHandler, ServeUdpOptions, UdpServer } from "../../lib/udp_server.ts";

/** Receives datagrams on `socket` until `close()`, calling `handler` for each, one at a time. */
export function serveUdp(
  socket: Deno.DatagramConn,
  handler: DatagramHandler,
  options: ServeUdpOptions = {},
): UdpServer {
  const log = options.log ?? silent;
  let closing = false; // set by close()
  let current: Promise<void> = Promise.resolve(); // the datagram being handled

  async function receiveLoop(): Promise<void> {
    // TODO(04c): until `closing`, receive one whole datagram (even a
    // 65,527-byte IPv6 one) and its sender; call handler(data, sender) and
    // wait for it, keeping its promise in `current`. If the handler fails,
    // log one line saying why and go on to the next datagram. Return when
    // receive() fails because the socket was closed, without logging it.
    // When it works, a datagram whose handler throws costs only itself, and
    // close() ends the loop quietly.
  }

  const finished = receiveLoop();
  let stopping: Promise<void> | undefined;
  const close = (graceMs = 0): Promise<void> =>
    stopping ??= (async () => {
      closing = true;
      if (graceMs > 0) await raceTimeout(current, graceMs);
      socket.close(); // the pending receive() fails: the loop must see it and end
      await finished;
    })();
  return { addr: netAddr(socket.addr), close, finished, [Symbol.asyncDispose]: () => close() };
}
