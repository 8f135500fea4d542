/**
 * # Exercise 02b · An answer a browser can trust: type, length in bytes, close (the reference solution)
 *
 * @module
 */

import type { ResponseOptions } from "../../../lessons/02_hello_http.ts";
import { STATUS_TEXT } from "../../../lib/http_message.ts";
import { concatBytes } from "../../../lib/io.ts";

const encoder = new TextEncoder();

/**
 * The answer's bytes: the status line, the fields, the empty line, then
 * `body` as UTF-8 (no body when `options.headOnly`, the answer to HEAD).
 */
export function buildResponse(
  status: number,
  body: string,
  options: ResponseOptions = {},
): Uint8Array {
  const bytes = encoder.encode(body); // "你好" is 2 characters, 6 bytes
  const fields = [
    ["Content-Type", options.contentType ?? "text/html; charset=utf-8"],
    ["Content-Length", String(bytes.length)],
    ["Connection", "close"],
    ...(options.fields ?? []),
  ];
  const statusLine = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd();
  const lines = [statusLine, ...fields.map(([name, value]) => `${name}: ${value}`)];
  const head = encoder.encode(lines.map((line) => `${line}\r\n`).join("") + "\r\n");
  return options.headOnly ? head : concatBytes([head, bytes]);
}
