/**
 * # 01 · Step 3: where the body ends
 *
 * TCP has no message boundaries, so HTTP/1.1 says in the head where the body
 * ends (RFC 9112 §6.3), in this order:
 *
 * 1. no body at all: a `1xx`, `204 No Content` or `304 Not Modified` answer;
 * 2. `Transfer-Encoding: chunked`: the body carries its own sizes (step 4);
 * 3. `Content-Length: N`: exactly N bytes, then the body is over, whether
 *    the server closes the connection or not (it may be kept for another
 *    request);
 * 4. neither: the body is everything until the server closes, the
 *    tutorial's only case (an HTTP/1.0 server, or a stream of unknown length
 *    from a server that closes to end it).
 *
 * Reading to the close when the head gave a length would wait for a close
 * that may not come for a while; reading past the length would keep bytes
 * that are not the page.
 *
 * @module
 */

import { LimitError, ProtocolError, UnexpectedEofError } from "../../lib/errors.ts";
import { fieldValues, type ResponseHead } from "../../lib/http_message.ts";
import { concatBytes, type Reader } from "../../lib/io.ts";

/** How much one read asks for. The tutorial asks for 1024; bigger reads mean fewer calls. */
export const READ_SIZE = 16 * 1024;

/** How the body's end is marked, from the response head. */
export type Framing =
  | { kind: "chunked" }
  | { kind: "length"; length: number }
  | { kind: "close" }
  | { kind: "none" };

/**
 * Reads from the head how the body is framed: the rules above, in order.
 *
 * @example
 * ```ts
 * import { bodyFraming } from "./3_content_length.ts";
 * import assert from "node:assert/strict";
 *
 * const head = (...lines: string[]) => ({
 *   version: "1.1", status: 200, reason: "OK", lines,
 *   fields: lines.map((l) => ({ name: l.split(": ")[0], value: l.split(": ")[1] })),
 * });
 * assert.deepEqual(bodyFraming(head("Transfer-Encoding: chunked")), { kind: "chunked" });
 * assert.deepEqual(bodyFraming(head("Content-Length: 12")), { kind: "length", length: 12 });
 * assert.deepEqual(bodyFraming(head()), { kind: "close" });
 * ```
 */
export function bodyFraming(head: ResponseHead): Framing {
  if ((head.status >= 100 && head.status < 200) || head.status === 204 || head.status === 304) {
    return { kind: "none" };
  }
  // Transfer-Encoding wins over Content-Length when a server sends both.
  const codings = fieldValues(head.fields, "transfer-encoding")
    .flatMap((v) => v.split(","))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "");
  if (codings.length > 0) {
    if (codings.length === 1 && codings[0] === "chunked") return { kind: "chunked" };
    // Not chunked last (say `gzip` alone): the body ends with the close.
    if (codings.at(-1) !== "chunked") return { kind: "close" };
    throw new ProtocolError(
      `the server used Transfer-Encoding: ${codings.join(", ")}, which this lesson does not decode`,
      "only chunked is decoded here",
    );
  }
  const lengths = new Set(
    fieldValues(head.fields, "content-length").flatMap((v) => v.split(",")).map((v) => v.trim()),
  );
  if (lengths.size === 0) return { kind: "close" };
  const [length] = lengths;
  if (lengths.size > 1 || !/^\d{1,15}$/.test(length)) {
    throw new ProtocolError(
      `the server sent a bad Content-Length: ${[...lengths].join(", ")}`,
      "the server's answer is broken",
    );
  }
  return { kind: "length", length: Number(length) };
}

/**
 * The tutorial's receive loop, `while True: d = s.recv(1024); if d: ... else:
 * break`, as a generator: yields each read's bytes until end of stream. The
 * bytes are a view into one reused buffer, valid until the next read.
 */
export async function* reads(reader: Reader): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(READ_SIZE);
  while (true) {
    // Python: d = s.recv(16384)
    const n = await reader.read(buffer);
    if (n === null) return; // Python: recv() returned b'': the server closed
    yield buffer.subarray(0, n);
  }
}

/**
 * Collects body pieces up to `maxBytes`: a server decides how much it sends,
 * the client decides how much it keeps. Each piece is copied once into a list
 * and the list is joined once at the end, the tutorial's `buffer.append(d)`
 * and `b''.join(buffer)`: linear, where `data = data + d` would copy
 * everything received so far on every read.
 */
export class BodyCollector {
  readonly #pieces: Uint8Array[] = [];
  #length = 0;
  readonly #maxBytes: number;

  /** Refuses more than `maxBytes` in all. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** How many bytes so far. */
  get length(): number {
    return this.#length;
  }

  /** Keeps a copy of `piece`, or throws {@linkcode LimitError} if it would pass the limit. */
  add(piece: Uint8Array): void {
    if (this.#length + piece.length > this.#maxBytes) {
      throw new LimitError(
        `the body is longer than ${this.#maxBytes} bytes`,
        "raise --max-bytes to save it",
      );
    }
    this.#pieces.push(piece.slice());
    this.#length += piece.length;
  }

  /** The whole body, joined. */
  bytes(): Uint8Array {
    return concatBytes(this.#pieces);
  }
}

/**
 * Reads a body of exactly `length` bytes (`Content-Length`) and stops there:
 * bytes after them are not the page, and the server need not close first.
 */
export async function readLengthBody(
  reader: Reader,
  length: number,
  maxBytes: number,
): Promise<Uint8Array> {
  if (length > maxBytes) {
    throw new LimitError(
      `the body is ${length} bytes (Content-Length), over the limit of ${maxBytes}`,
      "raise --max-bytes to save it",
    );
  }
  const body = new BodyCollector(maxBytes);
  const pieces = reads(reader);
  // Read only while bytes are missing: a `Content-Length: 0` needs no read.
  while (body.length < length) {
    const { done, value } = await pieces.next();
    if (done) {
      throw new UnexpectedEofError(
        `the body was cut off after ${body.length} of ${length} bytes (Content-Length)`,
        "the connection closed early; try again",
      );
    }
    // Keep at most what is still missing: what follows is not the page.
    body.add(value.subarray(0, length - body.length));
  }
  return body.bytes();
}

/** Reads a body that ends when the server closes the connection: the tutorial's case. */
export async function readUntilClose(reader: Reader, maxBytes: number): Promise<Uint8Array> {
  const body = new BodyCollector(maxBytes);
  for await (const bytes of reads(reader)) body.add(bytes);
  return body.bytes();
}
