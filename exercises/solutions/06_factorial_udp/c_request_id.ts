/**
 * # Exercise 06c · A request id: a late reply cannot be taken for the answer (the reference solution)
 *
 * @module
 */

import { udpRequest, type UdpRequestOptions } from "../../../lib/udp.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Asks for n! under request id `id`; resolves to the digits of n!. */
export async function askWithId(
  id: number,
  n: number,
  options: Omit<UdpRequestOptions, "accepts">,
): Promise<string> {
  // The space ends the id: `#21 ` does not begin with `#2 `.
  const tag = `#${id} `;
  const reply = await udpRequest(encoder.encode(`${tag}${n}`), {
    ...options,
    // Any other datagram, even from the server, answers another request.
    accepts: (data) => decoder.decode(data).startsWith(tag),
  });
  return decoder.decode(reply).slice(tag.length);
}
