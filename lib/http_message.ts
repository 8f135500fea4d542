/**
 * The head of an HTTP/1.x message, as text: a start line, header fields, an
 * empty line (RFC 9112 §2-5).
 *
 *     GET / HTTP/1.1\r\n                 ← request line: method, target, version
 *     Host: example.com\r\n              ← fields: name ":" value
 *     \r\n                               ← the empty line ends the head
 *
 *     HTTP/1.1 200 OK\r\n                ← status line: version, status code, reason
 *     Content-Length: 12\r\n
 *     \r\n
 *
 * These functions parse heads that {@linkcode readHead} (in `http_head.ts`)
 * has cut from the stream, and write heads for servers. They check what a
 * peer sends, because a peer may send anything.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";

/** A header field: `name: value`, the name as it was sent. */
export interface Field {
  /** The field name, e.g. `Content-Type` (compare without case). */
  name: string;
  /** The value, surrounding spaces and tabs removed. */
  value: string;
}

/** A parsed request head. */
export interface RequestHead {
  /** `GET`, `HEAD`, `POST`... (case matters). */
  method: string;
  /** What is asked for, usually a path: `/`, `/favicon.ico`, `/search?q=tcp`. */
  target: string;
  /**
   * The version the request is processed as: `1.0` or `1.1`. A later minor
   * version (`HTTP/1.2`) is processed as `1.1` (RFC 9110 §2.5); `lines[0]`
   * keeps what was sent.
   */
  version: string;
  /** The header fields, in order. */
  fields: Field[];
  /** Every line of the head as received, the request line first. */
  lines: string[];
}

/** A parsed response head. */
export interface ResponseHead {
  /** `1.1` or `1.0`. */
  version: string;
  /** The three-digit status code: 200, 301, 404... */
  status: number;
  /** The reason phrase (`OK`, `Not Found`); may be empty, and means nothing to a program. */
  reason: string;
  /** The header fields, in order. */
  fields: Field[];
  /** Every line of the head as received, the status line first. */
  lines: string[];
}

/**
 * The request line named a major version of HTTP other than 1 (`HTTP/2.0`,
 * `HTTP/0.9`): the answer is 505 (RFC 9110 §15.6.6).
 */
export class HttpVersionError extends ProtocolError {
  /** See {@linkcode ProtocolError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "HttpVersionError";
  }
}

/** The reason phrases this project's servers send. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: "OK",
  301: "Moved Permanently",
  302: "Found",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

// A token: the characters RFC 9110 allows in a method or a field name.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
// The target is visible ASCII only (RFC 9112 §3.2: a URI): no NUL, no
// control character, no raw byte of another encoding.
const REQUEST_LINE = new RegExp(`^(${TOKEN}) ([!-~]+) HTTP/(\\d)\\.(\\d)$`);
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/;
const FIELD_NAME = new RegExp(`^${TOKEN}$`);
// C0 controls but tab, DEL, and the C1 controls (U+0080–U+009F).
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

const text = new TextDecoder();

/**
 * Splits a head (without its final empty line) into lines. A CR or LF left
 * inside a line means the peer ended lines some other way than CRLF.
 */
export function headLines(head: Uint8Array): string[] {
  const lines = text.decode(head).split("\r\n");
  for (const line of lines) {
    if (/[\r\n]/.test(line)) {
      throw new ProtocolError(
        "the head has a line ending in a bare CR or LF, not CRLF",
        "HTTP lines end in \\r\\n (with nc, use nc -C)",
      );
    }
  }
  return lines;
}

/**
 * Reads a request line: `METHOD SP target SP HTTP/x.y`, `x` and `y` one digit
 * each (RFC 9112 §2.3). Throws {@linkcode ProtocolError} (answer 400) for
 * anything else, and {@linkcode HttpVersionError} (answer 505) for a major
 * version other than 1. A minor version we don't know is no error: RFC 9110
 * §2.5 says to process `HTTP/1.2` as the highest 1.x we speak, so its
 * `version` is `1.1`.
 *
 * @example
 * ```ts
 * import { parseRequestLine } from "./http_message.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseRequestLine("GET /index.html HTTP/1.1"), {
 *   method: "GET",
 *   target: "/index.html",
 *   version: "1.1",
 * });
 * assert.equal(parseRequestLine("GET / HTTP/1.2").version, "1.1");
 * assert.throws(() => parseRequestLine("hello"), /not an HTTP request line/);
 * assert.throws(() => parseRequestLine("GET / HTTP/2.0"), /HTTP\/2\.0/);
 * ```
 */
export function parseRequestLine(
  line: string,
): { method: string; target: string; version: string } {
  const match = REQUEST_LINE.exec(line);
  if (!match) {
    throw new ProtocolError(
      `not an HTTP request line: ${quote(line)}`,
      'expected "METHOD /path HTTP/1.1"',
    );
  }
  const [, method, target, major, minor] = match;
  if (major !== "1") {
    throw new HttpVersionError(
      `HTTP/${major}.${minor} is not supported`,
      "speak HTTP/1.1 or HTTP/1.0",
    );
  }
  return { method, target, version: minor === "0" ? "1.0" : "1.1" };
}

/**
 * Reads a status line: `HTTP/x.y SP code SP reason`. Throws
 * {@linkcode ProtocolError} when the line is not one: the server does not
 * speak HTTP, or not on this port.
 *
 * @example
 * ```ts
 * import { parseStatusLine } from "./http_message.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseStatusLine("HTTP/1.1 404 Not Found"), {
 *   version: "1.1",
 *   status: 404,
 *   reason: "Not Found",
 * });
 * assert.throws(() => parseStatusLine("SSH-2.0-OpenSSH_9.6"), /not an HTTP status line/);
 * ```
 */
export function parseStatusLine(line: string): { version: string; status: number; reason: string } {
  const match = STATUS_LINE.exec(line);
  if (!match) {
    throw new ProtocolError(
      `not an HTTP status line: ${quote(line)}`,
      "is this an HTTP server? for https, write https://",
    );
  }
  const [, major, minor, code, reason = ""] = match;
  return { version: `${major}.${minor}`, status: Number(code), reason };
}

/**
 * Reads header field lines (`Name: value`). The name is a token with no space
 * before the colon (RFC 9112 §5.1: a space there has been used to smuggle
 * requests past proxies); spaces and tabs around the value are dropped.
 *
 * @example
 * ```ts
 * import { parseFields } from "./http_message.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseFields(["Host: example.com", "Accept:*\/*"]), [
 *   { name: "Host", value: "example.com" },
 *   { name: "Accept", value: "*\/*" },
 * ]);
 * assert.throws(() => parseFields(["Host : example.com"]), /field/);
 * ```
 */
export function parseFields(lines: readonly string[]): Field[] {
  return lines.map((line) => {
    const colon = line.indexOf(":");
    const name = line.slice(0, Math.max(colon, 0));
    if (colon <= 0 || !FIELD_NAME.test(name)) {
      throw new ProtocolError(
        `not a header field: ${quote(line)}`,
        'each header line is "Name: value"',
      );
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    // RFC 9110 §5.5: NUL and other control characters make a field invalid
    // (they have been used to split or smuggle headers, or to send escape
    // sequences to the terminal of whoever reads the log).
    if (CONTROL.test(value)) {
      throw new ProtocolError(
        `a header field holds a control character: ${quote(line)}`,
        "field values are visible characters, spaces and tabs",
      );
    }
    return { name, value };
  });
}

/**
 * Parses a request head (the bytes before the empty line).
 *
 * @example
 * ```ts
 * import { parseRequestHead } from "./http_message.ts";
 * import assert from "node:assert/strict";
 *
 * const head = parseRequestHead(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a"));
 * assert.equal(head.method, "GET");
 * assert.deepEqual(head.fields, [{ name: "Host", value: "a" }]);
 * ```
 */
export function parseRequestHead(head: Uint8Array): RequestHead {
  const lines = headLines(head);
  const [first, ...rest] = lines;
  return { ...parseRequestLine(first), fields: parseFields(rest), lines };
}

/**
 * Parses a response head (the bytes before the empty line).
 *
 * @example
 * ```ts
 * import { fieldValue, parseResponseHead } from "./http_message.ts";
 * import assert from "node:assert/strict";
 *
 * const head = parseResponseHead(
 *   new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 5"),
 * );
 * assert.equal(head.status, 200);
 * assert.equal(fieldValue(head.fields, "content-length"), "5");
 * ```
 */
export function parseResponseHead(head: Uint8Array): ResponseHead {
  const lines = headLines(head);
  const [first, ...rest] = lines;
  return { ...parseStatusLine(first), fields: parseFields(rest), lines };
}

/** Every value of the fields called `name` (any case), in order. */
export function fieldValues(fields: readonly Field[], name: string): string[] {
  const wanted = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === wanted).map((f) => f.value);
}

/**
 * The value of the field called `name` (any case); several fields of that
 * name are joined with `, ` as RFC 9110 §5.3 says. `undefined` if absent.
 */
export function fieldValue(fields: readonly Field[], name: string): string | undefined {
  const values = fieldValues(fields, name);
  return values.length === 0 ? undefined : values.join(", ");
}

const encoder = new TextEncoder();

/**
 * Writes a head: the start line, one `Name: value` line per field, the empty
 * line. Every line ends in CRLF.
 *
 * @example
 * ```ts
 * import { encodeHead } from "./http_message.ts";
 * import assert from "node:assert/strict";
 *
 * const head = encodeHead("HTTP/1.1 404 Not Found", [["Content-Length", "0"]]);
 * assert.equal(new TextDecoder().decode(head), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
 * ```
 */
export function encodeHead(
  startLine: string,
  fields: readonly (readonly [name: string, value: string])[],
): Uint8Array {
  const lines = [startLine, ...fields.map(([name, value]) => `${name}: ${value}`)];
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new RangeError(`a head line may not hold CR or LF: ${line}`);
  }
  return encoder.encode(lines.map((line) => `${line}\r\n`).join("") + "\r\n");
}

/** A line for an error message: quoted, control bytes shown, cut at 60 characters. */
function quote(line: string): string {
  const shown = JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
  return shown;
}
