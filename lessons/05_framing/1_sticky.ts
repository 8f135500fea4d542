/**
 * # 05 · Step 1 · Sticky packets (粘包): several writes, one read
 *
 * The blog post «Socket概念…黏包现象» shows it: the client calls `send()`
 * three times, and the server's first `recv()` returns all three messages
 * at once. This step records what was written against what was read, and
 * takes apart what the tutorials say about it.
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/05_framing/1_sticky.ts
 *
 * @module
 */

import { traced } from "../../lib/trace.ts";
import { type ResliceProxyOptions, startResliceProxy } from "./reslice_proxy.ts";

/** What the blog post's client sends, one `send()` each. */
export const STICKY_MESSAGES: readonly string[] = ["hello", "sticky", "packets"];

/** How many bytes each read asks for: the tutorials' `recv(1024)`. */
export const READ_SIZE = 1024;

// ── 1. The experiment: what was written against what was read ───────────────

/** One experiment's record: the sender's writes and the receiver's reads. */
export interface Transfer {
  /** The bytes of each write, in order. */
  writes: Uint8Array[];
  /** The bytes each read returned, in order. */
  reads: Uint8Array[];
  /** Where the sender connected from, and to: how `--capture` finds its packets. */
  addrs: { client: Deno.NetAddr; server: Deno.NetAddr };
}

/** Options for {@linkcode recordTransfer}. */
export interface TransferOptions {
  /** How many bytes each read asks for. Default 1024, the tutorials' `recv(1024)`. */
  readSize?: number;
  /** Go through a proxy that re-cuts the stream (the target is filled in). */
  proxy?: Omit<ResliceProxyOptions, "target">;
  /** Called after each read, with its bytes and its index. */
  onRead?: (chunk: Uint8Array, index: number) => void;
}

/**
 * Opens a loopback connection, writes each of `writes` with its own call,
 * and records every read the other end makes until the sender closes.
 *
 * The receiver starts reading only once the last write has returned (the
 * blog post gets the same from luck): everything sent is then waiting in its
 * receive buffer, and what a read returns is decided by the kernel, not by
 * timing. If the buffers fill first, a write returns short, and reading
 * starts then.
 *
 * @example Three writes, one read
 * ```ts
 * import { recordTransfer } from "./1_sticky.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const { reads } = await recordTransfer([bytes("hello"), bytes("sticky"), bytes("packets")]);
 * assert.deepEqual(reads, [bytes("hellostickypackets")]);
 * ```
 */
export async function recordTransfer(
  writes: readonly Uint8Array[],
  options: TransferOptions = {},
): Promise<Transfer> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using proxy = options.proxy
    ? startResliceProxy({ ...options.proxy, target: listener.addr })
    : undefined;
  // Python: s.connect(('127.0.0.1', port)); conn, addr = server.accept()
  using sender = traced(
    await Deno.connect({ hostname: "127.0.0.1", port: proxy?.addr.port ?? listener.addr.port }),
    "client",
  );
  using receiver = traced(await listener.accept(), "server");
  // Python: s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
  // Nagle's algorithm, on by default in Deno as in Python, would hold small
  // writes back and send them together. Off: each write leaves at once as
  // its own segment, and any merging we see happens at the receiver.
  sender.setNoDelay(true);

  const wrote = Promise.withResolvers<void>();
  const sending = (async () => {
    for (const bytes of writes) {
      // Python: s.sendall(bytes): write until the kernel has taken all of it.
      for (let sent = 0; sent < bytes.length;) {
        const n = await sender.write(bytes.subarray(sent)); // Python: n = s.send(bytes[sent:])
        if (n < bytes.length - sent) wrote.resolve(); // the buffers are full: start reading
        sent += n;
      }
    }
    wrote.resolve();
    await sender.closeWrite(); // Python: s.shutdown(socket.SHUT_WR): "that was all"
  })();
  sending.catch(wrote.reject);

  try {
    await wrote.promise;
    const reads: Uint8Array[] = [];
    const buffer = new Uint8Array(options.readSize ?? READ_SIZE);
    while (true) {
      // Python: data = conn.recv(1024); if not data: break
      const n = await receiver.read(buffer);
      if (n === null) break;
      const chunk = buffer.slice(0, n);
      options.onRead?.(chunk, reads.length);
      reads.push(chunk);
    }
    await sending;
    const addrs = { client: sender.localAddr, server: sender.remoteAddr };
    return { writes: [...writes], reads, addrs };
  } finally {
    await sending.catch(() => {}); // reported above, if it failed
  }
}

// ── 2. Why: TCP numbers bytes, not packets ──────────────────────────────────
//
// Ting-light's «TCP/IP协议…» and «25.Python 网络编程» say TCP numbers each IP
// packet (对每个IP包编号). It numbers bytes: "every octet of data sent over a
// TCP connection has a sequence number" (RFC 9293 §3.4). See it: on Linux,
// as root with tcpdump, `deno task 05 --capture` prints the real segments
// among the calls (elsewhere it says why not and traces the calls only):
//
//   client #1  write 5 of 5  "hello"
//   wire   #1  client → server  PSH ACK  5 bytes  seq 1:6  ack 1
//   wire   #1  server → client  ACK  ack 6
//   client #1  write 6 of 6  "sticky"
//   wire   #1  client → server  PSH ACK  6 bytes  seq 6:12  ack 1
//   wire   #1  server → client  ACK  ack 12
//   client #1  write 7 of 7  "packets"
//   wire   #1  client → server  PSH ACK  7 bytes  seq 12:19  ack 1
//   wire   #1  server → client  ACK  ack 19
//   server #1  read 18  "hellostickypackets"
//
// Three segments, their numbers 1, 6 and 12 counting bytes from the
// connection's first; the ACKs ask for byte 6, 12, then 19 next, never for
// "packet 2, 3, 4". The receiver puts each byte at its number in one buffer,
// and a read takes bytes from the front of it, up to the size asked for.
// Where one segment ended is not kept: there are no boundaries left to lose.
//
// The blog post says TCP merges small sends made close together into one
// packet (TCP会针对数据量较小且发送间隔较短的多条数据一次性合并打包发送).
// The sender can: that is Nagle's algorithm (RFC 9293 §3.7.4), on by default.
// But above it is off, the writes left one by one, and they merged anyway, in
// the receiver's buffer.

// ── 3. What 呆贝斯's notes say, tried ────────────────────────────────────────
//
// «Socket网络编程学习笔记» defines 粘包 as what happens "when the packets sent
// are too large" (当发送的数据包过大时), and among its fixes offers "limit the
// size of each send" (限制发送数据的大小) and "a timestamp at the head of each
// packet, by which the receiver parses the packets" (时间戳). Section 1 already
// answers the definition: 5, 6 and 7 bytes merged. The two fixes, tried
// together: three messages of 600 bytes, each smaller than the 1024-byte read,
// each starting with a timestamp.

/**
 * 呆贝斯's fixes 3 and 4 together: `count` messages of `bytes` bytes, each
 * beginning with a timestamp (`clock()` plus its index, in ms).
 */
export function stampedMessages(count = 3, bytes = 600, clock: () => number = Date.now): string[] {
  return Array.from({ length: count }, (_, i) => {
    const stamp = `[${new Date(clock() + i).toISOString()}] `; // 27 bytes
    return stamp + "x".repeat(bytes - stamp.length);
  });
}

// The reads come back as 1024 and 776 bytes: the first holds message 1 and
// the first 424 bytes of message 2. Every message was under the read size,
// and one was still cut. The timestamp at byte 600 says where message 2
// starts; nothing in the first read says that 176 of its bytes are still to
// come, and a reader that takes "from this timestamp to the end of the read"
// as a message gets a wrong one. A timestamp tells when, not how long.
//
// The notes' other two fixes are the real ones: a length field at the head
// of each message (step 3) and a delimiter between them (step 4).

// Run on its own, this step prints its part of the demo (`deno task 05` runs them all).
if (import.meta.main) import("./demo.ts").then((demo) => demo.stickyPart(console.log));
