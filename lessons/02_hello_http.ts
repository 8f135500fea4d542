/**
 * # 02 · Hello World for a browser, from a raw TCP socket
 *
 * Follows example 1 of «25.Python 网络编程：TCP和UDP编程» (Alibaba Cloud
 * developer community): a server on port 12345 that accepts a connection,
 * reads the browser's request, prints it, sends `HTTP/1.1 200 OK\r\n\r\n`
 * and a page saying Hello World, and closes. A browser shows the page: HTTP
 * is bytes on a TCP connection. Part 1 is the tutorial's server, call for
 * call; part 2 the client's side of the same bytes; part 3 what the tutorial
 * leaves out before strangers' browsers can use it.
 *
 * Run it:  deno task 02                 (the narrated demo)
 *          deno task 02 server          (then open http://127.0.0.1:12345/,
 *                                        or run curl -sS http://127.0.0.1:12345/)
 *
 * @module
 */

import { describeAddr } from "../lib/addr.ts";
import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { LessonError, TimeoutError } from "../lib/errors.ts";
import { checkRequestStart, readHead } from "../lib/http_head.ts";
import { parseRequestHead, STATUS_TEXT } from "../lib/http_message.ts";
import { IdleTimeout } from "../lib/idle_timeout.ts";
import { concatBytes, writeAll } from "../lib/io.ts";
import { refuseWith } from "../lib/limits.ts";
import { shutdownAndDrain } from "../lib/linger.ts";
import { type Log, silent } from "../lib/log.ts";
import { serve, type ServeOptions, type Server } from "../lib/serve.ts";
import { traced } from "../lib/trace.ts";
import * as answers from "./02_hello_http/answers.ts";
import { demo } from "./02_hello_http/demo.ts";

export * from "./02_hello_http/answers.ts";

/** The tutorial's port: 12345. */
export const DEFAULT_PORT = 12345;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ── 1. The tutorial's server ────────────────────────────────────────────────

/** Python's `socket()`, `bind()` and `listen(5)`, in one call. */
export function listenLikeTheTutorial(port = DEFAULT_PORT): Deno.TcpListener {
  // Python: s = socket.socket()       (TCP, as Deno.listen is unless told)
  //         s.bind(('127.0.0.1',12345)); s.listen(5)
  return Deno.listen({ hostname: "127.0.0.1", port });
}

/**
 * The tutorial's `while True:` loop: one client at a time, one read, the
 * answer, close. Returns once the listener is closed.
 */
export async function serveLikeTheTutorial(
  listener: Deno.TcpListener,
  log: Log = silent,
): Promise<void> {
  // Python: while True: c,a = s.accept()
  for await (const accepted of listener) {
    // Python: c.close() at the end of the turn: `using` does it. The kernel
    // sends FIN, and that is how the browser knows the page is complete.
    using c = traced(accepted, "server");
    try {
      // Python: data = c.recv(1024).decode(). One read returns what has
      // arrived so far, 1 to 1024 bytes, or null if the client closed.
      const buffer = new Uint8Array(1024);
      const n = await c.read(buffer);
      const data = decoder.decode(buffer.subarray(0, n ?? 0));
      // Python: print(data)
      for (const line of data.trimEnd().split("\r\n")) log(line);
      // Python: c.sendall(html.encode()). write() resolves to how many bytes
      // the kernel took: maybe fewer than offered, when its send buffer is
      // full. sendall() is this loop.
      let rest = encoder.encode(answers.TUTORIAL_ANSWER);
      while (rest.length > 0) rest = rest.subarray(await c.write(rest));
    } catch (err) {
      // The tutorial has no try: there, one client's reset stops the server.
      log(`${describeAddr(c.remoteAddr)}: ${err instanceof Error ? err.message : err}`);
    }
  }
}

// ── 2. The client: what a browser sends and reads ───────────────────────────
// The browser connects and writes its request head, ending in an empty
// line; the server answers and closes, one request per connection:
//   → GET / HTTP/1.1\r\nHost: 127.0.0.1:12345\r\nUser-Agent: ...\r\n\r\n
//   ← HTTP/1.1 200 OK\r\n\r\n<html>...</html>          then FIN: the page ends

/**
 * What a browser does, by hand: connect, send a request, read until the
 * server closes. Resolves to everything received, as text.
 */
export async function rawExchange(
  options: { host?: string; port: number; request: string | Uint8Array },
): Promise<string> {
  const { host = "127.0.0.1", port, request } = options;
  // Python: s = socket.socket(); s.connect(('127.0.0.1', 12345))
  using conn = traced(await Deno.connect({ hostname: host, port }), "client");
  // Python: s.sendall(request)
  let rest = typeof request === "string" ? encoder.encode(request) : request;
  while (rest.length > 0) rest = rest.subarray(await conn.write(rest));
  // Python: while True: d = s.recv(1024); if not d: break
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(16 * 1024);
  for (let n; (n = await conn.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
  return decoder.decode(concatBytes(chunks));
}

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
// The tutorial's server is right for one browser on one machine; strangers'
// browsers need five things more (`deno task 02 server` runs this version):
// - The whole head. recv(1024) returns what has arrived, at most 1024 bytes:
//   part of a head that came in pieces, or of one over 1 KiB (headless
//   Chromium's is 645 bytes; cookies add more). The rest stays unread, and
//   Python's c.close() is then a reset: given a 1.5 KB User-Agent, Chromium
//   showed ERR_CONNECTION_RESET, not the page. (Deno's close() sends FIN
//   first, so part 1 gets away with it.) We read to the empty line, at most
//   16 KiB (Node's limit too), else 431.
// - A status for what is wrong: 400, 505 and the rest (answers.ts).
// - An answer that says its type, its length in bytes, and that we close.
// - A close that is not a reset. A request we answer before reading all of
//   it (a 405 to a POST with a body, a 431) is still arriving when we close;
//   close() with input unread resets the connection: what of our answer is
//   still unsent is lost, and the client's next write fails (closing.ts
//   measures it). So: FIN first, drop what still arrives, then close.
// - Limits, from serve() (lib/serve.ts): clients served at once; at most
//   --max-connections (the next gets 503); a deadline for the whole head
//   (--timeout-ms) against silent and dripping clients; on Ctrl+C, answers
//   being written are finished first.

/** The longest request head accepted unless told: 16 KiB. Over it: `431`. */
export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

/** How long a client may take to send its whole request head unless told: 10 s. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Options for {@linkcode startHttpHelloServer}; the limits are `serve()`'s. */
export interface HttpHelloServerOptions
  extends Pick<ServeOptions, "log" | "maxConnections" | "idleTimeoutMs"> {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 12345; 0 for any free port. */
  port?: number;
  /** The longest request head accepted. Default 16 KiB. */
  maxHeadBytes?: number;
  /** How long a client may take to send its whole head. Default 10 s. */
  timeoutMs?: number;
}

/** One turn of the tutorial's loop, from `recv` to `close`, with what it leaves out. */
export async function handleHttpConnection(
  conn: Deno.Conn,
  options: HttpHelloServerOptions = {},
): Promise<void> {
  const log = options.log ?? silent;
  const peer = describeAddr(conn.remoteAddr);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = new IdleTimeout(
    conn,
    timeoutMs,
    () => new TimeoutError(`no complete request within ${timeoutMs} ms`, "send the whole head"),
  );
  let answer: answers.Answer;
  try {
    // Python: data = c.recv(1024), but up to the empty line, at most maxBytes,
    // one deadline for it all; `check` refuses non-HTTP at its first bytes.
    const maxBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
    const reading = () => readHead(conn, { maxBytes, what: "request", check: checkRequestStart });
    const cut = await timeout.run(reading);
    // Browsers open a spare connection ahead of time and may close it unused.
    if (cut === null) return log(`${peer} closed without sending a request.`);
    // Python: print(data), once we know it is a request
    const request = parseRequestHead(cut.head);
    log(`Request from ${peer}:`);
    for (const line of request.lines) log(`  ${line}`);
    answer = answers.answerRequest(request);
  } catch (err) {
    // A request we cannot read still gets an answer, when one makes sense.
    const status = answers.errorStatus(err);
    if (status === undefined || !(err instanceof LessonError)) throw err;
    log(`${peer} sent a bad request: ${err.message}${err.hint ? ` (${err.hint})` : ""}.`);
    answer = answers.errorAnswer(status, err.message);
  }
  // Python: c.sendall(html.encode()); writeAll is part 1's write loop.
  await writeAll(conn, answer.bytes);
  log(`Answered ${peer}: ${answer.status} ${STATUS_TEXT[answer.status] ?? ""}.`);
  // Python: c.close(), after a FIN and a drain, so that input left unread
  // cannot turn it into a reset. serve() closes the socket when we return.
  await shutdownAndDrain(conn);
}

/**
 * The server with all of part 3: starts it and returns at once.
 *
 * @example
 * ```ts
 * import { startHttpHelloServer } from "./02_hello_http.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startHttpHelloServer({ port: 0 });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(response.status, 200);
 * assert.match(await response.text(), /<h1>Hello World<\/h1>/);
 * ```
 */
export function startHttpHelloServer(options: HttpHelloServerOptions = {}): Server {
  const { host = "127.0.0.1", port = DEFAULT_PORT } = options;
  const listener = Deno.listen({ hostname: host, port }); // part 1's call
  const url = `http://${describeAddr(listener.addr)}/`;
  options.log?.(`Listening on ${url}: open it in a browser, or run curl -sS ${url}`);
  return serve(listener, (conn) => handleHttpConnection(conn, options), {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    // Over the limit HTTP has the words: 503, then the close.
    refuse: refuseWith(answers.errorAnswer(503, "too many connections, try again later").bytes),
    endReadsOnClose: true, // on close(graceMs), an answer being written is finished first
  });
}

// ── The command line ────────────────────────────────────────────────────────

/** `deno task 02 [server]`: see `--help`. */
export const cli: LessonCli = {
  id: "02",
  title: "Hello World for a browser, from a raw TCP socket",
  defaultPort: DEFAULT_PORT,
  demo,
  commands: {
    server: command({
      summary: `serve the page until Ctrl+C; open http://127.0.0.1:${DEFAULT_PORT}/`,
      flags: {
        "max-head-bytes": {
          type: "int",
          default: DEFAULT_MAX_HEAD_BYTES,
          min: 64,
          max: 1024 * 1024,
          help: "longest request head accepted, else 431",
        },
        "timeout-ms": {
          type: "int",
          default: DEFAULT_TIMEOUT_MS,
          min: 1,
          max: 600_000,
          help: "drop a client that sends no complete head within N ms",
        },
      },
      limits: { refusal: "503 Service Unavailable and a close" },
      run: ({ host, port, flags, limits, log }) =>
        startHttpHelloServer({
          host,
          port,
          maxHeadBytes: flags["max-head-bytes"],
          timeoutMs: flags["timeout-ms"],
          log,
          ...limits,
        }),
    }),
  },
  epilogue: `Follows example 1 of «25.Python 网络编程：TCP和UDP编程». With the server running,
curl -sS http://127.0.0.1:${DEFAULT_PORT}/ prints the page, and curl -i its head first.`,
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
