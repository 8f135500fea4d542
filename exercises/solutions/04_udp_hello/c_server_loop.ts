/**
 * # Exercise 04c · A server loop no datagram can stop (the reference solution)
 *
 * @module
 */

import { formatAddr, netAddr } from "../../../lib/addr.ts";
import { isClosedError } from "../../../lib/errors.ts";
import { silent } from "../../../lib/log.ts";
import { MAX_UDP_PAYLOAD_IPV6, raceTimeout } from "../../../lib/udp.ts";
import type { DatagramHandler, ServeUdpOptions, UdpServer } from "../../../lib/udp_server.ts";

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
    while (!closing) {
      let data: Uint8Array, from: Deno.Addr;
      try {
        // A buffer of its own: without one, receive() cuts at 65,507 bytes.
        [data, from] = await socket.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));
      } catch (err) {
        if (closing || isClosedError(err)) return; // close() was called
        log(`receive failed: ${err instanceof Error ? err.message : err}`);
        continue;
      }
      if (closing) return;
      const sender = netAddr(from);
      current = handler(data, sender).catch((err) => {
        log(
          `Datagram from ${formatAddr(sender)} dropped: ${
            err instanceof Error ? err.message : err
          }`,
        );
      });
      await current; // one at a time: the next receive() waits for this reply
    }
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
