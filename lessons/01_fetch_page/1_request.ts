/**
 * # 01 · Step 1: the request, byte for byte
 *
 * The tutorial writes its request as one bytes literal:
 *
 *     s.send(b'GET / HTTP/1.1\r\nHost: www.sina.com.cn\r\nConnection: close\r\n\r\n')
 *
 * Here it is built from a URL, line by line, for any page: the method, the
 * path and the protocol version; then header fields, `Name: value`; then an
 * empty line, which ends the head. Every line ends in `\r\n`. A GET has no
 * body, so the empty line is the last thing we send.
 *
 * Run it:  deno run lessons/01_fetch_page/1_request.ts http://www.sina.com.cn/news?x=1#top
 *
 * @module
 */

import { UsageError } from "../../lib/errors.ts";

/** Who we say we are: some servers refuse requests without a `User-Agent`. */
export const USER_AGENT = "socket-lessons/1.0";

/** What a URL tells the client: where to connect and what to ask for. */
export interface Target {
  /** The URL, parsed. */
  url: URL;
  /** `true` for `https://`: speak TLS on the connection (step 5). */
  tls: boolean;
  /** Host name or address to connect to (an IPv6 address without brackets). */
  hostname: string;
  /** Port: from the URL, else 80 for http and 443 for https. */
  port: number;
  /** The request target: path and query, never the `#fragment` (that stays in the browser). */
  path: string;
  /** The `Host` header: the host, plus `:port` when it is not the scheme's default. */
  host: string;
}

/**
 * Reads a URL the way a browser's address bar does, keeping only what goes
 * on the wire.
 *
 * @example
 * ```ts
 * import { parseTarget } from "./1_request.ts";
 * import assert from "node:assert/strict";
 *
 * const t = parseTarget("http://127.0.0.1:8080/search?q=tcp#results");
 * assert.deepEqual([t.hostname, t.port, t.path, t.host], ["127.0.0.1", 8080, "/search?q=tcp", "127.0.0.1:8080"]);
 * assert.equal(parseTarget("https://example.com").port, 443);
 * assert.throws(() => parseTarget("example.com"), /is not a URL/);
 * ```
 */
export function parseTarget(text: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL`, `write it with its scheme: http://${text}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `"${text}" is not an http:// or https:// URL`,
      `write it with its scheme: http://${url.host || text}`,
    );
  }
  if (url.username || url.password) {
    throw new UsageError("user names and passwords in URLs are not supported", "remove them");
  }
  const tls = url.protocol === "https:";
  return {
    url,
    tls,
    // URL writes an IPv6 address as [::1]; the socket wants ::1.
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? (tls ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
    // `url.host` already leaves out a default port (80 for http, 443 for https).
    host: url.host,
  };
}

/**
 * The request, byte for byte.
 *
 * @example
 * ```ts
 * import { buildRequest, parseTarget } from "./1_request.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   buildRequest(parseTarget("http://www.sina.com.cn/")),
 *   "GET / HTTP/1.1\r\nHost: www.sina.com.cn\r\nUser-Agent: socket-lessons/1.0\r\n" +
 *     "Accept: *\/*\r\nConnection: close\r\n\r\n",
 * );
 * ```
 */
export function buildRequest(target: Target): string {
  return [
    // Method, what we want, and the protocol version.
    `GET ${target.path} HTTP/1.1`,
    // One address can serve many sites: Host says which one. A server MUST
    // answer an HTTP/1.1 request without it with 400 Bad Request (RFC 9112
    // §3.2; Node.js does, Python's http.server does not check). The
    // «25.Python 网络编程» example sends none.
    `Host: ${target.host}`,
    `User-Agent: ${USER_AGENT}`,
    `Accept: */*`,
    // The tutorial's loop reads until the server closes the connection, and
    // this line asks it to close once it has answered. Without it, an
    // HTTP/1.1 server keeps the connection open for a next request
    // (keep-alive, RFC 9112 §9.3), and the loop waits until the server gives
    // up on the idle connection: after its keep-alive timeout (Node.js: 5 s,
    // nginx: 75 s by default), or never for a server that has none (Deno.serve,
    // and Python's http.server set to HTTP/1.1, still held it after 200 s
    // and 15 s here). The demo shows the wait.
    `Connection: close`,
    // The empty line: the head is over.
    ``,
    ``,
  ].join("\r\n");
}

if (import.meta.main) {
  const request = buildRequest(parseTarget(Deno.args[0] ?? "http://www.sina.com.cn/"));
  for (const line of request.split("\r\n").slice(0, -1)) console.log(`${line}\\r\\n`);
}
