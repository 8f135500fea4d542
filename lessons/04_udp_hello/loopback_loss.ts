/**
 * # 04 · Loss on loopback: a full receive buffer
 *
 * "On loopback nothing is lost" is not true of UDP. UDP has no flow control:
 * `send()` never waits for the receiver. The kernel queues each arriving
 * datagram in the receiving socket's buffer (SO_RCVBUF: `net.core.
 * rmem_default`, 212,992 bytes unless changed) until the program calls
 * `receive()`; a datagram that arrives when the buffer is full is dropped.
 * The sender is not told, the receiver is not told; only the kernel counts
 * it (`grep Udp: /proc/net/snmp`, the column RcvbufErrors).
 *
 * Each datagram costs the buffer more than its payload: the kernel's
 * bookkeeping for it (the skb's "truesize") is several hundred bytes. So
 * 10,000 datagrams of 100 bytes, sent to a socket that is not reading yet,
 * leave 256 in the queue on this machine (Linux 6.18) and 9,744 dropped, all
 * 9,744 counted as RcvbufErrors. A server that falls behind a burst loses
 * datagrams the same way: hence a client's timeout and retry (lesson 04,
 * part 3), even on one machine.
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/04_udp_hello/loopback_loss.ts
 *
 * @module
 */

import { raceTimeout } from "../../lib/udp.ts";

/** What a burst did: how many datagrams were sent, how many the receiver got. */
export interface BurstResult {
  /** Datagrams sent, every send() successful. */
  sent: number;
  /** Datagrams the receiving socket still had to give. */
  kept: number;
}

/**
 * Sends `count` datagrams of `size` bytes to a socket that reads none of them
 * until the last is sent, then reads what the kernel kept.
 *
 * @example
 * ```ts
 * import { burstIntoIdleSocket } from "./loopback_loss.ts";
 * import assert from "node:assert/strict";
 *
 * const { sent, kept } = await burstIntoIdleSocket(10_000, 100);
 * assert.equal(sent, 10_000);
 * assert.ok(kept > 0 && kept < sent);
 * ```
 */
export async function burstIntoIdleSocket(count = 10_000, size = 100): Promise<BurstResult> {
  // Python: r = socket(AF_INET, SOCK_DGRAM); r.bind(('127.0.0.1', 0)); the same for s
  const receiver = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const payload = new Uint8Array(size);
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  try {
    // Python: for i in range(count): s.sendto(payload, r.getsockname())
    for (let i = 0; i < count; i++) await sender.send(payload, receiver.addr);
    // On loopback the kernel queues or drops each datagram straight away, in
    // its send path: the queue is complete now. Read until it is empty, that
    // is until a receive() finds nothing for a while.
    let kept = 0;
    while (await raceTimeout(pending = receiver.receive(), kept === 0 ? 2_000 : 200)) {
      kept++;
    }
    return { sent: count, kept };
  } finally {
    pending?.catch(() => {}); // the last receive() waits for ever: closing ends it
    receiver.close();
    sender.close();
  }
}

if (import.meta.main) {
  const { sent, kept } = await burstIntoIdleSocket();
  console.log(`sent ${sent} datagrams of 100 bytes to a socket that was not reading:`);
  console.log(`it kept ${kept}; the kernel dropped ${sent - kept}, and told nobody.`);
}
