/**
 * # Exercise 02 · Hello World for a browser, from a raw TCP socket
 *
 * Fill in the three TODOs below: the answer's bytes (with a Content-Length
 * that counts bytes, not characters), reading the browser's request head
 * (however it is split, with a size limit and a deadline), and sending the
 * answer so that it survives the close. Everything else (parsing the head,
 * choosing 200/404/405, the accept loop, flags) is done for you. Check your
 * work with:
 *
 *   deno task verify 02        (the same tests as lessons/02_hello_http.ts)
 *   deno task hint 02          (one more hint each time you ask)
 *
 * Stuck for good? lessons/02_hello_http.ts is the worked answer.
 *
 * @module
 */

// Until the TODOs are filled in, some imports and helpers are unused and the
// async functions have nothing to await: that is expected.
// deno-lint-ignore-file require-await no-unused-vars

import { formatAddr, LOOPBACK, netAddr } from "../lib/addr.ts";
import {
  helpRequested,
  intFlag,
  parseFlags,
  portFlag,
  runMain,
  serveUntilCtrlC,
} from "../lib/cli.ts";
import { LessonError, LimitError, ProtocolError, TimeoutError, UsageError } from "../lib/errors.ts";
import { checkRequestStart, type CutHead, readHead } from "../lib/http_head.ts";
import {
  encodeHead,
  fieldValue,
  HttpVersionError,
  parseRequestHead,
  type RequestHead,
  STATUS_TEXT,
} from "../lib/http_message.ts";
import { IdleTimeout } from "../lib/idle_timeout.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { shutdownAndDrain } from "../lib/linger.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { serveTcp, type TcpServer } from "../lib/server.ts";
import {
  LIMIT_FLAGS,
  limitsFromFlags,
  limitsUsage,
  refuseWith,
  type ServerLimitOptions,
} from "../lib/limits.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { todo } from "./_todo.ts";

/** The tutorial's port: 12345. */
export const DEFAULT_PORT = 12345;

/** The longest request head accepted unless told: 16 KiB. Over it: `431`. */
export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

/** How long a client may take to send its request head unless told: 10 s. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The page: the tutorial's, with the `<meta charset>` in the head where it
 * belongs. The title is Chinese, so the page has more bytes than characters.
 */
export const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>客户端请求</title></head>
<body><h1>Hello World</h1><p>这一页来自一个原始的 TCP 套接字。</p></body></html>
`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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
 * An answer, byte for byte. The tutorial sends only `HTTP/1.1 200 OK\r\n\r\n`
 * and the page; a browser then has to guess the type and encoding, and can
 * tell the page is complete only when the connection closes. Three fields
 * remove the guessing.
 *
 * @example
 * ```ts ignore
 * import { buildResponse } from "./02_hello_http.ts";
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
  // TODO 1: the answer's bytes: status line, three header fields, empty line, body.
  //   Python: c.sendall(('HTTP/1.1 200 OK\r\n\r\n' + html).encode())
  //   Deno:   const bytes = encoder.encode(body);   // UTF-8: "你好" is 2 characters, 6 bytes
  //           const head = encodeHead(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd(), [
  //             ["Content-Type", <options.contentType, else "text/html; charset=utf-8">],
  //             ["Content-Length", <how many BYTES follow the head>],
  //             ["Connection", "close"],
  //             ...(options.fields ?? []),
  //           ]);   // each line ends in \r\n, then the empty line: encodeHead does that
  //           then the head followed by the body: concatBytes([head, bytes]),
  //           or the head alone when options.headOnly (a HEAD request).
  //   Without a charset a browser may show 客户端请求 as mojibake; without
  //   Content-Length it knows the page is complete only when we close.
  todo(
    "02",
    "build the status line, the three fields with Content-Length in bytes, and the body (buildResponse)",
  );
}

/** An answer to send, and a few words for the log. */
export interface Answer {
  /** The status code. */
  status: number;
  /** The bytes to write. */
  bytes: Uint8Array;
}

/**
 * What to answer a well-formed request: the page for `GET /`, `404` for any
 * other path (a browser's `/favicon.ico` among them), `405` for methods other
 * than GET and HEAD, `400` for an HTTP/1.1 request without `Host`.
 *
 * @example
 * ```ts ignore
 * import { answerRequest } from "./02_hello_http.ts";
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
  // HTTP/1.1 requires Host (RFC 9112 §3.2); the tutorial's client in seed 004
  // leaves it out and a strict server answers exactly this.
  if (request.version === "1.1" && fieldValue(request.fields, "host") === undefined) {
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
 * the limit, `505` for an HTTP version we do not speak, `400` for anything
 * else that is not HTTP. `undefined` when no answer makes sense: the client
 * went silent or hung up mid-head.
 */
export function errorStatus(err: unknown): number | undefined {
  if (err instanceof LimitError) return 431;
  if (err instanceof HttpVersionError) return 505;
  if (err instanceof ProtocolError) return 400;
  return undefined;
}

/**
 * Options for {@linkcode startHttpHelloServer} and {@linkcode handleHttpConnection}.
 * Connection limits: see `lib/limits.ts`.
 */
export interface HttpHelloServerOptions extends ServerLimitOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 12345; 0 for any free port. */
  port?: number;
  /** The longest request head accepted. Default 16 KiB. */
  maxHeadBytes?: number;
  /** How long a client may take to send its head. Default 10 s. */
  timeoutMs?: number;
  /** Where the server narrates: each request, each answer. */
  log?: Log;
}

/**
 * Serves one connection: the body of the tutorial's `while True:` loop, from
 * `data = c.recv(1024)` to `c.close()`.
 */
export async function handleHttpConnection(
  conn: Deno.TcpConn,
  options: Omit<HttpHelloServerOptions, "host" | "port"> = {},
): Promise<void> {
  const log = options.log ?? silent;
  const peer = formatAddr(netAddr(conn.remoteAddr));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = new IdleTimeout(
    conn,
    timeoutMs,
    () => new TimeoutError(`no complete request within ${timeoutMs} ms`, "send the whole head"),
  );

  let answer: Answer;
  try {
    // TODO 2: read the request head: every byte up to the empty line, however it is split.
    //   Python: data = c.recv(1024).decode(): one read, which may hold half a head
    //           (a browser's head is often over 1 KiB) or a head and then some.
    //   Deno:   readHead(conn, { maxBytes, what: "request", check: checkRequestStart })
    //           reads until \r\n\r\n and resolves to { head, rest }, or null if the
    //           client closed before its first byte. Give it:
    //           - the limit, maxBytes: options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES
    //             (over it readHead throws LimitError: the client gets 431, below);
    //           - one deadline for the whole head: await timeout.run(() => readHead(...)),
    //             so a client dripping a byte now and then cannot hold the connection.
    const cut = todo(
      "02",
      "read the request head with readHead, its size limit and one deadline (handleHttpConnection)",
    ) as CutHead | null;
    if (cut === null) {
      // Browsers open a spare connection ahead of time and may close it unused.
      log(`${peer} closed without sending a request.`);
      return;
    }
    // Python: print(data)
    const request = parseRequestHead(cut.head);
    log(`Request from ${peer}:`);
    for (const line of request.lines) log(`  ${line}`);
    answer = answerRequest(request);
  } catch (err) {
    // A request we cannot read still gets an answer, when one makes sense.
    const status = errorStatus(err);
    if (status === undefined || !(err instanceof LessonError)) throw err;
    log(`${peer} sent a bad request: ${err.message}${err.hint ? ` (${err.hint})` : ""}.`);
    answer = errorAnswer(status, err.message);
  }

  // TODO 3: send the answer, say so, and close so that the client surely gets it.
  //   Python: c.sendall(html.encode()); c.close()
  //   Deno:   await writeAll(conn, answer.bytes);   // all of it: write() may take only part
  //           log(`Answered ${peer}: ${answer.status} ${STATUS_TEXT[answer.status] ?? ""}.`);
  //           await shutdownAndDrain(conn);
  //   Why not just close? If the client sent more than we read (a 64 KiB
  //   head, a POST body), closing with unread bytes makes the kernel send a
  //   reset, which can destroy the answer before the client reads it.
  //   shutdownAndDrain sends our FIN first, then reads and drops what the
  //   client still sends (see lib/linger.ts).
  todo("02", "send the answer with writeAll, log it, then shutdownAndDrain (handleHttpConnection)");
}

/**
 * Python's `s.bind(('127.0.0.1', 12345)); s.listen(5)` and the accept loop:
 * starts the server and returns at once. Each connection is served on its
 * own, so a slow client does not hold up the next one.
 *
 * @example
 * ```ts ignore
 * import { startHttpHelloServer } from "./02_hello_http.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startHttpHelloServer({ port: 0 });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(response.status, 200);
 * assert.match(await response.text(), /<h1>Hello World<\/h1>/);
 * ```
 */
export function startHttpHelloServer(options: HttpHelloServerOptions = {}): TcpServer {
  const log = options.log ?? silent;
  const listener = listenTcp({
    host: options.host,
    port: options.port ?? DEFAULT_PORT,
    hint: "another server running? choose --port",
  });
  const url = `http://${formatAddr(netAddr(listener.addr))}/`;
  log(`Listening on ${url}: open it in a browser, or run curl -i ${url}`);
  return serveTcp(listener, (conn) => handleHttpConnection(conn, options), {
    log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    // Over the limit, HTTP has the words: 503, then the close (nginx does the same).
    refuse: refuseWith(errorAnswer(503, "too many connections, try again later").bytes),
    // On close(graceMs): answers being written are finished; nothing new is read.
    endReadsOnClose: true,
  });
}

/**
 * Sends `request` as raw bytes, the way a browser or `nc` would, and returns
 * everything the server sends back until it closes.
 */
export async function rawExchange(
  options: { host?: string; port: number; request: string | Uint8Array },
): Promise<string> {
  using conn = await connectTcp({
    host: options.host,
    port: options.port,
    hint: "start the server first: deno task 02 server",
  });
  const bytes = typeof options.request === "string"
    ? encoder.encode(options.request)
    : options.request;
  await writeAll(conn, bytes);
  const chunks: Uint8Array[] = [];
  for (let chunk; (chunk = await readChunk(conn, 16 * 1024)) !== null;) chunks.push(chunk);
  return decoder.decode(concatBytes(chunks));
}

/**
 * The narrated demo: a raw request like a browser's, a real HTTP client
 * (`fetch`), the favicon request, and garbage, against one server.
 */
export async function demo(log: Log): Promise<void> {
  // Step 1: the server, on a free port.
  await using server = startHttpHelloServer({ port: 0, log: prefixed(log, "server") });
  const { port } = server.addr;

  // Step 2: a raw request, written by hand: what a browser sends, in short.
  log("A raw request, as a browser would send it:");
  const reply = await rawExchange({
    port,
    request: `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: demo\r\n\r\n`,
  });
  for (const line of reply.trimEnd().split(/\r?\n/)) log(`  ${line}`);
  const chars = PAGE.length;
  const bytes = encoder.encode(PAGE).length;
  log(`The page is ${chars} characters but ${bytes} bytes: Content-Length counts bytes.`);
  log("");

  // Step 3: a real HTTP client that no one here wrote.
  log("fetch(), a real HTTP client:");
  const page = await fetch(`http://127.0.0.1:${port}/`);
  const text = await page.text();
  log(`  ${page.status} ${page.headers.get("content-type")}, ${text.length} characters`);

  // Step 4: what browsers ask for next, and what garbage gets.
  const icon = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
  await icon.body?.cancel();
  log(`  /favicon.ico: ${icon.status} (a browser shows its default icon)`);
  const garbage = await rawExchange({ port, request: "hello\r\n\r\n" });
  log(`  "hello\\r\\n\\r\\n": ${garbage.split("\r\n")[0]}`);
  log("");
  log(`Now a browser: deno task 02 server, then open http://127.0.0.1:${DEFAULT_PORT}/`);
}

const USAGE = `Lesson 02: Hello World for a browser, from a raw TCP socket (seed 004, example 1)

Usage:
  deno task 02                  narrated demo: server and clients in one process
  deno task 02 server [options] serve the page until Ctrl+C; open http://127.0.0.1:${DEFAULT_PORT}/

Options:
  --host H             address to bind (default ${LOOPBACK})
  --port P             port (default ${DEFAULT_PORT})
  --max-head-bytes N   longest request head accepted, else 431 (default ${DEFAULT_MAX_HEAD_BYTES})
  --timeout-ms N       drop a client that sends no full head within N ms (default ${DEFAULT_TIMEOUT_MS})
  -h, --help           show this help

${limitsUsage("503 Service Unavailable and a close")}`;

/** The command line: `server`, or the demo. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    "max-head-bytes": { type: "string" },
    "timeout-ms": { type: "string" },
    ...LIMIT_FLAGS,
  });
  const [command, ...rest] = positionals;
  const log: Log = (line) => console.log(line);

  if (command === undefined) return await demo(log);
  if (command !== "server") throw new UsageError(`unknown command "${command}": expected server`);
  if (rest.length > 0) throw new UsageError(`server takes no arguments, got "${rest[0]}"`);
  const { graceMs, ...limits } = limitsFromFlags(values);
  const server = startHttpHelloServer({
    ...limits,
    host: values.host ?? LOOPBACK,
    port: portFlag(values.port, DEFAULT_PORT),
    maxHeadBytes: intFlag("--max-head-bytes", values["max-head-bytes"], DEFAULT_MAX_HEAD_BYTES, {
      min: 64,
      max: 1024 * 1024,
    }),
    timeoutMs: intFlag("--timeout-ms", values["timeout-ms"], DEFAULT_TIMEOUT_MS, {
      min: 1,
      max: 600_000,
    }),
    log,
  });
  await serveUntilCtrlC(server, log, { graceMs });
}

if (import.meta.main) await runMain(() => main(Deno.args));
