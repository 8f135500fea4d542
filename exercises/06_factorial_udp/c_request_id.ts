/**
 * # Exercise 06c · A request id: a late reply cannot be taken for the answer
 *
 * Lesson 06, part 3 (`lessons/06_factorial_udp/late_replies.ts`). A reply
 * can come late: a duplicate, or the answer to a try the client gave up on.
 * A fresh socket per request makes that rarely a problem, not never: the
 * kernel may give the next socket the port just released. An id in each
 * request that the server echoes in its reply rules it out, as DNS does:
 * the request is `#<id> <n>`, the reply `#<id> <digits of n!>`.
 *
 * Check it:  deno task verify 06c        Stuck?  deno task hint 06c
 *
 * @module
 */

import { udpRequest, type UdpRequestOptions } from "../../lib/udp.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Asks for n! under request id `id`; resolves to the digits of n!. */
export async function askWithId(
  id: number,
  n: number,
  options: Omit<UdpRequestOptions, "accepts">,
): Promise<string> {
  // TODO(06c): send `#<id> <n>`, and take as the answer only a reply that
  // begins with this request's id and a space; resolve to what follows it.
  // When it works, a stale `#1 120` or `#21 5040` that arrives first is
  // passed over, and askWithId(2, 6, ...) resolves to "720".
  const reply = await udpRequest(encoder.encode(String(n)), options);
  return decoder.decode(reply);
}
