/**
 * # 01 · Fetch a web page over a raw TCP socket
 *
 * The first client of Liao Xuefeng's «TCP编程» (it saves sina.html), also
 * example 2 of «25.Python 网络编程：TCP和UDP编程» from the Alibaba Cloud
 * developer community (baidu.html): connect to port 80, write a `GET` by
 * hand, read until the server closes, split at the first empty line, save
 * the rest as the page. First that client, line for line; then this
 * lesson's, which reads the answer as its head says. The steps, in order:
 *
 *     01_fetch_page/1_request.ts  2_head.ts  3_content_length.ts  4_chunked.ts
 *                   5_tls.ts      6_redirect.ts  7_save.ts
 *
 * Run it:  deno task 01                              (the narrated demo, offline)
 *          deno task 01 http://example.com/          (fetch a page and save it)
 *          deno task 01 https://example.com/ --out example.html
 *
 * @module
 */

import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { ProtocolError, TimeoutError, UsageError } from "../lib/errors.ts";
import { HEAD_END } from "../lib/http_head.ts";
import type { Field, ResponseHead } from "../lib/http_message.ts";
import { IdleTimeout } from "../lib/idle_timeout.ts";
import { concatBytes, indexOf, type Reader, writeAll, type Writer } from "../lib/io.ts";
import { type Log, silent } from "../lib/log.ts";
import { traced } from "../lib/trace.ts";
import { buildRequest, parseTarget, type Target } from "./01_fetch_page/1_request.ts";
import { readResponseHead } from "./01_fetch_page/2_head.ts";
import { bodyFraming, type Framing } from "./01_fetch_page/3_content_length.ts";
import { readBody } from "./01_fetch_page/4_chunked.ts";
import { openConnection } from "./01_fetch_page/5_tls.ts";
import { redirectTarget } from "./01_fetch_page/6_redirect.ts";
import { defaultOutFile, savePage } from "./01_fetch_page/7_save.ts";
import { demo, describeBody } from "./01_fetch_page/demo.ts";

// ── 1. The tutorial's client ────────────────────────────────────────────────

/**
 * The tutorial's client, line for line. What it calls `html` is everything
 * after the head: from a server that sends chunks, the chunk sizes too.
 */
export async function fetchLikeTheTutorial(
  options: { host?: string; port: number; request: string },
): Promise<{ header: string; html: Uint8Array }> {
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  //         s.connect(('www.sina.com.cn', 80))
  using s = traced(
    await Deno.connect({ hostname: options.host ?? "127.0.0.1", port: options.port }),
    "client",
  );
  // Python: s.send(b'GET / HTTP/1.1\r\nHost: www.sina.com.cn\r\nConnection: close\r\n\r\n')
  // write(), like send(), may take only part of the bytes and says how many
  // it took: loop until all are taken, as sendall() does (lesson 03 shows it).
  const request = new TextEncoder().encode(options.request);
  for (let rest = request; rest.length > 0;) rest = rest.subarray(await s.write(rest));
  // Python: buffer = []
  //         while True: d = s.recv(1024); if d: buffer.append(d) else: break
  const buffer: Uint8Array[] = [];
  const d = new Uint8Array(1024);
  for (let n; (n = await s.read(d)) !== null;) buffer.push(d.slice(0, n)); // null: b''
  // Python: data = b''.join(buffer)
  const data = concatBytes(buffer);
  // Python: header, html = data.split(b'\r\n\r\n', 1)
  const at = indexOf(data, HEAD_END);
  if (at === -1) throw new ProtocolError("the answer has no \\r\\n\\r\\n: no head");
  return {
    header: new TextDecoder().decode(data.subarray(0, at)),
    html: data.subarray(at + HEAD_END.length),
  };
}

// ── 2. This lesson's client ─────────────────────────────────────────────────
//
// The tutorial's loop saves the right page only when the server sends the
// body as it is (not in chunks) and then closes the connection. fetchPage()
// reads the head first and lets it say where the body ends: the steps, together.

/** How long to wait for a connection, a handshake or the next bytes unless told. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The largest body saved unless told: 64 MiB. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

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
  /** Opens the connection (default: step 5's); tests replace it to watch each read. */
  connect?: (
    target: Target,
    options: { timeoutMs: number; caCerts?: string[] },
  ) => Promise<Connection>;
  /** Where the fetch narrates: the request, the response head, the body's framing. */
  log?: Log;
}

/** What {@linkcode fetchPage} got. */
export interface FetchResult {
  /** Where it went, and the request exactly as sent. */
  target: Target;
  request: string;
  /** The response head, and how it framed the body. */
  head: ResponseHead;
  framing: Framing;
  /** The body, decoded: what a browser would see and what gets saved. */
  body: Uint8Array;
  /** For a chunked body: how many chunks it came in, and the trailer fields after them. */
  chunks: number;
  trailers: Field[];
}

/**
 * The whole fetch: connect, send the request, read the head, read the body
 * as the head says, and return it. Writes nothing to disk (step 7 does).
 *
 * @example Against a server that answers with a Content-Length
 * ```ts
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
  const where = `${target.url.hostname}:${target.port}`;
  // Step 5: TCP, and TLS for https. Every read and write below is timed.
  const connect = options.connect ?? openConnection;
  using conn = timed(
    await connect(target, { timeoutMs, caCerts: options.caCerts }),
    timeoutMs,
    where,
  );
  log(`Connected to ${where}${target.tls ? " (TLS)" : ""}. Sending:`);
  // Step 1: the request, all of it (writeAll: Python's sendall).
  const request = buildRequest(target);
  for (const line of request.split("\r\n").slice(0, -1)) log(`> ${line}`);
  await writeAll(conn, new TextEncoder().encode(request));
  // Step 2: the head, up to the empty line; the bytes after it start the body.
  const { head, body: rest } = await readResponseHead(conn, where, target.tls);
  for (const line of head.lines) log(`< ${line}`);
  log("<");
  // Steps 3 and 4: the body, as the head frames it, and not one byte more.
  const framing = bodyFraming(head);
  const body = await readBody(rest, framing, options.maxBytes ?? DEFAULT_MAX_BYTES);
  log(describeBody(framing, body));
  return { target, request, head, framing, ...body };
}

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
//
// The tutorial trusts the server to answer, to close, and to send a page of
// reasonable size. A server that goes quiet would keep its recv() waiting
// for ever (Python's default: no timeout), and one that sends without end
// would fill the memory. So each step is bounded, and each failure is one
// line, `error: ... (...)`, from the command line's edge:
// - the connect gives up after --timeout-ms (5_tls.ts: Deno.connect's signal);
// - so does each read and write: Deno's take no timeout, so a timer closes
//   the socket, which ends the pending read (lib/idle_timeout.ts). Like
//   Python's s.settimeout(), it counts per operation: a long download that
//   keeps making progress never times out; a server that goes quiet does;
// - the head may be 64 KiB (2_head.ts), the body --max-bytes (3_content_length.ts);
// - a failed fetch saves nothing, not even half a page (7_save.ts).

/** `conn` with every read and write bounded by `ms`; disposing it closes `conn`. */
function timed(conn: Connection, ms: number, where: string): Connection & Disposable {
  const timeout = new IdleTimeout(conn, ms, () =>
    new TimeoutError(
      `${where} sent nothing for ${ms} ms`,
      "the server went quiet; try again or raise --timeout-ms",
    ));
  return {
    read: (p) => timeout.run(() => conn.read(p)),
    write: (p) => timeout.run(() => conn.write(p)),
    close: () => conn.close(),
    [Symbol.dispose]: () => {
      if (!timeout.timedOut) conn.close(); // else the timeout closed it already
    },
  };
}

// ── The command line ────────────────────────────────────────────────────────

/** `deno task 01 [URL]`: see `--help`. */
export const cli: LessonCli = {
  id: "01",
  title: "fetch a web page over a raw TCP socket (the tutorials' first client)",
  demo,
  commands: {},
  fallback: command({
    summary: "fetch URL (http or https): print the request and the head, save the body",
    args: "URL",
    refusedHint: "check the host and port in the URL",
    flags: {
      out: { type: "string", value: "FILE", help: "where to save the body (default <host>.html)" },
      "timeout-ms": {
        type: "int",
        default: DEFAULT_TIMEOUT_MS,
        min: 1,
        max: 600_000,
        help: "give up after N ms without progress",
      },
      "max-bytes": {
        type: "int",
        default: DEFAULT_MAX_BYTES,
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        help: "refuse a body over N bytes",
      },
    },
    run: async ({ args, flags, log, target: connectingTo }) => {
      if (args.length !== 1) throw new UsageError(`one URL at a time, got ${args.length}`);
      const target = parseTarget(args[0]);
      connectingTo(target.hostname, target.port); // the address an error line names
      const { head, body } = await fetchPage(target, {
        timeoutMs: flags["timeout-ms"],
        maxBytes: flags["max-bytes"],
        log,
      });
      // A redirect's body is a stub for people: say where the page is (step 6).
      const next = redirectTarget(head, target.url);
      if (next !== undefined) {
        log(`${head.status} ${head.reason}: the page is at ${next} (redirects are not followed).`);
        log(`Fetch it with: deno task 01 ${next}`);
        return;
      }
      const out = flags.out ?? defaultOutFile(target);
      await savePage(out, body);
      const note = head.status >= 400 ? ` (status ${head.status}: the server's error page)` : "";
      log(`Saved ${body.length} body bytes to ${out}${note}`);
    },
  }),
  epilogue: "Each step reads on its own: lessons/01_fetch_page/1_request.ts to 7_save.ts.",
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
