/**
 * # Exercise 04a · The tutorial's server loop: recvfrom and sendto (the reference solution)
 *
 * @module
 */

import { formatAddr, netAddr } from "../../../lib/addr.ts";
import { helloReply } from "../../../lib/hello.ts";
import type { Log } from "../../../lib/log.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Answers each datagram on `socket` until the socket is closed, then returns. */
export async function serveLikeTheTutorial(
  socket: Deno.DatagramConn,
  options: { quiet?: boolean; log?: Log } = {},
): Promise<void> {
  // Python: while True: data, addr = s.recvfrom(1024)
  // Each turn is one whole datagram (up to 65,507 bytes, not 1,024) and its
  // sender's address; the loop ends when the socket is closed.
  for await (const [data, addr] of socket) {
    const text = decoder.decode(data);
    options.log?.(`Received from ${formatAddr(netAddr(addr))}${options.quiet ? `: ${text}` : "."}`);
    if (options.quiet) continue;
    // Python: s.sendto(b'Hello, %s!' % data, addr): one datagram, to its sender.
    await socket.send(encoder.encode(helloReply(text)), addr);
  }
}
