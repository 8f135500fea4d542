/**
 * # Exercise 04a · The tutorial's server loop: recvfrom and sendto
 *
 * Lesson 04, part 1 (`lessons/04_udp_hello.ts`). A UDP server has no
 * `listen()` and no `accept()`: one socket, bound by `Deno.listenDatagram`
 * (here `bindLikeTheTutorial()`, already called), receives the datagrams of
 * every client, each with the address it came from, and answers each with
 * one datagram sent back to that address. This is the tutorial's
 * `while True:` loop.
 *
 * Check it:  deno task verify 04a        Stuck?  deno task hint 04a
 *
 * @module
 */

import { helloReply } from "../../lib/hello.ts";
import type { Log } from "../../lib/log.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Answers each datagram on `socket` until the socket is closed, then
 * returns. (`options` holds the lesson's extras, the receive-only `quiet`
 * mode and a `log`: this exercise may leave them alone.)
 */
export async function serveLikeTheTutorial(
  socket: Deno.DatagramConn,
  options: { quiet?: boolean; log?: Log } = {},
): Promise<void> {
  // TODO(04a): receive datagrams on `socket`, each with its sender's address,
  // until the socket is closed; answer each with one datagram holding
  // helloReply(text) in UTF-8, sent back to the address it came from. When it
  // works, two clients each get their own `Hello, <name>!`, a 2,000-byte
  // datagram is answered whole, and the function returns once the socket is
  // closed.
}
