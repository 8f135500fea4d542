/**
 * Reading and writing a byte stream the way TCP really delivers it.
 *
 * TCP promises order, not boundaries. One `read()` returns whatever the
 * kernel's receive buffer holds right now, from 1 byte up to the buffer's size;
 * one `write()` may hand only part of its bytes to the kernel's send buffer.
 * Everything here follows from those two facts:
 *
 * - {@linkcode readChunk}: Python's `recv(n)`; use only the bytes `read()` said it filled.
 * - {@linkcode writeAll}: Python's `sendall()`; loop until every byte is written.
 * - {@linkcode ByteReader}: keeps what a read returned beyond what was asked,
 *   so the next call can use it (read-exactly, read-until, read-to-end).
 *
 * @module
 */

import { LimitError, UnexpectedEofError } from "./errors.ts";

/** Anything with Deno's `read`: a `Deno.Conn`, a `Deno.TlsConn`, a test double. */
export interface Reader {
  /** Fills part of `p`; resolves to how many bytes, or `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
}

/** Anything with Deno's `write`: a `Deno.Conn`, a `Deno.TlsConn`, a test double. */
export interface Writer {
  /** Writes some prefix of `p`; resolves to how many bytes were taken. */
  write(p: Uint8Array): Promise<number>;
}

/**
 * Python's `data = sock.recv(size)`: one read of at most `size` bytes. Returns
 * exactly the bytes the kernel delivered (maybe fewer than `size`), or `null`
 * when the peer has closed its side (Python gets `b''`).
 *
 * @example
 * ```ts
 * import { readChunk } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * // A source holding "Welcome!", as a connection's receive buffer would.
 * const source = {
 *   read(p: Uint8Array) {
 *     p.set(new TextEncoder().encode("Welcome!"));
 *     return Promise.resolve(8);
 *   },
 * };
 * const chunk = await readChunk(source, 1024);
 * assert.equal(new TextDecoder().decode(chunk!), "Welcome!");
 * ```
 */
export async function readChunk(reader: Reader, size: number): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(size);
  const n = await reader.read(buffer);
  return n === null ? null : buffer.subarray(0, n);
}

/**
 * Python's `sock.sendall(data)`: `write()` may take only part of the bytes
 * (the kernel's send buffer was nearly full), so write the rest until none is
 * left.
 *
 * @example
 * ```ts
 * import { writeAll } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * // A writer that takes at most 3 bytes per call, like a full send buffer.
 * const taken: number[] = [];
 * const slow = {
 *   write(p: Uint8Array) {
 *     const n = Math.min(3, p.length);
 *     taken.push(...p.subarray(0, n));
 *     return Promise.resolve(n);
 *   },
 * };
 * await writeAll(slow, new TextEncoder().encode("Hello, Michael!"));
 * assert.equal(new TextDecoder().decode(new Uint8Array(taken)), "Hello, Michael!");
 * ```
 */
export async function writeAll(writer: Writer, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const n = await writer.write(bytes.subarray(written));
    if (n <= 0) throw new Error(`write took ${n} bytes; the stream is stuck`);
    written += n;
  }
}

/**
 * Joins chunks into one array with a single copy: the fix for the quadratic
 * `buffer = buffer + chunk` pattern.
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Copies `chunk[spans[0], spans[last])` once and returns a view of it per
 * `[start, end]` pair: how the frame and line decoders hand out the messages
 * lying wholly inside one read. Small messages then cost no allocation each
 * (allocating a 16-byte buffer costs far more than copying 16 bytes); they
 * share one buffer, no bigger than the read they came in.
 *
 * @example
 * ```ts
 * import { cutOut } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const read = new TextEncoder().encode("one\ntwo\n");
 * const [one, two] = cutOut(read, [0, 3, 4, 7]);
 * assert.deepEqual([one, two].map((b) => new TextDecoder().decode(b)), ["one", "two"]);
 * ```
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

/** How many bytes {@linkcode ByteReader} asks the kernel for per read. */
export const DEFAULT_READ_SIZE = 16 * 1024;

/**
 * A buffered reader over a byte stream. Reads from the kernel in large chunks
 * and hands out exactly the bytes asked for, keeping the rest for the next
 * call: a read that returned half a message, or one and a half, is the normal
 * case, not an error.
 *
 * Every method that accumulates takes a byte limit, because a peer decides how
 * much it sends and a server must decide how much it keeps.
 *
 * @example Read a line, then an exact count, from the same stream
 * ```ts
 * import { ByteReader } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nabcdef");
 * let served = false;
 * const source = {
 *   read(p: Uint8Array) {
 *     if (served) return Promise.resolve(null);
 *     served = true;
 *     p.set(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 * };
 * const reader = new ByteReader(source);
 * const line = await reader.readUntil(new TextEncoder().encode("\r\n"), 1024);
 * assert.equal(new TextDecoder().decode(line!), "GET / HTTP/1.1");
 * const rest = await reader.readExactly(6);
 * assert.equal(new TextDecoder().decode(rest!), "abcdef");
 * assert.equal(await reader.readExactly(1), null); // clean end of stream
 * ```
 */
export class ByteReader {
  #source: Reader;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #eof = false;

  /** Wraps `source`; `readSize` is how much to ask the kernel for at a time. */
  constructor(source: Reader, readSize = DEFAULT_READ_SIZE) {
    this.#source = source;
    this.#buf = new Uint8Array(readSize);
  }

  /** How many bytes are held, read from the kernel but not yet handed out. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The held bytes, without consuming them. */
  peek(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /**
   * One more read from the source into the buffer. Resolves to the number of
   * new bytes, or `null` at end of stream.
   */
  async #fill(): Promise<number | null> {
    if (this.#eof) return null;
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
    } else if (this.#end === this.#buf.length) {
      // Out of room at the back: slide the held bytes to the front, and grow
      // (doubling keeps the total copying linear) if they fill most of it.
      const held = this.#end - this.#start;
      if (held > this.#buf.length / 2) {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf.subarray(this.#start, this.#end), 0);
        this.#buf = bigger;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = held;
    }
    const n = await this.#source.read(this.#buf.subarray(this.#end));
    if (n === null) {
      this.#eof = true;
      return null;
    }
    this.#end += n;
    return n;
  }

  #take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /**
   * Whatever is available: the held bytes, or else one read's worth. `null`
   * at end of stream.
   */
  async readSome(): Promise<Uint8Array | null> {
    if (this.buffered === 0 && await this.#fill() === null) return null;
    return this.#take(this.buffered);
  }

  /**
   * Exactly `n` bytes, however many reads that takes. `null` if the stream
   * ended before the first byte (a clean end between messages); throws
   * {@linkcode UnexpectedEofError} if it ended part-way.
   *
   * The result is allocated once at its final size and filled in place, so
   * a large message arriving in many small reads costs O(n).
   */
  async readExactly(n: number): Promise<Uint8Array | null> {
    if (this.buffered >= n) return this.#take(n);
    const out = new Uint8Array(n);
    let filled = this.buffered;
    out.set(this.peek(), 0);
    this.#start = this.#end = 0;
    while (filled < n) {
      if (this.#eof) break;
      // Large remainders go straight into `out`; no double copy.
      const got = await this.#source.read(out.subarray(filled));
      if (got === null) {
        this.#eof = true;
        break;
      }
      filled += got;
    }
    if (filled === n) return out;
    if (filled === 0) return null;
    throw new UnexpectedEofError(
      `the stream ended after ${filled} of ${n} bytes`,
      "the peer closed the connection in the middle of a message",
    );
  }

  /**
   * The bytes before the next `delimiter` (which is consumed, not returned).
   * `null` at a clean end of stream; {@linkcode UnexpectedEofError} if the
   * stream ends inside a line; {@linkcode LimitError} as soon as more than
   * `maxBytes` have arrived without a delimiter (the peer may never send one).
   */
  async readUntil(delimiter: Uint8Array, maxBytes: number): Promise<Uint8Array | null> {
    if (delimiter.length === 0) throw new RangeError("the delimiter is empty");
    let scanned = 0; // bytes already searched, so each byte is searched once
    while (true) {
      const held = this.peek();
      const at = indexOf(held, delimiter, scanned);
      if (at !== -1) {
        if (at > maxBytes) throw this.#overLimit(maxBytes);
        const line = this.#take(at);
        this.#start += delimiter.length;
        return line;
      }
      if (held.length > maxBytes + delimiter.length - 1) throw this.#overLimit(maxBytes);
      scanned = Math.max(0, held.length - delimiter.length + 1);
      if (await this.#fill() === null) {
        if (this.buffered === 0) return null;
        throw new UnexpectedEofError(
          `the stream ended inside a line (${this.buffered} bytes with no delimiter)`,
          "the peer closed the connection in the middle of a message",
        );
      }
    }
  }

  #overLimit(maxBytes: number): LimitError {
    return new LimitError(
      `more than ${maxBytes} bytes arrived without a delimiter`,
      "the peer sent a line longer than the limit",
    );
  }

  /**
   * Everything until the peer closes its side (Python's
   * `while True: d = s.recv(1024)` loop). Throws {@linkcode LimitError} once
   * more than `maxBytes` have arrived. Chunks are joined once, at the end.
   */
  async readToEnd(maxBytes: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const chunk = await this.readSome();
      if (chunk === null) return concatBytes(chunks);
      total += chunk.length;
      if (total > maxBytes) {
        throw new LimitError(
          `more than ${maxBytes} bytes arrived before the end of the stream`,
          "raise the limit, or stop reading sooner",
        );
      }
      chunks.push(chunk);
    }
  }
}

/**
 * Where `needle` first occurs in `haystack`, searching from `from`; -1 if
 * nowhere.
 */
export function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  let i = haystack.indexOf(first, from);
  while (i !== -1 && i <= last) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}
