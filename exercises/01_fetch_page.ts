/**
 * # Exercise 01 · Fetch a web page with nothing but a TCP socket
 *
 * Fill in the four TODOs below: the tutorial's receive loop (read until the
 * server closes), the tutorial's whole client (read everything, split at the
 * first `\r\n\r\n`), reading the response head off the stream, and
 * feeding a chunked body to the decoder. Everything else (the URL, the
 * request, TLS, timeouts, the chunk decoder itself in lib/http_chunked.ts,
 * saving the file) is done for you. Check your work with:
 *
 *   deno task verify 01        (the same tests as lessons/01_fetch_page.ts)
 *   deno task hint 01          (one more hint each time you ask)
 *
 * Stuck for good? lessons/01_fetch_page.ts is the worked answer.
 *
 * @module
 */

// Until the TODOs are filled in, some imports and helpers are unused, a
// variable is assigned only once and a generator has nothing to yield: that
// is expected.
// deno-lint-ignore-file no-unused-vars prefer-const require-yield

import { formatAddr } from "../lib/addr.ts";
import { writeFileAtomically } from "../lib/atomic_file.ts";
import { helpRequested, intFlag, parseFlags, runMain } from "../lib/cli.ts";
import {
  LessonError,
  LimitError,
  ProtocolError,
  TimeoutError,
  UnexpectedEofError,
  UsageError,
} from "../lib/errors.ts";
import { ChunkedDecoder, encodeChunk, LAST_CHUNK } from "../lib/http_chunked.ts";
import { checkRequestStart, checkResponseStart, HEAD_END, readHead } from "../lib/http_head.ts";
import {
  encodeHead,
  type Field,
  fieldValue,
  fieldValues,
  parseResponseHead,
  type ResponseHead,
} from "../lib/http_message.ts";
import { IdleTimeout } from "../lib/idle_timeout.ts";
import { concatBytes, indexOf, readChunk, type Reader, writeAll, type Writer } from "../lib/io.ts";
import { shutdownAndDrain } from "../lib/linger.ts";
import { type Log, prefixed, silent, toConsole } from "../lib/log.ts";
import { closeQuietly, serveTcp, type TcpServer } from "../lib/server.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { todo } from "./_todo.ts";

/** How long to wait for a connection, a handshake or the next bytes unless told. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The largest body saved unless told: 64 MiB. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The longest response head accepted: 64 KiB (real heads are under 8 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

/** How much one read asks for. The tutorial asks for 1024; bigger reads mean fewer calls. */
export const READ_SIZE = 16 * 1024;

/** Who we say we are: some servers refuse requests without a `User-Agent`. */
export const USER_AGENT = "socket-lessons/1.0";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a URL tells the client: where to connect and what to ask for. */
export interface Target {
  /** The URL, parsed. */
  url: URL;
  /** `true` for `https://`: speak TLS on the connection. */
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
 * ```ts ignore
 * import { parseTarget } from "./01_fetch_page.ts";
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
 * The request, byte for byte. Each line ends in `\r\n` and an empty line ends
 * the head; a GET has no body.
 *
 * @example
 * ```ts ignore
 * import { buildRequest, parseTarget } from "./01_fetch_page.ts";
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
    // One address can serve many sites: Host says which one. HTTP/1.1
    // requires it (seed 004 leaves it out; a strict server answers 400).
    `Host: ${target.host}`,
    `User-Agent: ${USER_AGENT}`,
    `Accept: */*`,
    // Ask the server to close the connection after its answer. That close is
    // what ends the tutorial's `while True: recv()` loop; without it an
    // HTTP/1.1 server keeps the connection open for the next request, and
    // the loop waits for ever.
    `Connection: close`,
    // The empty line: the head is over.
    ``,
    ``,
  ].join("\r\n");
}

/** How the body's end is marked (RFC 9112 §6.3), from the response head. */
export type Framing =
  | { kind: "chunked" }
  | { kind: "length"; length: number }
  | { kind: "close" }
  | { kind: "none" };

/**
 * Reads from the head how the body is framed: chunked (the sizes are in the
 * body), a `Content-Length`, or "until the server closes". Some answers have
 * no body at all: 1xx, `204 No Content`, `304 Not Modified`.
 *
 * @example
 * ```ts ignore
 * import { bodyFraming } from "./01_fetch_page.ts";
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

/** A connection as this lesson uses it: read, write, close. A `Deno.Conn` is one. */
export type Connection = Reader & Writer & { close(): void };

/** Options for {@linkcode fetchPage}. */
export interface FetchOptions {
  /** Give up after this long without progress (connect, handshake, each read). Default 10 s. */
  timeoutMs?: number;
  /** Refuse a body longer than this many bytes. Default 64 MiB. */
  maxBytes?: number;
  /** Extra certificate authorities (PEM) to trust for https: a test's own. */
  caCerts?: string[];
  /** Opens the connection; tests replace it to watch each read. */
  connect?: (
    target: Target,
    options: { timeoutMs: number; caCerts?: string[] },
  ) => Promise<Connection>;
  /** Where the fetch narrates: the request, the response head, the body's framing. */
  log?: Log;
}

/** What {@linkcode fetchPage} got. */
export interface FetchResult {
  /** Where it went. */
  target: Target;
  /** The request exactly as sent. */
  request: string;
  /** The response head. */
  head: ResponseHead;
  /** How the body was framed. */
  framing: Framing;
  /** The body, decoded: what a browser would see and what gets saved. */
  body: Uint8Array;
  /** For a chunked body: how many chunks it came in. */
  chunks: number;
  /** For a chunked body: trailer fields after the last chunk. */
  trailers: Field[];
}

/**
 * The whole fetch: connect (TCP, plus TLS for https), send the request, read
 * the head, read the body as the head says, and return it. Writes nothing to
 * disk: see {@linkcode savePage}.
 *
 * @example Against a server that answers with a Content-Length
 * ```ts ignore
 * import { fetchPage } from "./01_fetch_page.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = (async () => {
 *   using conn = await listener.accept();
 *   await conn.read(new Uint8Array(1024));
 *   await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello"));
 * })();
 * const page = await fetchPage(`http://127.0.0.1:${listener.addr.port}/`);
 * await serving;
 * assert.equal(page.head.status, 200);
 * assert.equal(new TextDecoder().decode(page.body), "Hello");
 * ```
 */
export async function fetchPage(
  url: string | Target,
  options: FetchOptions = {},
): Promise<FetchResult> {
  const target = typeof url === "string" ? parseTarget(url) : url;
  const log = options.log ?? silent;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const where = formatAddr({ hostname: target.hostname, port: target.port });

  // Step 1. Python: s = socket.socket(); s.connect(('www.sina.com.cn', 80))
  const connect = options.connect ?? openConnection;
  const conn = await connect(target, { timeoutMs, caCerts: options.caCerts });
  try {
    log(`Connected to ${where}${target.tls ? " (TLS)" : ""}. Sending:`);

    // Step 2. Python: s.send(b'GET / HTTP/1.1\r\nHost: ...\r\n\r\n'), but all
    // of it: write() may take only part (the lib's writeAll is Python's sendall).
    const request = buildRequest(target);
    for (const line of request.split("\r\n").slice(0, -1)) log(`> ${line}`);
    const timeout = new IdleTimeout(
      conn,
      timeoutMs,
      () =>
        new TimeoutError(
          `${where} sent nothing for ${timeoutMs} ms`,
          "the server went quiet; try again or raise --timeout-ms",
        ),
    );
    await timeout.run(() => writeAll(conn, encoder.encode(request)));

    // Step 3. Read the head: everything up to the first empty line. Each
    // read waits at most timeoutMs, like Python's s.settimeout().
    let reader: Reader = timeout.reader(conn);
    let head: ResponseHead;
    // TODO 1: read the head off the stream, and keep the bytes that came after it.
    //   Python: header, html = data.split(b'\r\n\r\n', 1), once everything has arrived.
    //   Here we stop reading at the empty line instead: the head says how the
    //   body is framed (chunked, Content-Length), so we need it first.
    //   Deno:   const cut = await readHead(reader, {
    //             maxBytes: MAX_HEAD_BYTES, what: "response", check: checkResponseStart });
    //           cut === null means the server closed without a byte: throw new ProtocolError(
    //             `${where} closed the connection without answering`,
    //             target.tls ? "is it an https server?" : "is it an http server? for https, write https://");
    //           head = parseResponseHead(cut.head);
    //           reader = unread(reader, cut.rest);   // the bytes after the empty line start the body
    //   A 1xx head (103 Early Hints) is only a preview: do all this in a
    //   do { ... } while (head.status >= 100 && head.status < 200) loop.
    head = todo(
      "01",
      "read the response head with readHead and put back the bytes after it (fetchPage)",
    );
    for (const line of head.lines) log(`< ${line}`);
    log("<");

    // Step 4. Read the body, framed as the head says.
    const framing = bodyFraming(head);
    const body = await readBody(reader, framing, maxBytes);
    log(describeBody(framing, body));
    return { target, request, head, framing, ...body };
  } finally {
    closeQuietly(conn);
  }
}

/**
 * Opens the connection for a target: TCP, and for https a TLS session on top
 * of it. `Deno.connectTls({ hostname, port: 443 })` does both steps in one
 * call; we take them one at a time, so the TCP step (its timeout, its errors)
 * is the very same code as for http.
 */
export async function openConnection(
  target: Target,
  options: { timeoutMs: number; caCerts?: string[] },
): Promise<Connection> {
  const where = formatAddr({ hostname: target.hostname, port: target.port });
  // Python: s.connect((host, port)): DNS lookup, then the three-way handshake.
  const tcp = await connectTcp({
    host: target.hostname,
    port: target.port,
    timeoutMs: options.timeoutMs,
    hint: "check the host and port in the URL",
  });
  if (!target.tls) return tcp;

  // Python: ssl.create_default_context().wrap_socket(s, server_hostname=host).
  // The TLS handshake checks the server's certificate against the name we
  // asked for, then encrypts everything above: the HTTP bytes do not change.
  let tls: Deno.TlsConn;
  try {
    tls = await Deno.startTls(tcp, { hostname: target.hostname, caCerts: options.caCerts });
  } catch (err) {
    closeQuietly(tcp);
    throw err;
  }
  const timeout = new IdleTimeout(
    tls,
    options.timeoutMs,
    () =>
      new TimeoutError(
        `the TLS handshake with ${where} did not finish in ${options.timeoutMs} ms`,
        "is it an https server? raise --timeout-ms",
      ),
  );
  try {
    await timeout.run(() => tls.handshake());
  } catch (err) {
    closeQuietly(tls);
    throw explainTlsError(err, where);
  }
  return tls;
}

/** A failed TLS handshake, in words. */
function explainTlsError(err: unknown, where: string): unknown {
  if (err instanceof LessonError || !(err instanceof Error)) return err;
  const options = { cause: err };
  if (/certificate/i.test(err.message)) {
    return new LessonError(
      `${where} showed a TLS certificate we do not trust (${err.message})`,
      "the certificate is expired, for another name, or not signed by a known authority",
      options,
    );
  }
  if (/corrupt message|InvalidContentType|wrong version/i.test(err.message)) {
    return new ProtocolError(
      `${where} does not speak TLS`,
      "is it a plain http:// server?",
      options,
    );
  }
  return new LessonError(
    `the TLS handshake with ${where} failed: ${err.message}`,
    "is it an https server?",
    options,
  );
}

/** A reader that first hands out `bytes`, then reads from `reader`. */
function unread(reader: Reader, bytes: Uint8Array): Reader {
  let pending = bytes;
  return {
    read(p) {
      if (pending.length === 0) return reader.read(p);
      const n = Math.min(p.length, pending.length);
      p.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return Promise.resolve(n);
    },
  };
}

/**
 * The tutorial's receive loop, `while True: d = s.recv(1024); if d: ... else:
 * break`, as a generator: yields each read's bytes until end of stream. The
 * bytes are a view into one reused buffer, valid until the next read.
 */
async function* reads(reader: Reader): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(READ_SIZE);
  // TODO 2: the tutorial's receive loop: yield the bytes of each read until the server closes.
  //   Python: while True:
  //               d = s.recv(1024)
  //               if d: buffer.append(d)
  //               else: break
  //   Deno:   const n = await reader.read(buffer);   // how many bytes arrived; null at the end
  //           if (n === null) return;                // Python's b'': the server closed
  //           yield buffer.subarray(0, n);           // only the n bytes that arrived
  //   One buffer, reused for every read: the caller copies what it keeps.
  todo("01", "read until the end of the stream, yielding each read's bytes (reads)");
}

/**
 * Collects body pieces with a size limit. Each piece is copied once into a
 * list and the list is joined once at the end: the tutorial's
 * `l.append(d)` + `b''.join(l)`, which is linear, not `data = data + d`,
 * which copies everything received so far on every read.
 */
class BodyCollector {
  readonly #pieces: Uint8Array[] = [];
  #length = 0;
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#length;
  }

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

  bytes(): Uint8Array {
    return concatBytes(this.#pieces);
  }
}

/** Reads a body framed as `framing` from `reader`. */
export async function readBody(
  reader: Reader,
  framing: Framing,
  maxBytes: number,
): Promise<{ body: Uint8Array; chunks: number; trailers: Field[] }> {
  const body = new BodyCollector(maxBytes);
  switch (framing.kind) {
    case "none":
      return { body: new Uint8Array(0), chunks: 0, trailers: [] };

    case "chunked": {
      // Sizes in hex, data, CRLF, ..., then a size-0 chunk. The decoder keeps
      // its place, so a read may end anywhere, even between \r and \n.
      const chunked = new ChunkedDecoder();
      // TODO 3: feed every read to the decoder; keep only the data it hands back.
      //   Python: the tutorials save everything after the head, chunk sizes included.
      //   Deno:   for await (const bytes of reads(reader)) {
      //             for (const piece of chunked.push(bytes)) body.add(piece);  // add() enforces --max-bytes
      //             if (chunked.done) break;   // the last chunk arrived: the body is complete,
      //           }                            // whatever the server does with the connection next
      //           chunked.finish();            // throws if the server closed before the last chunk
      //           return { body: body.bytes(), chunks: chunked.chunks, trailers: chunked.trailers };
      return todo(
        "01",
        "push each read into the ChunkedDecoder and collect the body pieces (readBody)",
      );
    }

    case "length": {
      const { length } = framing;
      if (length > maxBytes) {
        throw new LimitError(
          `the body is ${length} bytes (Content-Length), over the limit of ${maxBytes}`,
          "raise --max-bytes to save it",
        );
      }
      // Read exactly `length` bytes; stop there, even if the server keeps
      // the connection open.
      for await (const bytes of reads(reader)) {
        body.add(bytes.subarray(0, length - body.length));
        if (body.length === length) break;
      }
      if (body.length < length) {
        throw new UnexpectedEofError(
          `the body was cut off after ${body.length} of ${length} bytes (Content-Length)`,
          "the connection closed early; try again",
        );
      }
      return { body: body.bytes(), chunks: 0, trailers: [] };
    }

    case "close": {
      // No length given: the body is everything until the server closes.
      for await (const bytes of reads(reader)) body.add(bytes);
      return { body: body.bytes(), chunks: 0, trailers: [] };
    }
  }
}

/** One line saying how the body arrived. */
function describeBody(framing: Framing, body: { body: Uint8Array; chunks: number }): string {
  const bytes = `${body.body.length} byte${body.body.length === 1 ? "" : "s"}`;
  switch (framing.kind) {
    case "none":
      return "No body: this status never has one.";
    case "chunked":
      return `Body: ${bytes}, sent in ${body.chunks} chunk${
        body.chunks === 1 ? "" : "s"
      } (Transfer-Encoding: chunked); the chunk sizes were removed.`;
    case "length":
      return `Body: ${bytes} (Content-Length).`;
    case "close":
      return `Body: ${bytes}, read until the server closed the connection.`;
  }
}

/**
 * Where a redirect points, as an absolute URL, or `undefined` if the answer is
 * not a redirect. This lesson does not follow redirects: it says where to go.
 *
 * @example
 * ```ts ignore
 * import { redirectTarget } from "./01_fetch_page.ts";
 * import assert from "node:assert/strict";
 *
 * const head = { version: "1.1", status: 301, reason: "Moved Permanently", lines: [],
 *   fields: [{ name: "Location", value: "/new" }] };
 * assert.equal(redirectTarget(head, new URL("http://example.com/old")), "http://example.com/new");
 * ```
 */
export function redirectTarget(head: ResponseHead, base: URL): string | undefined {
  if (head.status < 300 || head.status >= 400) return undefined;
  const location = fieldValue(head.fields, "location");
  if (location === undefined) return undefined;
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

/**
 * The file a page is saved to unless `--out` says otherwise: `<host>.html`,
 * like the tutorials' `sina.html` and `baidu.html`.
 *
 * @example
 * ```ts ignore
 * import { defaultOutFile, parseTarget } from "./01_fetch_page.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultOutFile(parseTarget("https://www.sina.com.cn/news")), "www.sina.com.cn.html");
 * assert.equal(defaultOutFile(parseTarget("http://[::1]:8000/")), "__1.html");
 * ```
 */
export function defaultOutFile(target: Target): string {
  return `${target.hostname.replace(/[^A-Za-z0-9.-]/g, "_")}.html`;
}

/**
 * Python's `with open('sina.html', 'wb') as f: f.write(html)`, made safe: the
 * bytes go to a temporary file in the same folder, which is then renamed over
 * `path` (see lib/atomic_file.ts). Anyone opening `path` sees the old file or
 * the whole new page, and a failure leaves no half-written page behind.
 */
export async function savePage(path: string, body: Uint8Array): Promise<void> {
  await writeFileAtomically(
    path,
    body,
    "`deno task 01` may write only in the project folder: choose --out there, or run " +
      "deno run --allow-net --allow-read=DIR --allow-write=DIR lessons/01_fetch_page.ts URL --out DIR/page.html",
  );
}

/**
 * The tutorial's client, line for line (seed 000): send the request, read
 * 1024 bytes at a time until the server closes, split at the first
 * `\r\n\r\n`. What it calls `html` is everything after the head, chunk sizes
 * included: the lesson's demo shows what that does to a chunked page.
 */
export async function fetchLikeTheTutorial(
  options: { host?: string; port: number; request: string },
): Promise<{ header: string; html: Uint8Array }> {
  // Python: s = socket.socket(AF_INET, SOCK_STREAM); s.connect((host, 80))
  using s = await connectTcp({ host: options.host, port: options.port });
  // Python: s.send(b'GET / HTTP/1.1\r\nHost: ...\r\nConnection: close\r\n\r\n')
  await writeAll(s, encoder.encode(options.request));
  // TODO 4: the tutorial's client: read until the server closes, then split at the first empty line.
  //   Python: buffer = []
  //           while True:
  //               d = s.recv(1024)
  //               if d: buffer.append(d)
  //               else: break
  //           data = b''.join(buffer)
  //           header, html = data.split(b'\r\n\r\n', 1)
  //   Deno:   await readChunk(s, 1024) is s.recv(1024): the bytes that arrived, or null at the end
  //           concatBytes(buffer) is b''.join(buffer)
  //           indexOf(data, HEAD_END) is where the first \r\n\r\n starts (-1: there is none:
  //             throw new ProtocolError("the answer has no \\r\\n\\r\\n: no head"))
  //           return { header: decoder.decode(data.subarray(0, at)),
  //                    html: data.subarray(at + HEAD_END.length) };
  todo(
    "01",
    "read until the server closes, then split at the first \\r\\n\\r\\n (fetchLikeTheTutorial)",
  );
}

/** The page the demo server sends: three pieces, so three chunks. Chinese too, so bytes ≠ characters. */
export const DEMO_PAGE_PIECES: readonly string[] = [
  '<!doctype html>\n<html><head><meta charset="utf-8"><title>你好</title></head>\n',
  "<body><h1>Hello from a chunked server</h1>\n<p>这一页分三块发送。</p>\n",
  "</body></html>\n",
];

/** Options for {@linkcode startChunkedServer}. */
export interface ChunkedServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 0: any free port. */
  port?: number;
  /** The body, in the pieces it is sent in (one chunk each). Default {@linkcode DEMO_PAGE_PIECES}. */
  pieces?: readonly string[];
  /** Where the server narrates. */
  log?: Log;
}

/**
 * A small HTTP server that answers every request with a chunked page, the way
 * a server that generates a page piece by piece does: it does not know the
 * length when it starts sending, so it cannot send `Content-Length`.
 */
export function startChunkedServer(options: ChunkedServerOptions = {}): TcpServer {
  const log = options.log ?? silent;
  const pieces = (options.pieces ?? DEMO_PAGE_PIECES).map((p) => encoder.encode(p));
  const listener = listenTcp({ host: options.host, port: options.port ?? 0 });
  return serveTcp(listener, async (conn) => {
    const cut = await readHead(conn, {
      maxBytes: 16 * 1024,
      what: "request",
      check: checkRequestStart,
    });
    if (cut === null) return;
    log(`Request: ${decoder.decode(cut.head).split("\r\n")[0]}`);
    await writeAll(
      conn,
      encodeHead("HTTP/1.1 200 OK", [
        ["Content-Type", "text/html; charset=utf-8"],
        ["Transfer-Encoding", "chunked"],
        ["Connection", "close"],
      ]),
    );
    // One write per chunk: size line, data, CRLF. Then the size-0 chunk.
    for (const piece of pieces) await writeAll(conn, encodeChunk(piece));
    await writeAll(conn, LAST_CHUNK);
    log(`Answered with ${pieces.length} chunks.`);
    await shutdownAndDrain(conn);
  }, { log });
}

/**
 * The narrated demo, offline: a local server answers chunked; first the
 * tutorial's client fetches the page and saves the chunk sizes with it, then
 * this lesson's client decodes it.
 */
export async function demo(log: Log): Promise<void> {
  // Step 1: a server on a free port that answers chunked, like most real ones.
  await using server = startChunkedServer({ log: prefixed(log, "server") });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const target = parseTarget(url);

  // Step 2: the tutorial's way: read everything, split at the first blank line.
  log(`The tutorial's client fetches ${url} and keeps everything after the head:`);
  const naive = await fetchLikeTheTutorial({
    port: server.addr.port,
    request: buildRequest(target),
  });
  for (const line of decoder.decode(naive.html).split("\n")) {
    log(`  | ${line.replaceAll("\r", "\\r")}`);
  }
  const sizes = DEMO_PAGE_PIECES.map((p) => encoder.encode(p).length.toString(16));
  log(
    `The lines ${[...sizes, "0"].join(", ")} are chunk sizes in hex, and the \\r after each ` +
      `chunk is the CRLF that ends it: none of that is HTML, yet the tutorial's ` +
      `${defaultOutFile(target)} would hold all of it.`,
  );
  log("");

  // Step 3: this lesson's client: print the request, read the head, decode the body.
  log("This lesson's client:");
  const page = await fetchPage(url, { log: prefixed(log, "client") });
  log("The decoded page, what gets saved:");
  for (const line of decoder.decode(page.body).trimEnd().split("\n")) log(`  ${line}`);
  log("");
  log(`Saved nothing in the demo. To fetch and save a real page: deno task 01 http://example.com/`);
}

const USAGE = `Lesson 01: fetch a web page over a raw TCP socket (the tutorials' first client)

Usage:
  deno task 01                 narrated demo, offline: a local server answers chunked
  deno task 01 URL [options]   fetch URL (http:// or https://), print the request and the
                               response head, save the decoded body

Options:
  --out FILE         where to save the body (default <host>.html in the project folder)
  --timeout-ms N     give up after N ms without progress (default ${DEFAULT_TIMEOUT_MS})
  --max-bytes N      refuse a body over N bytes (default ${DEFAULT_MAX_BYTES})
  -h, --help         show this help

Examples:
  deno task 01 http://example.com/
  deno task 01 https://example.com/ --out example.html`;

/** The command line: fetch a URL, or run the demo. Narration goes to `log` (default: stdout). */
export async function main(args: string[], log: Log = toConsole): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    out: { type: "string" },
    "timeout-ms": { type: "string" },
    "max-bytes": { type: "string" },
  });
  if (positionals.length > 1) throw new UsageError(`one URL at a time, got ${positionals.length}`);
  const [url] = positionals;
  if (url === undefined) {
    if (values.out !== undefined) throw new UsageError("--out needs a URL to fetch");
    return await demo(log);
  }
  const target = parseTarget(url);
  const timeoutMs = intFlag("--timeout-ms", values["timeout-ms"], DEFAULT_TIMEOUT_MS, {
    min: 1,
    max: 600_000,
  });
  const maxBytes = intFlag("--max-bytes", values["max-bytes"], DEFAULT_MAX_BYTES, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
  });

  const page = await fetchPage(target, { timeoutMs, maxBytes, log });

  // A redirect's body is a stub: say where the page is instead of saving it.
  const next = redirectTarget(page.head, target.url);
  if (next !== undefined) {
    log(
      `${page.head.status} ${page.head.reason}: the page is at ${next} (redirects are not followed).`,
    );
    log(`Fetch it with: deno task 01 ${next}`);
    return;
  }
  const out = values.out ?? defaultOutFile(target);
  await savePage(out, page.body);
  const note = page.head.status >= 400
    ? ` (status ${page.head.status}: the server's error page)`
    : "";
  log(`Saved ${page.body.length} body bytes to ${out}${note}`);
}

if (import.meta.main) await runMain(() => main(Deno.args));
