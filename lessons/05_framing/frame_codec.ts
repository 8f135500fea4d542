/**
 * # 05 · The length-prefix codec, for servers
 *
 * Step 3 receives a frame the Python way: read exactly 4 bytes, then exactly
 * `n`. That is two reads or more per frame, and it waits for each frame
 * before it looks at the next. A server reads whatever has arrived instead,
 * 64 KiB at a time, and hands every read to a {@linkcode FrameDecoder}: it
 * keeps the unfinished frame and returns the whole ones, however the stream
 * was cut. Same wire format, three ways to use it:
 *
 * - {@linkcode FrameDecoder}: push the bytes of each read, get back the frames
 *   they complete (plain functions, no I/O);
 * - {@linkcode FrameDecoderStream} / {@linkcode FrameEncoderStream}: the same as
 *   Web Streams, for `readable.pipeThrough(...)`;
 * - {@linkcode readFrames}: the frames arriving on a connection, as a stream.
 *
 * The header is checked against the limit before anything is allocated, so a
 * peer cannot make us reserve 4 GiB by sending 4 bytes. Only lesson 05 uses
 * this codec, so it lives here and not in `lib/` (lesson 07's lines do:
 * `lib/lines.ts`).
 *
 * @example A frame split across three reads is reassembled
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./frame_codec.ts";
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

import { cutOut, readChunk, type Reader } from "../../lib/io.ts";
import { type LimitError, UnexpectedEofError } from "../../lib/errors.ts";
import {
  encodeFrame,
  type FrameOptions,
  HEADER_BYTES,
  headerOverLimit,
  maxFrameOf,
  parseFrameHeader,
} from "./3_length_prefix.ts";

export * from "./3_length_prefix.ts";

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
 * import { encodeFrame, FrameDecoderStream } from "./frame_codec.ts";
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

/** How many bytes {@linkcode readFrames} asks for per read: 64 KiB. */
export const FRAMES_READ_SIZE = 64 * 1024;

/**
 * The length-prefixed payloads arriving on `reader`, whole, until the peer
 * closes its side: each read's bytes go through a {@linkcode FrameDecoder}.
 * Errors: a header over `maxFrame` (`LimitError`), a stream ending mid-frame
 * ({@linkcode UnexpectedEofError}). It never closes `reader` (Deno's
 * `conn.readable` would close the connection at end of stream, before a
 * server could answer a client that half-closed).
 */
export function readFrames(reader: Reader, options: FrameOptions = {}): ReadableStream<Uint8Array> {
  const decoder = new FrameDecoder(options);
  return new ReadableStream<Uint8Array>({
    // Reads until at least one whole frame (or the end) has come: a pull
    // that enqueues nothing is not called again for the same request.
    async pull(controller) {
      while (true) {
        // Python: data = sock.recv(65536); b'' means the peer closed its side.
        const chunk = await readChunk(reader, FRAMES_READ_SIZE);
        if (chunk === null) {
          decoder.finish(); // throws if the stream ended inside a frame
          return controller.close();
        }
        const frames = decoder.push(chunk);
        for (const frame of frames) controller.enqueue(frame);
        if (frames.length > 0) return;
      }
    },
  }, { highWaterMark: 0 }); // read only when the consumer asks: no read-ahead
}
