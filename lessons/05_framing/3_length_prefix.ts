/**
 * # 05 · Step 3 · Fix A: a length prefix, `struct.pack('!I', n)`
 *
 * The fix both tutorials point at first. The blog post: the key is to know
 * how big the coming data is, by making something of fixed length out of
 * data of any length (如何将长度变化的数据全部制作成固定长度的数据);
 * 呆贝斯's notes: a length field at the head of each packet. The fixed-length
 * thing is a header holding the length, and in Python that header is
 * `struct.pack('!I', n)`: `!` is network byte order (big-endian), `I` an
 * unsigned 32-bit integer, so 4 bytes; `n` = 5 is `00 00 00 05`.
 *
 * The receiver reads exactly 4 bytes, learns `n`, reads exactly `n` more:
 * one message, however the stream was cut into reads. Two things the
 * tutorials leave out are here too: check `n` against a limit before
 * allocating (4 bytes can announce 4 GiB), and send header and payload in one
 * write (section 4 measures why).
 *
 * Run it:  deno run --allow-net=127.0.0.1 lessons/05_framing/3_length_prefix.ts
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "../../lib/errors.ts";
import { type Reader, writeAll, type Writer } from "../../lib/io.ts";
import { traced } from "../../lib/trace.ts";

/** Bytes in a frame header: a 32-bit unsigned length. */
export const HEADER_BYTES = 4;

/** The largest length a 4-byte header can hold: 4 GiB - 1. */
export const MAX_HEADER_LENGTH = 0xffff_ffff;

/** The largest payload a receiver accepts unless told: 1 MiB (`--max-frame`). */
export const DEFAULT_MAX_FRAME = 1024 * 1024;

/** Options for sending and receiving frames. */
export interface FrameOptions {
  /**
   * The largest payload, in bytes. Default 1 MiB. A receiver refuses a larger
   * header before allocating; a sender refuses a larger payload before sending.
   */
  maxFrame?: number;
}

// ── 1. The header ───────────────────────────────────────────────────────────

/**
 * The 4 header bytes for a payload of `length` bytes: Python's
 * `struct.pack('!I', length)`.
 *
 * @example
 * ```ts
 * import { frameHeader } from "./3_length_prefix.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...frameHeader(5)], [0, 0, 0, 5]);
 * assert.deepEqual([...frameHeader(102_400)], [0x00, 0x01, 0x90, 0x00]);
 * ```
 */
export function frameHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_HEADER_LENGTH) {
    throw new RangeError(`a frame length must be from 0 to ${MAX_HEADER_LENGTH}, got ${length}`);
  }
  const header = new Uint8Array(HEADER_BYTES);
  new DataView(header.buffer).setUint32(0, length); // big-endian unless told otherwise: the '!'
  return header;
}

/** Python's `struct.unpack('!I', header)[0]`: the length in the 4 bytes at `offset`. */
export function parseFrameHeader(bytes: Uint8Array, offset = 0): number {
  // Shifts, not DataView: `bytes` may be a view into a larger buffer.
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

/**
 * One frame, header and payload in one buffer, so that it leaves in one
 * write (section 4 measures what two writes cost). Throws {@linkcode LimitError}
 * if the payload is over `maxFrame`: better here than a dropped connection.
 */
export function encodeFrame(payload: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const max = maxFrameOf(options);
  if (payload.length > max) {
    throw new LimitError(
      `a ${payload.length}-byte message is over the ${max}-byte frame limit`,
      "send less, or raise --max-frame on both sides",
    );
  }
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  frame.set(frameHeader(payload.length), 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

// ── 2. Sending a frame ──────────────────────────────────────────────────────

/** Python: `sock.sendall(struct.pack('!I', len(data)) + data)`. */
export async function sendFrame(
  conn: Writer,
  payload: Uint8Array,
  options: FrameOptions = {},
): Promise<void> {
  await writeAll(conn, encodeFrame(payload, options)); // one buffer, written in full
}

// ── 3. Receiving a frame ────────────────────────────────────────────────────

/**
 * Python's `recv_exactly(sock, n)`: reads until `n` bytes have come, however
 * many reads that takes. `null` if the stream ended before the first byte;
 * throws {@linkcode UnexpectedEofError} if it ended part-way.
 */
export async function readExactly(conn: Reader, n: number): Promise<Uint8Array | null> {
  const bytes = new Uint8Array(n);
  let filled = 0;
  while (filled < n) {
    // Python: chunk = sock.recv(n - len(data)); if not chunk: ...
    const got = await conn.read(bytes.subarray(filled));
    if (got === null) break;
    filled += got;
  }
  if (filled === n) return bytes;
  if (filled === 0) return null;
  throw new UnexpectedEofError(
    `the stream ended after ${filled} of ${n} bytes`,
    "the peer closed the connection in the middle of a message",
  );
}

/**
 * Receives one frame: its payload, or `null` when the peer closed between
 * frames. A header over `maxFrame` throws {@linkcode LimitError} before a
 * byte of payload is read or allocated.
 *
 * @example Any cut of the stream gives back the same frame
 * ```ts
 * import { encodeFrame, receiveFrame } from "./3_length_prefix.ts";
 * import assert from "node:assert/strict";
 *
 * // A connection that delivers 3 bytes per read, as a slow network might.
 * let wire = encodeFrame(new TextEncoder().encode("hello"));
 * const conn = {
 *   read(p: Uint8Array) {
 *     if (wire.length === 0) return Promise.resolve(null);
 *     const n = Math.min(3, p.length, wire.length);
 *     p.set(wire.subarray(0, n));
 *     wire = wire.subarray(n);
 *     return Promise.resolve(n);
 *   },
 * };
 * assert.equal(new TextDecoder().decode((await receiveFrame(conn))!), "hello");
 * assert.equal(await receiveFrame(conn), null);
 * ```
 */
export async function receiveFrame(
  conn: Reader,
  options: FrameOptions = {},
): Promise<Uint8Array | null> {
  const max = maxFrameOf(options);
  // Python: header = recv_exactly(sock, 4); (n,) = struct.unpack('!I', header)
  const header = await readExactly(conn, HEADER_BYTES);
  if (header === null) return null;
  const length = parseFrameHeader(header);
  if (length > max) throw headerOverLimit(length, max); // before allocating: that's the point
  // Python: data = recv_exactly(sock, n)
  const payload = await readExactly(conn, length);
  if (payload === null) {
    throw new UnexpectedEofError(
      `the stream ended after a frame header announcing ${length} bytes`,
      "the peer closed the connection in the middle of a message",
    );
  }
  return payload;
}

/** The limit, checked: a whole number from 0 to 4 GiB - 1. */
export function maxFrameOf(options: FrameOptions): number {
  const max = options.maxFrame ?? DEFAULT_MAX_FRAME;
  if (!Number.isInteger(max) || max < 0 || max > MAX_HEADER_LENGTH) {
    throw new RangeError(`maxFrame must be a whole number from 0 to ${MAX_HEADER_LENGTH}`);
  }
  return max;
}

/** What a receiver throws for a header over its limit. */
export function headerOverLimit(length: number, max: number): LimitError {
  return new LimitError(
    `a frame header announced ${length} bytes, over the ${max}-byte limit`,
    "the peer sent a frame larger than --max-frame allows",
  );
}

// ── 4. Why one write: Nagle's algorithm meets the delayed ACK ───────────────
//
// Sending the header and then the payload, two writes, looks harmless. In
// request and reply it costs about 40 ms a request on Linux (measured here:
// 42 to 47 ms a round trip, against 0.1 ms with one write). Two waits meet:
// - Nagle's algorithm (RFC 9293 §3.7.4; on unless TCP_NODELAY is set, tcp(7))
//   sends a small segment only when nothing sent before is still waiting for
//   its ACK. The header leaves at once; the payload waits for its ACK.
// - The receiver delays its ACKs (RFC 9293 §3.8.6.3: by less than 0.5 s),
//   hoping to send them with a reply; Linux waits at least 40 ms (its
//   TCP_DELACK_MIN). With only a header, the server has no reply to send.
// So each side waits for the other until the timer fires. (The first round
// trip is quick: Linux ACKs at once at the start of a connection.)
// The fixes: one write per frame (encodeFrame above), or setNoDelay(true),
// which turns Nagle off; then every write leaves at once as its own segment.

/** How {@linkcode timeRoundTrips} sends each frame. */
export type SendStyle = "header, then payload" | "one write";

/**
 * Sends `rounds` 5-byte frames to an echo server, waiting for each echo
 * before sending the next (request, reply), and returns how long each round
 * trip took, in milliseconds.
 */
export async function timeRoundTrips(
  style: SendStyle,
  options: { noDelay?: boolean; rounds?: number } = {},
): Promise<number[]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = traced(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    "client",
  );
  using server = traced(await listener.accept(), "server");
  const echoing = echoFrames(server);
  // Python: s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
  if (options.noDelay) client.setNoDelay(true);
  const payload = new TextEncoder().encode("hello");
  const times: number[] = [];
  for (let round = 0; round < (options.rounds ?? 10); round++) {
    const started = performance.now();
    if (style === "one write") {
      // Python: s.sendall(struct.pack('!I', len(data)) + data)
      await writeAll(client, encodeFrame(payload));
    } else {
      // Python: s.send(struct.pack('!I', len(data))); s.send(data)
      // (4 and 5 bytes: the kernel takes each whole)
      await client.write(frameHeader(payload.length));
      await client.write(payload);
    }
    await receiveFrame(client); // the echo
    times.push(performance.now() - started);
  }
  await client.closeWrite();
  await echoing;
  return times;
}

/** The other end of {@linkcode timeRoundTrips}: every frame back, until end of stream. */
async function echoFrames(conn: Deno.Conn): Promise<void> {
  for (let frame; (frame = await receiveFrame(conn)) !== null;) await sendFrame(conn, frame);
}

// Run on its own, this step prints its part of the demo (`deno task 05` runs them all).
if (import.meta.main) import("./demo.ts").then((demo) => demo.lengthPrefixPart(console.log));
