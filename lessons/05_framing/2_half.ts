/**
 * # 05 · Step 2 · Half packets (半包): one write, many reads
 *
 * The other half of the same fact: one large write comes back as many
 * reads. The client sends one 100 KiB message with one `sendall()`; the
 * server reads the tutorials' way, `recv(1024)`, until the client closes,
 * and needs at least 100 reads.
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/05_framing/2_half.ts
 *
 * @module
 */

import { READ_SIZE, recordTransfer, type Transfer, type TransferOptions } from "./1_sticky.ts";

/** The size of the one message: 100 KiB. */
export const HALF_MESSAGE_BYTES = 100 * 1024;

/**
 * One write of `message` (default 100 KiB of `x`), read `recv(1024)` at a
 * time: step 1's experiment with a single write.
 *
 * @example
 * ```ts
 * import { halfTransfer } from "./2_half.ts";
 * import assert from "node:assert/strict";
 *
 * const { writes, reads } = await halfTransfer();
 * assert.equal(writes.length, 1);
 * assert.ok(reads.length >= 100);
 * ```
 */
export function halfTransfer(
  message: Uint8Array = new Uint8Array(HALF_MESSAGE_BYTES).fill(0x78),
  options: TransferOptions = {},
): Promise<Transfer> {
  return recordTransfer([message], options);
}

// ── Why ─────────────────────────────────────────────────────────────────────
//
// Each read returns at most the READ_SIZE bytes it asked for, and only what
// has arrived when it is made. The 102,400 bytes need at least 100 reads of
// 1024; how many more depends on when each read is made against when the
// bytes arrive. On the wire the message was cut too, by the sender: into
// segments no larger than the MSS (tens of KiB on loopback, about 1,460
// bytes on Ethernet), sent as fast as the receiver's window and the
// congestion window allow. `deno task 05 --capture` (Linux, as root, with
// tcpdump) shows both cuts; on this loopback:
//
//   client #3  write 102400 of 102400  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"…
//   wire   #3  client → server  ACK  32741 bytes  seq 1:32742  ack 1
//   wire   #3  client → server  PSH ACK  32741 bytes  seq 32742:65483  ack 1
//   wire   #3  client → server  PSH ACK  36918 bytes  seq 65483:102401  ack 1
//   server #3  read 1024  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"…
//   server #3  read 1024  … (100 reads in all)
//
// One write, three segments, a hundred reads. Neither cut is the message's:
// a read boundary can fall anywhere.
export { READ_SIZE };

// ── What 呆贝斯's notes say, tried ───────────────────────────────────────────
//
// «Socket网络编程学习笔记» says 半包 happens when packets are lost or delayed
// in transit (网络传输过程中出现丢包或者传输延迟), and offers fixes:
// 1. a resend mechanism: ask the sender to send the missing packet again;
// 2. a checksum at the end of each packet, to tell a whole one from a half;
// 3. the length at the head of each packet;
// 4. a sliding-window protocol.
// TCP already does 1, 2 and 4, below the socket: it retransmits what was not
// acknowledged (RFC 9293 §3.8.1), checks a checksum over header and data and
// drops a damaged segment, which is then sent again (§3.1), and runs a
// sliding window (§3.8.6). What reaches `recv()` is every byte, in order, or
// an error. On loopback nothing is lost or damaged, and the one message
// still arrives in 100 reads: nothing went wrong. A checksum cannot tell a
// half message from a whole one either, unless the receiver knows where the
// message ends, and then it already has framing. Only fix 3 works: step 3.

// Run on its own, this step prints its part of the demo (`deno task 05` runs them all).
if (import.meta.main) import("./demo.ts").then((demo) => demo.halfPart(console.log));
