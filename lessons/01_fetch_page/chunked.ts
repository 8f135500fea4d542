/**
 * The chunked decoder of step 4 (`4_chunked.ts` shows the format and the
 * loop that uses it): a state machine that keeps its place between reads, so
 * it decodes the same body however TCP cut the bytes: inside a size line,
 * between `\r` and `\n`, inside the data (RFC 9112 §7.1).
 *
 * @module
 */

import { LimitError, ProtocolError, UnexpectedEofError } from "../../lib/errors.ts";
import { concatBytes } from "../../lib/io.ts";
import type { Field } from "../../lib/http_message.ts";

/** How long a chunk-size line (size plus extensions) or the trailer section may be by default. */
export const DEFAULT_MAX_CHUNK_LINE = 4096;

const CR = 0x0d;
const LF = 0x0a;
const ascii = new TextDecoder("utf-8");

type State = "size" | "data" | "data-crlf" | "trailer" | "done";

/**
 * Decodes a chunked body incrementally. Feed it each read with
 * {@linkcode ChunkedDecoder.push}; it returns the body bytes found so far
 * and remembers where it stopped (in a size line, in a chunk's data, between
 * the data and its CRLF, in the trailers). {@linkcode ChunkedDecoder.done}
 * turns true after the last chunk and the trailers.
 *
 * @example A body whose reads split the size line and the CRLF
 * ```ts
 * import { ChunkedDecoder } from "./chunked.ts";
 * import assert from "node:assert/strict";
 *
 * const decoder = new ChunkedDecoder();
 * const parts: string[] = [];
 * for (const read of ["", "5\r\nHel", "lo\r", "\n7\r\n, world\r\n0\r", "\n\r\n"]) {
 *   for (const piece of decoder.push(new TextEncoder().encode(read))) {
 *     parts.push(new TextDecoder().decode(piece));
 *   }
 * }
 * assert.equal(parts.join(""), "Hello, world");
 * assert.ok(decoder.done);
 * assert.equal(decoder.chunks, 2);
 * ```
 */
export class ChunkedDecoder {
  #state: State = "size";
  /** Bytes left in the current chunk's data. */
  #remaining = 0;
  /** How many bytes of the CRLF after a chunk's data have been seen (0 or 1). */
  #crlfSeen = 0;
  /** The line being collected (a size line or a trailer line), across reads. */
  #line: Uint8Array[] = [];
  #lineLength = 0;
  #trailerBytes = 0;
  #maxLine: number;
  #chunks = 0;
  #bodyBytes = 0;
  #leftover: Uint8Array = new Uint8Array(0);

  /** Trailer fields sent after the last chunk (usually none). */
  readonly trailers: Field[] = [];

  /** `maxLineBytes` bounds a size line and the whole trailer section. */
  constructor(maxLineBytes: number = DEFAULT_MAX_CHUNK_LINE) {
    this.#maxLine = maxLineBytes;
  }

  /** True once the last chunk (size 0) and the trailers have been read. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** How many data chunks (not counting the last, empty one) were decoded. */
  get chunks(): number {
    return this.#chunks;
  }

  /** How many body bytes were decoded so far. */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }

  /** Bytes that came after the end of the body in the last `push` (a next response, or junk). */
  get leftover(): Uint8Array {
    return this.#leftover;
  }

  /**
   * Feeds the next bytes of the stream. Returns the body bytes they
   * contained, as views into `bytes` (copy them if you reuse the buffer).
   * Throws {@linkcode ProtocolError} on bytes that break the coding and
   * {@linkcode LimitError} on a size line or trailer section over the limit.
   */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length && this.#state !== "done") {
      switch (this.#state) {
        case "size":
        case "trailer": {
          const lf = bytes.indexOf(LF, at);
          const end = lf === -1 ? bytes.length : lf + 1;
          this.#collect(bytes.subarray(at, end));
          at = end;
          if (lf !== -1) this.#endOfLine(this.#takeLine());
          break;
        }
        case "data": {
          const n = Math.min(this.#remaining, bytes.length - at);
          out.push(bytes.subarray(at, at + n));
          this.#bodyBytes += n;
          this.#remaining -= n;
          at += n;
          if (this.#remaining === 0) this.#state = "data-crlf";
          break;
        }
        case "data-crlf": {
          // The data must be followed by exactly CRLF; anything else means
          // the size line lied about the length.
          const expected = this.#crlfSeen === 0 ? CR : LF;
          if (bytes[at] !== expected) {
            throw new ProtocolError(
              `chunk ${this.#chunks} is longer than its size line says (no CRLF after its data)`,
              "the server's chunked encoding is broken",
            );
          }
          at++;
          if (++this.#crlfSeen === 2) {
            this.#crlfSeen = 0;
            this.#state = "size";
          }
          break;
        }
      }
    }
    this.#leftover = bytes.subarray(at);
    return out;
  }

  /**
   * Says the stream has ended. Throws {@linkcode UnexpectedEofError} if the
   * body was not complete: the connection closed before the last chunk.
   */
  finish(): void {
    if (this.#state === "done") return;
    const where = this.#state === "data"
      ? `inside chunk ${this.#chunks} (${this.#remaining} of its bytes missing)`
      : this.#state === "trailer"
      ? "inside the trailers"
      : `after ${this.#chunks} chunk${
        this.#chunks === 1 ? "" : "s"
      }, before the last (size 0) chunk`;
    throw new UnexpectedEofError(
      `the chunked body was cut off ${where}`,
      "the connection closed early; try again",
    );
  }

  #collect(piece: Uint8Array): void {
    this.#lineLength += piece.length;
    if (this.#state === "trailer") this.#trailerBytes += piece.length;
    const over = this.#state === "trailer"
      ? this.#trailerBytes > this.#maxLine
      : this.#lineLength > this.#maxLine;
    if (over) {
      throw new LimitError(
        `a chunk ${
          this.#state === "trailer" ? "trailer section" : "size line"
        } is longer than ${this.#maxLine} bytes`,
        "the server's chunked encoding is broken or hostile",
      );
    }
    // Copy: `piece` is a view into the caller's read buffer, which the next
    // read will overwrite, and the line may continue in that next read.
    this.#line.push(piece.slice());
  }

  /** The collected line without its CRLF. */
  #takeLine(): string {
    const line = concatBytes(this.#line);
    this.#line = [];
    this.#lineLength = 0;
    if (line.length < 2 || line[line.length - 2] !== CR) {
      throw new ProtocolError(
        `a chunk ${
          this.#state === "trailer" ? "trailer" : "size"
        } line ends in a bare LF, not CRLF`,
        "the server's chunked encoding is broken",
      );
    }
    return ascii.decode(line.subarray(0, line.length - 2));
  }

  #endOfLine(line: string): void {
    if (this.#state === "size") {
      const size = parseChunkSize(line);
      if (size === 0) {
        this.#state = "trailer";
      } else {
        this.#chunks++;
        this.#remaining = size;
        this.#state = "data";
      }
      return;
    }
    // Trailer section: field lines until an empty line.
    if (line === "") {
      this.#state = "done";
      return;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new ProtocolError(`a chunk trailer is not "name: value": "${line.slice(0, 60)}"`);
    }
    this.trailers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
}

/**
 * Reads a chunk-size line: hex digits, then optional extensions
 * (`;name=value`), which carry nothing a page needs and are skipped.
 *
 * @example
 * ```ts
 * import { parseChunkSize } from "./chunked.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseChunkSize("1a"), 26);
 * assert.equal(parseChunkSize("FF;name=value"), 255);
 * assert.throws(() => parseChunkSize("-1"));
 * ```
 */
export function parseChunkSize(line: string): number {
  const match = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/.exec(line);
  if (!match) {
    throw new ProtocolError(
      `"${line.slice(0, 40)}" is not a chunk size (hex digits expected)`,
      "the server's chunked encoding is broken",
    );
  }
  const digits = match[1].replace(/^0+(?=.)/, "");
  // 13 hex digits are 52 bits: every size up to there is an exact number.
  if (digits.length > 13) {
    throw new LimitError(`a chunk size of 0x${digits} bytes is too large`);
  }
  return parseInt(digits, 16);
}
