/**
 * # 02 · What to answer, byte for byte
 *
 * The tutorial answers every request with the same bytes:
 *
 *     HTTP/1.1 200 OK\r\n
 *     \r\n
 *     <html>...<h1>Hello World</h1>...</html>
 *
 * A status line, the empty line that ends the head, the page. It works: a
 * browser finds the charset in the page's `<meta charset="utf-8">` (it scans
 * the first 1024 bytes for one), and takes the close of the connection as the
 * end of the page (RFC 9112 §6.3: no length given, the body ends with the
 * connection). This step says both in the head instead, answers the paths and
 * methods a browser really sends, and gives each bad request its status.
 *
 * @module
 */

import { LimitError, ProtocolError } from "../../lib/errors.ts";
import {
  encodeHead,
  fieldValues,
  HttpVersionError,
  type RequestHead,
  STATUS_TEXT,
} from "../../lib/http_message.ts";
import { concatBytes } from "../../lib/io.ts";

/** The tutorial's answer, byte for byte: a status line, the empty line, the page. */
export const TUTORIAL_ANSWER = "HTTP/1.1 200 OK\r\n\r\n" +
  '<html><head><title>客户端请求</title></head><body><meta charset="utf-8">' +
  "<h1>Hello World</h1></body></html>";

/**
 * The page: the tutorial's, with `<meta charset>` moved into the head where
 * HTML puts it. The text is Chinese, so the page has more bytes than characters.
 */
export const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>客户端请求</title></head>
<body><h1>Hello World</h1><p>这一页来自一个原始的 TCP 套接字。</p></body></html>
`;

const encoder = new TextEncoder();

/** Options for {@linkcode buildResponse}. */
export interface ResponseOptions {
  /** What the body is. Default `text/html; charset=utf-8`. */
  contentType?: string;
  /** Answer to a HEAD request: the same head, no body. */
  headOnly?: boolean;
  /** More header fields, e.g. `["Allow", "GET, HEAD"]`. */
  fields?: readonly (readonly [string, string])[];
}

/**
 * An answer, byte for byte: the tutorial's status line, then three fields.
 *
 * @example
 * ```ts
 * import { buildResponse } from "./answers.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = buildResponse(200, "你好");
 * assert.equal(
 *   new TextDecoder().decode(bytes),
 *   "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" +
 *     "Content-Length: 6\r\nConnection: close\r\n\r\n你好",
 * );
 * ```
 */
export function buildResponse(
  status: number,
  body: string,
  options: ResponseOptions = {},
): Uint8Array {
  const bytes = encoder.encode(body);
  const head = encodeHead(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd(), [
    // What the body is, and how its text is encoded. With no charset here nor
    // in the page, headless Chromium read 客户端请求 as windows-1252 mojibake.
    ["Content-Type", options.contentType ?? "text/html; charset=utf-8"],
    // How many bytes follow the head: "你好" is 2 characters but 6 bytes.
    ["Content-Length", String(bytes.length)],
    // We close after this answer; the client should not send another request.
    ["Connection", "close"],
    ...(options.fields ?? []),
  ]);
  return options.headOnly ? head : concatBytes([head, bytes]);
}

/** An answer to send: its status code, for the log, and its bytes. */
export interface Answer {
  /** The status code. */
  status: number;
  /** The bytes to write. */
  bytes: Uint8Array;
}

/**
 * What to answer a well-formed request: the page for `GET /`, `404` for any
 * other path (a browser's `/favicon.ico` among them), `405` for methods other
 * than GET and HEAD, `400` for a request whose Host is missing (HTTP/1.1) or
 * given twice.
 *
 * @example
 * ```ts
 * import { answerRequest } from "./answers.ts";
 * import assert from "node:assert/strict";
 *
 * const request = (method: string, target: string) => ({
 *   method, target, version: "1.1", fields: [{ name: "Host", value: "x" }], lines: [],
 * });
 * assert.equal(answerRequest(request("GET", "/")).status, 200);
 * assert.equal(answerRequest(request("GET", "/favicon.ico")).status, 404);
 * assert.equal(answerRequest(request("POST", "/")).status, 405);
 * ```
 */
export function answerRequest(request: RequestHead): Answer {
  const headOnly = request.method === "HEAD";
  if (request.method !== "GET" && !headOnly) {
    return errorAnswer(405, `${request.method} is not supported here`, {
      fields: [["Allow", "GET, HEAD"]],
    });
  }
  // RFC 9112 §3.2: an HTTP/1.1 request (and HTTP/1.2, served as 1.1) must
  // carry Host, and no request may carry two. The tutorial's own client (its
  // example 2) sends none; a server must answer that with exactly this 400.
  const hosts = fieldValues(request.fields, "host");
  if (hosts.length > 1) {
    return errorAnswer(400, "a request may have only one Host header", { headOnly });
  }
  if (hosts.length === 0 && request.version !== "1.0") {
    return errorAnswer(400, "an HTTP/1.1 request must have a Host header", { headOnly });
  }
  const path = requestPath(request.target);
  if (path === "/" || path === "/index.html") {
    return { status: 200, bytes: buildResponse(200, PAGE, { headOnly }) };
  }
  return errorAnswer(404, `nothing here at ${path}`, { headOnly });
}

/** The path of a request target, without its query: `/a?b=1` → `/a`. */
function requestPath(target: string): string {
  try {
    // A target may be a path (origin form) or a whole URL (absolute form).
    return new URL(target, "http://localhost").pathname;
  } catch {
    return target;
  }
}

/** A short error answer, as plain text a person reading `curl` output understands. */
export function errorAnswer(status: number, why: string, options: ResponseOptions = {}): Answer {
  const body = `${status} ${STATUS_TEXT[status] ?? ""}: ${why}\n`;
  return {
    status,
    bytes: buildResponse(status, body, { contentType: "text/plain; charset=utf-8", ...options }),
  };
}

/**
 * The status that answers a request we could not read: `431` for a head over
 * the limit (RFC 6585 §5), `505` for a major version of HTTP we do not speak
 * (RFC 9110 §15.6.6), `400` for anything else that is not HTTP. `undefined`
 * when no answer makes sense: the client went silent or hung up mid-head.
 *
 * @example
 * ```ts
 * import { errorStatus } from "./answers.ts";
 * import { LimitError } from "../../lib/errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errorStatus(new LimitError("the request head is longer than 16384 bytes")), 431);
 * assert.equal(errorStatus(new Deno.errors.ConnectionReset("reset")), undefined);
 * ```
 */
export function errorStatus(err: unknown): number | undefined {
  if (err instanceof LimitError) return 431;
  if (err instanceof HttpVersionError) return 505;
  if (err instanceof ProtocolError) return 400;
  return undefined;
}
