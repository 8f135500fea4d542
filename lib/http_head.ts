/**
 * Cutting an HTTP head out of a TCP stream: read until the empty line
 * (`\r\n\r\n`), with a limit.
 *
 * The tutorial's server reads a request with one `recv(1024)`, and its client
 * reads everything and then splits at the first `\r\n\r\n`. Neither is
 * enough on a real network: a head can arrive in several reads (a browser's
 * is often over 1 KiB, and a slow link cuts it anywhere), and a peer that
 * never sends the empty line must not make us buffer forever. So we read
 * until the empty line, keep any bytes after it (the start of the body), and
 * give up at a byte limit.
 *
 * @module
 */

import { LimitError, ProtocolError, UnexpectedEofError } from "./errors.ts";
import { indexOf, type Reader } from "./io.ts";

/** The empty line that ends a head: the CRLF of the last line, then CRLF. */
export const HEAD_END: Uint8Array = new TextEncoder().encode("\r\n\r\n");

/** A head cut from the stream. */
export interface CutHead {
  /** The head's bytes, without the final `\r\n\r\n`. */
  head: Uint8Array;
  /** Bytes that arrived after the head in the same reads: the start of the body. */
  rest: Uint8Array;
}

/** Options for {@linkcode readHead}. */
export interface ReadHeadOptions {
  /** The longest head accepted, counting its final `\r\n\r\n`. */
  maxBytes: number;
  /** Which message it is, for error messages: `request` or `response`. */
  what: "request" | "response";
  /**
   * Looks at the bytes received so far, before the head is complete, and
   * throws if they cannot be the start of a head (see
   * {@linkcode checkResponseStart}): a peer that speaks another protocol is
   * caught at once, not after a timeout.
   */
  check?: (received: Uint8Array) => void;
}

/**
 * Reads from `reader` until the empty line that ends a head. Resolves to the
 * head and the bytes after it, or `null` if the stream ended before its first
 * byte (a connection opened and closed unused, as browsers do when they
 * connect ahead of time). Throws {@linkcode LimitError} once `maxBytes` have
 * arrived without the empty line, and {@linkcode UnexpectedEofError} if the
 * stream ends inside the head.
 *
 * Memory stays within `maxBytes`: reads go straight into one buffer that
 * doubles up to the limit, and each byte is searched once.
 *
 * @example A head that arrives in two reads, followed by the start of a body
 * ```ts
 * import { readHead } from "./http_head.ts";
 * import assert from "node:assert/strict";
 *
 * const reads = ["HTTP/1.1 200 OK\r\nContent-Le", "ngth: 5\r\n\r\nHel"];
 * const reader = {
 *   read(p: Uint8Array) {
 *     const next = reads.shift();
 *     if (next === undefined) return Promise.resolve(null);
 *     const { written } = new TextEncoder().encodeInto(next, p);
 *     return Promise.resolve(written);
 *   },
 * };
 * const cut = await readHead(reader, { maxBytes: 1024, what: "response" });
 * assert.equal(new TextDecoder().decode(cut!.head), "HTTP/1.1 200 OK\r\nContent-Length: 5");
 * assert.equal(new TextDecoder().decode(cut!.rest), "Hel");
 * ```
 */
export async function readHead(reader: Reader, options: ReadHeadOptions): Promise<CutHead | null> {
  const { maxBytes, what } = options;
  let buffer = new Uint8Array(Math.min(maxBytes, 16 * 1024));
  let end = 0;
  while (true) {
    if (end === buffer.length) {
      if (buffer.length >= maxBytes) {
        throw new LimitError(
          `the ${what} head is longer than ${maxBytes} bytes`,
          what === "response"
            ? "is this an HTTP server? raise the limit if it really sends such heads"
            : "send a shorter head",
        );
      }
      const bigger = new Uint8Array(Math.min(buffer.length * 2, maxBytes));
      bigger.set(buffer);
      buffer = bigger;
    }
    // Python: d = s.recv(1024), but into the free end of our buffer.
    const n = await reader.read(buffer.subarray(end));
    if (n === null) {
      if (end === 0) return null;
      throw new UnexpectedEofError(
        `the connection closed after ${end} bytes of the ${what} head, before the empty line that ends it`,
        what === "response" ? "the server hung up mid-answer; try again" : "send the whole head",
      );
    }
    const searchFrom = Math.max(0, end - (HEAD_END.length - 1));
    end += n;
    const at = indexOf(buffer.subarray(0, end), HEAD_END, searchFrom);
    if (at !== -1) {
      return { head: buffer.slice(0, at), rest: buffer.slice(at + HEAD_END.length, end) };
    }
    options.check?.(buffer.subarray(0, end));
  }
}

const HTTP_PREFIX = new TextEncoder().encode("HTTP/");

/**
 * Throws {@linkcode ProtocolError} unless `received` could be the start of an
 * HTTP response: every response begins with `HTTP/`. Pass it as `check` to
 * {@linkcode readHead} to fail at the first wrong byte.
 *
 * @example
 * ```ts
 * import { checkResponseStart } from "./http_head.ts";
 * import assert from "node:assert/strict";
 *
 * checkResponseStart(new TextEncoder().encode("HTT")); // fine so far
 * assert.throws(() => checkResponseStart(new TextEncoder().encode("SSH-2.0")), /not HTTP/);
 * ```
 */
export function checkResponseStart(received: Uint8Array): void {
  const n = Math.min(received.length, HTTP_PREFIX.length);
  for (let i = 0; i < n; i++) {
    if (received[i] !== HTTP_PREFIX[i]) {
      throw new ProtocolError(
        `the answer is not HTTP: it starts with ${printable(received.subarray(0, 24))}`,
        "is this an HTTP server? for https, write https://",
      );
    }
  }
}

/**
 * Throws {@linkcode ProtocolError} unless `received` could be the start of an
 * HTTP request: a method is letters (a token) followed by a space. A TLS
 * handshake sent to a plain-HTTP port (someone typed `https://`) starts with
 * byte 0x16 and is caught at once.
 *
 * @example
 * ```ts
 * import { checkRequestStart } from "./http_head.ts";
 * import assert from "node:assert/strict";
 *
 * checkRequestStart(new TextEncoder().encode("GET /ind"));
 * assert.throws(() => checkRequestStart(new Uint8Array([0x16, 0x03, 0x01])), /not HTTP/);
 * ```
 */
export function checkRequestStart(received: Uint8Array): void {
  for (let i = 0; i < received.length; i++) {
    const c = received[i];
    if (c === 0x20 && i > 0) return; // the space after the method
    if (!isTokenByte(c) || i >= 32) {
      throw new ProtocolError(
        `the request is not HTTP: it starts with ${printable(received.subarray(0, 24))}`,
        received[0] === 0x16 ? "that is a TLS handshake: use http://, not https://" : undefined,
      );
    }
  }
}

function isTokenByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

/** Bytes for an error message: ASCII as text, anything else as \xNN. */
export function printable(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0x0d) out += "\\r";
    else if (b === 0x0a) out += "\\n";
    else if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `"${out}"`;
}
