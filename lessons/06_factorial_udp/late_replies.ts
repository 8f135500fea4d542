/**
 * # 06 · Late replies: "rarely" is not "never"
 *
 * A reply can come late: the client gave up on that try and asked again, or
 * the network sent it twice. Lesson 06's client asks each request from a
 * fresh socket, so a late reply to an earlier request mostly finds its port
 * closed, and the kernel drops it. Mostly. The kernel draws each fresh port
 * at random from `net.ipv4.ip_local_port_range` (32768-60999 here: 28,232
 * ports), and the draw can be the port the last request just released:
 * 60,000 bind/close cycles here drew it again twice. Then the late reply is
 * read as the answer to the new request, and 6! comes out as 120.
 *
 * Below, that draw is forced (`localPort`) to show what follows, and then the
 * cure: an id in every request that the reply echoes, so that a reply to
 * another request cannot match. DNS does exactly that (a 16-bit ID, RFC 1035
 * §4.1.1). Lesson 06's protocol has no id, to stay byte for byte the
 * tutorial's: there, a stale answer is rare, not impossible.
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/06_factorial_udp/late_replies.ts
 *
 * @module
 */

import { netAddr } from "../../lib/addr.ts";
import { TimeoutError } from "../../lib/errors.ts";
import { udpRequest, type UdpRequestOptions } from "../../lib/udp.ts";
import { factorial } from "./factorial.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Asks for 5! and gives up before the answer comes; then asks for 6! from a
 * fresh socket that lands on the port just released, while the server sends
 * the late 5! and then 6!. Resolves to what the second request took for its
 * answer: `120` without ids, `720` with them.
 *
 * @example
 * ```ts
 * import { lateReplyOnAReusedPort } from "./late_replies.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await lateReplyOnAReusedPort({ ids: false }), "120");
 * assert.equal(await lateReplyOnAReusedPort({ ids: true }), "720");
 * ```
 */
export async function lateReplyOnAReusedPort(options: { ids: boolean }): Promise<string> {
  const tag = (id: number, text: string) => options.ids ? `#${id} ${text}` : text;
  // A server we drive by hand, to answer late on purpose.
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const { port } = netAddr(server.addr);
  try {
    // Request 1: 5!, one try of 50 ms, no answer in time.
    await udpRequest(encoder.encode(tag(1, "5")), { port, timeoutMs: 50, tries: 1 })
      .catch((err) => {
        if (!(err instanceof TimeoutError)) throw err;
      });
    const [, first] = await server.receive();

    // Request 2: 6!, from a fresh socket the kernel put on request 1's port.
    const again = { port, localPort: netAddr(first).port, tries: 1 };
    const asking = options.ids
      ? askWithId(2, 6, again)
      : udpRequest(encoder.encode("6"), again).then((reply) => decoder.decode(reply));
    const [, second] = await server.receive();
    await server.send(encoder.encode(tag(1, factorial(5).toString())), first); // late
    await server.send(encoder.encode(tag(2, factorial(6).toString())), second);
    return await asking;
  } finally {
    server.close();
  }
}

/**
 * Asks for n! under request id `id`: sends `#<id> <n>` and takes only a
 * reply that begins `#<id> ` (with the space: `#21 ` is not `#2 `),
 * resolving to the digits after it. A reply to any other request (late,
 * duplicated, or meant for an earlier socket on this port) cannot match, so
 * the client waits on for its own. It needs a server that echoes the id;
 * lesson 06's, byte for byte the tutorial's, does not.
 *
 * @example A server that echoes the id
 * ```ts
 * import { askWithId } from "./late_replies.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
 * const answering = (async () => {
 *   const [, from] = await server.receive(); // "#7 5"
 *   await server.send(new TextEncoder().encode("#7 120"), from);
 * })();
 * const port = (server.addr as Deno.NetAddr).port;
 * assert.equal(await askWithId(7, 5, { port }), "120");
 * await answering;
 * server.close();
 * ```
 */
export async function askWithId(
  id: number,
  n: number,
  options: Omit<UdpRequestOptions, "accepts">,
): Promise<string> {
  const tag = `#${id} `;
  // DNS does the same with its 16-bit ID (RFC 1035 §4.1.1).
  const reply = await udpRequest(encoder.encode(`${tag}${n}`), {
    ...options,
    accepts: (data) => decoder.decode(data).startsWith(tag),
  });
  return decoder.decode(reply).slice(tag.length);
}

if (import.meta.main) {
  console.log(`without ids, 6! = ${await lateReplyOnAReusedPort({ ids: false })}  (the late 5!)`);
  console.log(`with ids, the answer to #2 is ${await lateReplyOnAReusedPort({ ids: true })}`);
}
