/**
 * Length-prefix framing: each message travels as a 4-byte unsigned
 * big-endian length followed by that many bytes (Python:
 * `struct.pack('!I', len(data)) + data`).
 *
 * TCP delivers a stream of bytes with no message boundaries: one read may
 * return half a message, or one and a half. A length prefix puts the
 * boundaries back. The receiver reads 4 bytes, learns `n`, and collects `n`
 * more bytes, however the stream was cut into reads.
 *
 * Three ways to use it, same wire format:
 *
 * - {@linkcode FrameDecoder}: push the bytes of each read, get back the frames
 *   they complete (plain functions, no I/O).
 * - {@linkcode FrameDecoderStream} / {@linkcode FrameEncoderStream}: the same as
 *   Web Streams, for `readable.pipeThrough(...)`.
 * - {@linkcode readFrame} / {@linkcode writeFrame}: pull one frame from a
 *   {@linkcode ByteReader}, the way a Python `recv_exactly(4)` loop does.
 *
 * The header is checked against a limit before anything is allocated, so a
 * peer cannot make us reserve 4 GiB by sending 4 bytes.
 *
 * @example A frame split across three reads is reassembled
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./length_prefix.ts";
 * import assert from "node:assert/strict";
 *
 * const wire = encodeFrame(new TextEncoder().encode("hello"));
 * assert.deepEqual([...wire], [0, 0, 0, 5, 104, 101, 108, 108, 111]);
 *
 * const decoder = new FrameDecoder();
 * assert.deepEqual(decoder.push(wire.subarray(0, 2)), []); // half a header
 * assert.deepEqual(decoder.push(wire.subarray(2, 6)), []); // header + "h"
 * const [frame] = decoder.push(wire.subarray(6)); // "ello"
 * assert.equal(new TextDecoder().decode(frame), "hello");
 * decoder.finish(); // nothing left over: a clean end of stream
 * ```
 *
 * @module
 */

import { type ByteReader, writeAll, type Writer } from "./io.ts";
import { LimitError, UnexpectedEofError } from "./errors.ts";

/** Bytes in a frame header: a 32-bit unsigned length. */
export const HEADER_BYTES = 4;

/** The largest length a 4-byte header can hold: 4 GiB - 1. */
export const MAX_HEADER_LENGTH = 0xffff_ffff;

/** The default largest payload a decoder accepts: 1 MiB (flag `--max-frame`). */
export const DEFAULT_MAX_FRAME = 1024 * 1024;

/** Options for the length-prefix codec. */
export interface FrameOptions {
  /**
   * The largest payload accepted, in bytes. Default {@linkcode DEFAULT_MAX_FRAME}
   * (1 MiB). A decoder refuses a larger header before allocating; an encoder
   * refuses a larger payload before sending it.
   */
  maxFrame?: number;
}

function maxFrameOf(options: FrameOptions): number {
  const max = options.maxFrame ?? DEFAULT_MAX_FRAME;
  if (!Number.isInteger(max) || max < 0 || max > MAX_HEADER_LENGTH) {
    throw new RangeError(`maxFrame must be a whole number from 0 to ${MAX_HEADER_LENGTH}`);
  }
  return max;
}

/**
 * The 4 header bytes for a payload of `length` bytes: Python's
 * `struct.pack('!I', length)` (`!` network order = big-endian, `I` = unsigned
 * 32 bits).
 *
 * @example
 * ```ts
 * import { frameHeader } from "./length_prefix.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...frameHeader(102_400)], [0x00, 0x01, 0x90, 0x00]);
 * ```
 */
export function frameHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_HEADER_LENGTH) {
    throw new RangeError(`a frame length must be from 0 to ${MAX_HEADER_LENGTH}, got ${length}`);
  }
  const header = new Uint8Array(HEADER_BYTES);
  new DataView(header.buffer).setUint32(0, length); // big-endian unless told otherwise
  return header;
}

/**
 * Reads a header: Python's `struct.unpack('!I', header)[0]`. `bytes` must hold
 * at least 4 bytes from `offset`.
 */
export function parseFrameHeader(bytes: Uint8Array, offset = 0): number {
  // Shifts, not DataView: `bytes` may be a view into a larger buffer.
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

/**
 * One frame, header and payload in one buffer, so it leaves in one write
 * (two writes could go out as two TCP segments).
 *
 * Throws {@linkcode LimitError} if the payload is over `maxFrame`: better to
 * fail here than to have the peer drop the connection.
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

function headerOverLimit(length: number, max: number): LimitError {
  return new LimitError(
    `a frame header announced ${length} bytes, over the ${max}-byte limit`,
    "the peer sent a frame larger than --max-frame allows",
  );
}

/**
 * Copies `chunk[spans[0], spans[last])` once and returns a view of it per
 * `[start, end]` pair. Small frames then cost no allocation each (allocating
 * a 16-byte buffer costs far more than copying 16 bytes); they share one
 * buffer, no bigger than the read they came in.
 */
export function cutOut(chunk: Uint8Array, spans: readonly number[]): Uint8Array[] {
  const from = spans[0];
  const copy = chunk.slice(from, spans[spans.length - 1]);
  const views: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += 2) {
    views.push(copy.subarray(spans[i] - from, spans[i + 1] - from));
  }
  return views;
}

/**
 * The incremental decoder: feed it the bytes of each read, in order, and it
 * returns the payloads they complete. It holds at most one partial frame.
 *
 * Cost is linear: every byte is copied once. A frame that arrives across
 * several reads is allocated once, at its final size, as soon as its header
 * has arrived; a 1 MiB frame in 1-byte reads costs the same copying as one
 * arriving whole. The frames that lie wholly inside one read share one copy
 * of it.
 *
 * After a {@linkcode LimitError} the decoder is broken: every later `push`
 * throws the same error (the stream can no longer be trusted; close it).
 */
export class FrameDecoder {
  #max: number;
  #header = new Uint8Array(HEADER_BYTES);
  #headerFilled = 0;
  #payload: Uint8Array | null = null; // the frame being filled, once its header is known
  #payloadFilled = 0;
  #failed: LimitError | null = null;

  /** A decoder that refuses payloads over `options.maxFrame` (default 1 MiB). */
  constructor(options: FrameOptions = {}) {
    this.#max = maxFrameOf(options);
  }

  /** Bytes received but not yet handed out: the start of an unfinished frame. */
  get buffered(): number {
    return this.#headerFilled + this.#payloadFilled;
  }

  /**
   * The bytes of one read. Returns the payloads completed by them, oldest
   * first (often none, sometimes several). The bytes are copied: the caller
   * may reuse `chunk` afterwards.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw this.#failed;
    const frames: Uint8Array[] = [];
    const inside: number[] = []; // [start, end] of each frame lying wholly in this chunk
    let at = 0;
    while (true) {
      if (this.#payload === null) {
        if (at === chunk.length) break;
        const length = this.#takeHeader(chunk, at);
        if (length === null) break; // the chunk ended inside the header
        at += HEADER_BYTES - this.#headerFilled;
        this.#headerFilled = 0;
        // The check comes before the allocation: that is the whole point.
        if (length > this.#max) throw this.#failed = headerOverLimit(length, this.#max);
        if (at + length <= chunk.length) {
          inside.push(at, at + length); // cut out below, without a buffer of its own
          at += length;
          continue;
        }
        this.#payload = new Uint8Array(length);
      }
      const payload = this.#payload;
      const take = Math.min(payload.length - this.#payloadFilled, chunk.length - at);
      payload.set(chunk.subarray(at, at + take), this.#payloadFilled);
      this.#payloadFilled += take;
      at += take;
      if (this.#payloadFilled < payload.length) break; // the chunk ended inside the payload
      frames.push(payload); // only the first frame of a chunk can end here
      this.#payload = null;
      this.#payloadFilled = 0;
    }
    return inside.length === 0 ? frames : frames.concat(cutOut(chunk, inside));
  }

  /**
   * Completes the header from `chunk` at `at`. Returns the announced length,
   * or `null` if the chunk ended first (the bytes so far are kept). On
   * success `#headerFilled` still counts the bytes held from earlier chunks.
   */
  #takeHeader(chunk: Uint8Array, at: number): number | null {
    if (this.#headerFilled === 0 && at + HEADER_BYTES <= chunk.length) {
      return parseFrameHeader(chunk, at); // the common case: all 4 bytes here
    }
    const need = HEADER_BYTES - this.#headerFilled;
    const take = Math.min(need, chunk.length - at);
    this.#header.set(chunk.subarray(at, at + take), this.#headerFilled);
    if (take < need) {
      this.#headerFilled += take;
      return null;
    }
    return parseFrameHeader(this.#header);
  }

  /**
   * Call at end of stream. Throws {@linkcode UnexpectedEofError} if the
   * stream stopped inside a frame: the peer hung up mid-message.
   */
  finish(): void {
    if (this.#failed) throw this.#failed;
    if (this.#payload !== null) {
      throw new UnexpectedEofError(
        `the stream ended inside a frame: ${this.#payloadFilled} of ${this.#payload.length} bytes`,
        "the peer closed the connection in the middle of a message",
      );
    }
    if (this.#headerFilled > 0) {
      throw new UnexpectedEofError(
        `the stream ended inside a frame header: ${this.#headerFilled} of ${HEADER_BYTES} bytes`,
        "the peer closed the connection in the middle of a message",
      );
    }
  }
}

/**
 * Bytes in, payloads out, as a Web Stream: the {@linkcode FrameDecoder} in a
 * `TransformStream`. A limit or a truncated last frame errors the stream.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameDecoderStream } from "./length_prefix.ts";
 * import assert from "node:assert/strict";
 *
 * const wire = new Uint8Array([...encodeFrame(new Uint8Array([1, 2])), ...encodeFrame(new Uint8Array([3]))]);
 * // Fed one byte per chunk, as the slowest network would deliver it:
 * const bytes = ReadableStream.from([...wire].map((b) => new Uint8Array([b])));
 * const frames = await Array.fromAsync(bytes.pipeThrough(new FrameDecoderStream()));
 * assert.deepEqual(frames, [new Uint8Array([1, 2]), new Uint8Array([3])]);
 * ```
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, Uint8Array> {
  /** See {@linkcode FrameOptions}. */
  constructor(options: FrameOptions = {}) {
    const decoder = new FrameDecoder(options);
    super({
      transform(chunk, controller) {
        for (const frame of decoder.push(chunk)) controller.enqueue(frame);
      },
      flush() {
        decoder.finish();
      },
    });
  }
}

/** Payloads in, frames out, as a Web Stream: {@linkcode encodeFrame} per chunk. */
export class FrameEncoderStream extends TransformStream<Uint8Array, Uint8Array> {
  /** See {@linkcode FrameOptions}. */
  constructor(options: FrameOptions = {}) {
    super({
      transform(payload, controller) {
        controller.enqueue(encodeFrame(payload, options));
      },
    });
  }
}

/**
 * Pulls one frame from a {@linkcode ByteReader}: read exactly 4 bytes, check
 * the length, read exactly that many. `null` at a clean end of stream (between
 * frames); {@linkcode UnexpectedEofError} if it ends inside one.
 *
 * ```python
 * header = recv_exactly(sock, 4)             # Python, for comparison
 * (n,) = struct.unpack('!I', header)
 * payload = recv_exactly(sock, n)
 * ```
 *
 * @example
 * ```ts
 * import { encodeFrame, readFrame } from "./length_prefix.ts";
 * import { ByteReader } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * // A source that hands out at most what fits the buffer, like a socket.
 * let wire = encodeFrame(new TextEncoder().encode("hi"));
 * const source = {
 *   read(p: Uint8Array) {
 *     if (wire.length === 0) return Promise.resolve(null);
 *     const n = Math.min(p.length, wire.length);
 *     p.set(wire.subarray(0, n));
 *     wire = wire.subarray(n);
 *     return Promise.resolve(n);
 *   },
 * };
 * const reader = new ByteReader(source);
 * assert.equal(new TextDecoder().decode((await readFrame(reader))!), "hi");
 * assert.equal(await readFrame(reader), null);
 * ```
 */
export async function readFrame(
  reader: ByteReader,
  options: FrameOptions = {},
): Promise<Uint8Array | null> {
  const max = maxFrameOf(options);
  const header = await reader.readExactly(HEADER_BYTES);
  if (header === null) return null;
  const length = parseFrameHeader(header);
  if (length > max) throw headerOverLimit(length, max);
  const payload = await reader.readExactly(length);
  if (payload === null) {
    throw new UnexpectedEofError(
      `the stream ended after a frame header announcing ${length} bytes`,
      "the peer closed the connection in the middle of a message",
    );
  }
  return payload;
}

/** Writes one frame (Python: `sock.sendall(struct.pack('!I', len(p)) + p)`). */
export async function writeFrame(
  writer: Writer,
  payload: Uint8Array,
  options: FrameOptions = {},
): Promise<void> {
  await writeAll(writer, encodeFrame(payload, options));
}
