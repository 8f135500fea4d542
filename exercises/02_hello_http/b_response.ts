/**
 * # Exercise 02b · An answer a browser can trust: type, length in bytes, close
 *
 * Lesson 02, part 3 (`lessons/02_hello_http/answers.ts`). The tutorial
 * answers `HTTP/1.1 200 OK\r\n\r\n` and the page: no type, no length. The
 * browser guesses the charset and waits for the close to know where the page
 * ends. An answer that says both is what any HTTP client can rely on. The
 * catch: Content-Length counts bytes, and the page is Chinese, UTF-8, three
 * bytes a character.
 *
 * Check it:  deno task verify 02b        Stuck?  deno task hint 02b
 *
 * @module
 */

import type { ResponseOptions } from "../../lessons/02_hello_http.ts";
import { STATUS_TEXT } from "../../lib/http_message.ts";
import { concatBytes } from "../../lib/io.ts";

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
  // TODO(02b): after the status line, send three header fields, in this order:
  // Content-Type (options.contentType, else `text/html; charset=utf-8`),
  // Content-Length (the body's length in BYTES) and `Connection: close`, then
  // any options.fields; every line ends in \r\n and an empty line ends the
  // head. With options.headOnly, the same head and no body. When it works,
  // buildResponse(200, "你好") says `Content-Length: 6`, and fetch() reads the
  // lesson's page from it as text/html in UTF-8, every byte of it.
  return encoder.encode(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}\r\n\r\n${body}`);
}
