/**
 * Delimiter framing: each message ends with `\n` (a line).
 *
 * TCP delivers a stream of bytes with no message boundaries; a delimiter puts
 * them back. The receiver keeps bytes until a `\n` arrives, and everything
 * before it is one message. Simple and readable with `nc`, but a message can
 * never contain `\n` (lesson 05's length prefix has no such restriction),
 * and the receiver cannot know how long a line will be, so it needs a limit:
 * a peer that never sends `\n` must not fill our memory.
 *
 * Splitting on the byte 0x0A is safe for UTF-8 text: every byte of a
 * multi-byte character is 0x80 or above, so `\n` never appears inside one.
 *
 * - {@linkcode LineDecoder}: push the bytes of each read, get back the lines
 *   they complete (as bytes, without the `\n`).
 * - {@linkcode LineDecoderStream} / {@linkcode LineEncoderStream}: text lines as
 *   Web Streams, for `readable.pipeThrough(...)`.
 * - {@linkcode encodeLine}: one message to its bytes on the wire.
 *
 * @example A chat-style reader: whole lines, however the bytes arrive
 * ```ts
 * import { encodeLine, LineDecoderStream } from "./lines.ts";
 * import assert from "node:assert/strict";
 *
 * const wire = new Uint8Array([...encodeLine("héllo"), ...encodeLine("wörld")]);
 * // Cut after 2 bytes: the é (0xC3 0xA9) is split between two reads.
 * const reads = ReadableStream.from([wire.subarray(0, 2), wire.subarray(2)]);
 * const lines = await Array.fromAsync(reads.pipeThrough(new LineDecoderStream()));
 * assert.deepEqual(lines, ["héllo", "wörld"]);
 * ```
 *
 * @module
 */

import { LimitError, ProtocolError, UnexpectedEofError } from "./errors.ts";
import { cutOut } from "./io.ts";
import { decodeUtf8 } from "./utf8.ts";

/** The delimiter: `\n`, byte 0x0A. */
export const NEWLINE = 0x0a;

const CARRIAGE_RETURN = 0x0d;

/** The default longest line a decoder accepts: 64 KiB, not counting the `\n` (flag `--max-line`). */
export const DEFAULT_MAX_LINE = 64 * 1024;

/** Options for the line codec. */
export interface LineOptions {
  /**
   * The longest line accepted, in bytes, not counting the `\n`. Default
   * {@linkcode DEFAULT_MAX_LINE} (64 KiB). A decoder fails as soon as more
   * bytes than this arrive without a `\n`, without waiting for one.
   */
  maxLine?: number;
  /**
   * Also drop a `\r` just before each `\n`, for peers that end lines with
   * `\r\n` (telnet, `nc -C`, Windows tools). Default `false`.
   */
  stripCr?: boolean;
}

function maxLineOf(options: LineOptions): number {
  const max = options.maxLine ?? DEFAULT_MAX_LINE;
  if (!Number.isInteger(max) || max < 0) {
    throw new RangeError(`maxLine must be a whole number, got ${max}`);
  }
  return max;
}

function stripCr(line: Uint8Array): Uint8Array {
  const n = line.length;
  return n > 0 && line[n - 1] === CARRIAGE_RETURN ? line.subarray(0, n - 1) : line;
}

function lineOverLimit(max: number): LimitError {
  return new LimitError(
    `a line longer than ${max} bytes arrived without "\\n"`,
    "the peer sent a line longer than --max-line allows",
  );
}

const encoder = new TextEncoder();

/**
 * One message as a line: its UTF-8 bytes and `\n`. Throws
 * {@linkcode ProtocolError} if the text itself holds a `\n` (the receiver
 * would see two messages) and {@linkcode LimitError} if it is over `maxLine`.
 *
 * @example
 * ```ts
 * import { encodeLine } from "./lines.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...encodeLine("hi")], [0x68, 0x69, 0x0a]);
 * assert.throws(() => encodeLine("two\nlines"));
 * ```
 */
export function encodeLine(text: string, options: LineOptions = {}): Uint8Array {
  if (text.includes("\n")) {
    throw new ProtocolError(
      `a line cannot contain "\\n": the receiver would see two messages`,
      "send one line per message, or use length-prefix framing",
    );
  }
  const max = maxLineOf(options);
  const line = encoder.encode(`${text}\n`);
  if (line.length - 1 > max) {
    throw new LimitError(
      `a ${line.length - 1}-byte line is over the ${max}-byte line limit`,
      "send less, or raise --max-line on both sides",
    );
  }
  return line;
}

/**
 * The incremental decoder: feed it the bytes of each read, in order, and it
 * returns the lines they complete, as bytes without the `\n`.
 *
 * Cost is linear: each new byte is searched for `\n` once, and a partial
 * line is kept in one buffer that doubles when full (never re-joined from
 * pieces on every read), so a long line arriving one byte at a time still
 * costs O(n). The lines that lie wholly inside one read share one copy of it.
 *
 * After a {@linkcode LimitError} the decoder is broken: every later `push`
 * throws the same error (close the connection).
 */
export class LineDecoder {
  #max: number;
  #stripCr: boolean;
  #held = new Uint8Array(0); // the start of the current line, in #held[0, #length)
  #length = 0;
  #failed: LimitError | null = null;

  /** A decoder that refuses lines over `options.maxLine` (default 64 KiB). */
  constructor(options: LineOptions = {}) {
    this.#max = maxLineOf(options);
    this.#stripCr = options.stripCr ?? false;
  }

  /** Bytes received but not yet handed out: the start of an unfinished line. */
  get buffered(): number {
    return this.#length;
  }

  /**
   * The bytes of one read. Returns the lines they complete, oldest first,
   * without their `\n`. The bytes are copied: the caller may reuse `chunk`.
   * A line over the limit throws {@linkcode LimitError}; if whole lines came
   * before it in the same chunk, they are returned first and the error is
   * thrown by the next `push()` or `finish()`.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw this.#failed;
    let lines: Uint8Array[] = [];
    const inside: number[] = []; // [start, end] of each line lying wholly in this chunk
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      if (this.#length + (end - start) > this.#max) {
        this.#failed = lineOverLimit(this.#max);
        break;
      }
      if (this.#length > 0) lines.push(this.#complete(chunk.subarray(start, end))); // only the first
      else inside.push(start, end); // cut out below, without a buffer of its own
      start = end + 1;
    }
    if (inside.length > 0) lines = lines.concat(cutOut(chunk, inside));
    const rest = chunk.length - start;
    // No `\n` yet: fail now rather than keep bytes for a line that may never end.
    if (!this.#failed && rest > 0 && this.#length + rest > this.#max) {
      this.#failed = lineOverLimit(this.#max);
    }
    if (this.#failed) {
      // The lines before the oversized one are whole: hand them out first;
      // the error comes with the next push() or finish().
      if (lines.length === 0) throw this.#failed;
    } else if (rest > 0) {
      this.#hold(chunk.subarray(start));
    }
    return this.#stripCr ? lines.map(stripCr) : lines;
  }

  /** The held start of a line plus its `tail`, as one new array. */
  #complete(tail: Uint8Array): Uint8Array {
    const line = new Uint8Array(this.#length + tail.length);
    line.set(this.#held.subarray(0, this.#length), 0);
    line.set(tail, this.#length);
    this.#length = 0;
    return line;
  }

  #hold(bytes: Uint8Array): void {
    const needed = this.#length + bytes.length;
    if (needed > this.#held.length) {
      // Double, so a line arriving in many small reads is copied O(1) times per byte.
      const bigger = new Uint8Array(Math.max(needed, this.#held.length * 2, 256));
      bigger.set(this.#held.subarray(0, this.#length), 0);
      this.#held = bigger;
    }
    this.#held.set(bytes, this.#length);
    this.#length = needed;
  }

  /**
   * Call at end of stream. Throws {@linkcode UnexpectedEofError} if bytes are
   * held after the last `\n`: the peer hung up in the middle of a line.
   */
  finish(): void {
    if (this.#failed) throw this.#failed;
    if (this.#length > 0) {
      throw new UnexpectedEofError(
        `the stream ended inside a line (${this.#length} bytes with no "\\n")`,
        "the peer closed the connection in the middle of a message",
      );
    }
  }
}

/**
 * Bytes in, text lines out, as a Web Stream: a {@linkcode LineDecoder}
 * followed by strict UTF-8 decoding of each whole line. A line that is not
 * valid UTF-8 errors the stream with a {@linkcode ProtocolError}; so do a
 * line over the limit and a last line without `\n`.
 */
export class LineDecoderStream extends TransformStream<Uint8Array, string> {
  /** See {@linkcode LineOptions}. */
  constructor(options: LineOptions = {}) {
    const decoder = new LineDecoder(options);
    super({
      transform(chunk, controller) {
        for (const line of decoder.push(chunk)) controller.enqueue(decodeUtf8(line, "a line"));
      },
      flush() {
        decoder.finish();
      },
    });
  }
}

/** Text lines in, bytes out, as a Web Stream: {@linkcode encodeLine} per chunk. */
export class LineEncoderStream extends TransformStream<string, Uint8Array> {
  /** See {@linkcode LineOptions}. */
  constructor(options: LineOptions = {}) {
    super({
      transform(text, controller) {
        controller.enqueue(encodeLine(text, options));
      },
    });
  }
}
