import assert from "node:assert/strict";
import * as lesson from "../lessons/01_fetch_page.ts";
import {
  buildRequest,
  parseTarget,
  type Target,
  USER_AGENT,
} from "../lessons/01_fetch_page/1_request.ts";
import { readResponseHead } from "../lessons/01_fetch_page/2_head.ts";
import * as step3 from "../lessons/01_fetch_page/3_content_length.ts";
import * as step4 from "../lessons/01_fetch_page/4_chunked.ts";
import { DEMO_PAGE_PIECES, startChunkedServer } from "../lessons/01_fetch_page/4_chunked.ts";
import { defaultOutFile, savePage } from "../lessons/01_fetch_page/7_save.ts";
import { startKeepAliveServer } from "../lessons/01_fetch_page/demo.ts";
import {
  formatError,
  LimitError,
  ProtocolError,
  TimeoutError,
  UnexpectedEofError,
  UsageError,
} from "../lib/errors.ts";
import { readHead } from "../lib/http_head.ts";
import { concatBytes, type Reader, writeAll } from "../lib/io.ts";
import { collect } from "../lib/log.ts";
import { serve, type Server } from "../lib/serve.ts";
import { underTest } from "./_exercise.ts";
import { closedPort, runCli, splitEvery, utf8, within } from "./_util.ts";
import { TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from "./fixtures/tls.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #01a ... #01e, when `deno task verify` checks that exercise).
const fetchLikeTheTutorial = await underTest(lesson, "fetchLikeTheTutorial");
const readLengthBody = await underTest(step3, "readLengthBody");
const readUntilClose = await underTest(step3, "readUntilClose");
const readChunkedBody = await underTest(step4, "readChunkedBody");

// ---------------------------------------------------------------------------
// Servers the tests script byte by byte.

/** A server that records the request head it got. */
type Scripted = Server & { request: Promise<string> };

/**
 * A raw TCP server that reads one request head, records it, then runs
 * `script` on the connection: the test decides every byte of the answer.
 */
function scriptedServer(script: (conn: Deno.Conn) => Promise<void>): Scripted {
  const { promise: request, resolve } = Promise.withResolvers<string>();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = serve(listener, async (conn) => {
    const cut = await readHead(conn, { maxBytes: 16 * 1024, what: "request" });
    resolve(cut === null ? "" : utf8.decode(cut.head) + "\r\n\r\n");
    await script(conn);
  });
  return Object.assign(server, { request });
}

/** A server that writes `pieces` and closes. */
function answering(...pieces: (string | Uint8Array)[]): Scripted {
  return scriptedServer(async (conn) => {
    for (const piece of pieces) await writeAll(conn, bytesOf(piece));
  });
}

/** A server that writes `pieces`, then keeps the connection open until the client closes it. */
function answeringAndStaying(...pieces: (string | Uint8Array)[]): Scripted {
  return scriptedServer(async (conn) => {
    for (const piece of pieces) await writeAll(conn, bytesOf(piece));
    await conn.read(new Uint8Array(1)); // null once the client hangs up
  });
}

function bytesOf(piece: string | Uint8Array): Uint8Array {
  return typeof piece === "string" ? utf8.encode(piece) : piece;
}

function urlOf(server: Server, path = "/"): string {
  return `http://127.0.0.1:${server.addr.port}${path}`;
}

/** `lesson.fetchPage(...)`, failing in words if it takes over `ms`. */
function fetchWithin(ms: number, url: string, options: lesson.FetchOptions = {}) {
  return within(ms, `fetchPage(${url}) to return`, lesson.fetchPage(url, options));
}

/** What {@linkcode fetchBody} got: the head, how it framed the body, and the body. */
type Fetched = Pick<lesson.FetchResult, "head" | "framing" | "body" | "chunks" | "trailers">;

/** Opens a plain TCP connection to the target: fetchBody()'s default. */
function connectPlain(target: Target): Promise<lesson.Connection> {
  return Deno.connect({ hostname: target.hostname, port: target.port });
}

/**
 * fetchPage()'s steps around the body readers under test (an exercise's,
 * when one is checked): connect, send the request, read the head, then read
 * the body as the head frames it. `connect` lets a test watch each read.
 */
async function fetchBody(
  url: string,
  options: { maxBytes?: number; connect?: (target: Target) => Promise<lesson.Connection> } = {},
): Promise<Fetched> {
  const target = parseTarget(url);
  const conn = await (options.connect ?? connectPlain)(target);
  try {
    await writeAll(conn, utf8.encode(buildRequest(target)));
    const { head, body: rest } = await readResponseHead(conn, `127.0.0.1:${target.port}`);
    const framing = step3.bodyFraming(head);
    const maxBytes = options.maxBytes ?? lesson.DEFAULT_MAX_BYTES;
    const noChunks = { chunks: 0, trailers: [] };
    switch (framing.kind) {
      case "chunked":
        return { head, framing, ...await readChunkedBody(rest, maxBytes) };
      case "length":
        return {
          head,
          framing,
          body: await readLengthBody(rest, framing.length, maxBytes),
          ...noChunks,
        };
      case "close":
        return { head, framing, body: await readUntilClose(rest, maxBytes), ...noChunks };
      case "none":
        return { head, framing, body: new Uint8Array(0), ...noChunks };
    }
  } finally {
    conn.close();
  }
}

/**
 * Fetches with {@linkcode fetchBody} from a server that writes each piece
 * only once the client has read every byte before it, so every piece starts
 * a new read: the split is the test's choice, not the kernel's. Returns the
 * result and the size of every read the client made.
 */
async function fetchInLockstep(
  pieces: (string | Uint8Array)[],
  what: string,
): Promise<{ page: Fetched; reads: number[] }> {
  const reads: number[] = [];
  let received = 0;
  let wake: (() => void) | undefined;
  // Once the fetch has ended (a client that failed stops reading), the server
  // stops waiting for reads that will never come, so the test fails, not hangs.
  let fetchEnded = false;
  const receivedReach = async (bytes: number) => {
    while (received < bytes && !fetchEnded) await new Promise<void>((resolve) => wake = resolve);
  };
  await using server = scriptedServer(async (conn) => {
    let sent = 0;
    for (const piece of pieces) {
      await writeAll(conn, bytesOf(piece));
      sent += bytesOf(piece).length;
      await receivedReach(sent);
    }
  });
  const fetching = fetchBody(urlOf(server), {
    connect: async (target) => {
      const conn = await Deno.connect({ hostname: target.hostname, port: target.port });
      return {
        async read(p: Uint8Array) {
          const n = await conn.read(p);
          if (n !== null) {
            reads.push(n);
            received += n;
          }
          wake?.();
          return n;
        },
        write: (p: Uint8Array) => conn.write(p),
        close: () => conn.close(),
      };
    },
  });
  const ended = () => {
    fetchEnded = true;
    wake?.();
  };
  fetching.then(ended, ended);
  const page = await within(2_000, what, fetching);
  return { page, reads };
}

/** Where a run of reads of these sizes ends each read: the running totals. */
function readEnds(sizes: number[]): Set<number> {
  let total = 0;
  return new Set(sizes.map((n) => total += n));
}

/**
 * `got` must be `expected`, byte for byte; a failure says where they part in
 * a line, not as a diff of thousands of numbers.
 */
function assertSameBytes(got: Uint8Array, expected: Uint8Array, what: string): void {
  const at = got.findIndex((byte, i) => byte !== expected[i]);
  if (got.length === expected.length && at === -1) return;
  const where = at === -1 || at >= expected.length ? Math.min(got.length, expected.length) : at;
  assert.fail(
    `${what}: got ${got.length} bytes, expected ${expected.length}; they differ from byte ${where} ` +
      `(got ${JSON.stringify([...got.subarray(where, where + 8)])}, ` +
      `expected ${JSON.stringify([...expected.subarray(where, where + 8)])})`,
  );
}

/** Waits for `promise` to fail with `type`; a body returned instead is named with its size. */
async function refused(
  promise: Promise<{ body: Uint8Array } | Uint8Array>,
  type: new (...args: never[]) => Error,
  what: string,
): Promise<Error> {
  let result: { body: Uint8Array } | Uint8Array;
  try {
    result = await promise;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name} (${what}), got ${err}`);
    return err;
  }
  const body = result instanceof Uint8Array ? result : result.body;
  assert.fail(`expected ${type.name} (${what}), but it returned a body of ${body.length} bytes`);
}

/** A fresh folder under .tmp/ (the only place the test task may write), removed afterwards. */
async function tempDir(): Promise<AsyncDisposable & { path: string; files(): Promise<string[]> }> {
  await Deno.mkdir(".tmp", { recursive: true });
  const path = await Deno.makeTempDir({ dir: ".tmp", prefix: "01_fetch_" });
  return {
    path,
    async files() {
      const names: string[] = [];
      for await (const entry of Deno.readDir(path)) names.push(entry.name);
      return names.sort();
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** `deno task 01 ARGS`, in this process, failing in words if it takes over 5 s. */
function task01(...args: string[]) {
  return within(5_000, `deno task 01 ${args.join(" ")} to finish`, runCli(lesson.cli, args));
}

const HEAD_CHUNKED =
  "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n";

// ---------------------------------------------------------------------------
// The tutorial's client, and what Connection: close changes.

/** Said when the tutorial's client does not return: what a missing EOF check looks like. */
const UNTIL_CLOSE =
  "the tutorial's client to return once the server closed (does the loop stop when read() returns null?)";

Deno.test("fetchLikeTheTutorial() saves the chunk sizes into the page; fetchPage() removes them #01a", async () => {
  await using server = startChunkedServer();
  const naive = await within(
    2_000,
    UNTIL_CLOSE,
    fetchLikeTheTutorial({
      port: server.addr.port,
      request: buildRequest(parseTarget(urlOf(server))),
    }),
  );
  assert.match(naive.header, /^HTTP\/1\.1 200 OK\r\n.*Transfer-Encoding: chunked/s);
  const firstSize = utf8.encode(DEMO_PAGE_PIECES[0]).length.toString(16);
  assert.ok(utf8.decode(naive.html).startsWith(`${firstSize}\r\n<!doctype html>`));
  assert.ok(utf8.decode(naive.html).endsWith("\r\n0\r\n\r\n"));
  const decoded = await fetchWithin(5_000, urlOf(server));
  assert.equal(utf8.decode(decoded.body), DEMO_PAGE_PIECES.join(""));
});

Deno.test("fetchLikeTheTutorial() sends the request byte for byte and keeps every byte until the close, over many reads #01a", async () => {
  // 100 kB, every byte value and no run of zeros: many reads, each to be kept whole.
  const body = new Uint8Array(100_000).map((_, i) => (i * 7 + 1) % 256);
  await using server = answering("HTTP/1.0 200 OK\r\n\r\n", ...splitEvery(body, 10_000));
  const request = buildRequest(parseTarget(urlOf(server, "/big?x=1")));
  const { header, html } = await within(
    2_000,
    UNTIL_CLOSE,
    fetchLikeTheTutorial({ port: server.addr.port, request }),
  );
  const got = await within(1_000, "the request at the server", server.request);
  assert.equal(got, request, "the server must receive options.request, every byte of it");
  assert.equal(header, "HTTP/1.0 200 OK");
  assertSameBytes(html, body, "the page after the head (keep n bytes of each read, a copy each)");
});

Deno.test("fetchLikeTheTutorial() without Connection: close returns only once the server closes the idle connection #01a", async () => {
  const idleTimeoutMs = 200;
  await using server = startKeepAliveServer({ idleTimeoutMs });
  const request = buildRequest(parseTarget(urlOf(server))).replace("Connection: close\r\n", "");
  const started = performance.now();
  const { html } = await within(
    2_000,
    `the server to close the idle connection after its ${idleTimeoutMs} ms keep-alive timeout ` +
      "(does the loop stop when read() returns null?)",
    fetchLikeTheTutorial({ port: server.addr.port, request }),
  );
  assert.equal(utf8.decode(html), "<h1>Hello</h1>\n", "the answer came long before the close");
  const waited = performance.now() - started;
  assert.ok(
    waited >= idleTimeoutMs,
    `the read loop ended after ${waited.toFixed(0)} ms, before the server closed: ` +
      "read until read() returns null, not only once",
  );
});

Deno.test("fetchLikeTheTutorial() with Connection: close returns as soon as the server has answered #01a", async () => {
  await using server = startKeepAliveServer({ idleTimeoutMs: 60_000 });
  const { html } = await within(
    2_000,
    "the server to close after its answer (Connection: close); does the loop stop when read() returns null?",
    fetchLikeTheTutorial({
      port: server.addr.port,
      request: buildRequest(parseTarget(urlOf(server))),
    }),
  );
  assert.equal(utf8.decode(html), "<h1>Hello</h1>\n");
});

// ---------------------------------------------------------------------------
// The request on the wire.

Deno.test("buildRequest() writes the request byte for byte: path and query, Host, User-Agent, Accept, Connection: close", () => {
  const cases: [url: string, firstTwoLines: string][] = [
    ["http://example.com", "GET / HTTP/1.1\r\nHost: example.com\r\n"],
    ["http://example.com:80/a/b?q=1#frag", "GET /a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n"],
    ["https://example.com:443/", "GET / HTTP/1.1\r\nHost: example.com\r\n"],
    ["http://127.0.0.1:8080/x", "GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"],
    ["https://example.com:8443/", "GET / HTTP/1.1\r\nHost: example.com:8443\r\n"],
    ["http://[::1]:8000/", "GET / HTTP/1.1\r\nHost: [::1]:8000\r\n"],
    ["http://例子.测试/页", "GET /%E9%A1%B5 HTTP/1.1\r\nHost: xn--fsqu00a.xn--0zwm56d\r\n"],
  ];
  for (const [url, start] of cases) {
    assert.equal(
      buildRequest(parseTarget(url)),
      `${start}User-Agent: ${USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
      url,
    );
  }
});

Deno.test("fetchPage() sends exactly the request it prints", async () => {
  await using server = answering("HTTP/1.1 204 No Content\r\n\r\n");
  const { log, lines } = collect();
  const page = await fetchWithin(5_000, urlOf(server, "/hello?x=1"), { log });
  assert.equal(await within(1_000, "the request at the server", server.request), page.request);
  const printed = lines.filter((l) => l.startsWith("> ")).map((l) => l.slice(2));
  assert.equal(printed.join("\r\n") + "\r\n", page.request);
});

Deno.test("parseTarget() refuses a URL that is not http(s), with a hint", () => {
  const cases: [string, RegExp][] = [
    [
      "example.com",
      /error: "example\.com" is not a URL \(write it with its scheme: http:\/\/example\.com\)/,
    ],
    ["ftp://example.com/", /is not an http:\/\/ or https:\/\/ URL/],
    ["http://user:secret@example.com/", /user names and passwords/],
  ];
  for (const [url, message] of cases) {
    assert.throws(() => parseTarget(url), (err) => {
      assert.ok(err instanceof UsageError);
      assert.match(formatError(err), message);
      return true;
    });
  }
});

// ---------------------------------------------------------------------------
// Bodies: chunked, Content-Length, until close.

const page = "<!doctype html><title>分块</title><h1>Hello</h1>\n";
const pageBytes = utf8.encode(page);
const wireChunked = `${HEAD_CHUNKED}a\r\n${page.slice(0, 10)}\r\n${
  (pageBytes.length - 10).toString(16)
};name=value\r\n${page.slice(10)}\r\n0\r\nX-Trailer: yes\r\n\r\n`;

/** Cuts `text` into pieces ending just after each marker's occurrence (first occurrence after the previous cut). */
function cutAfter(text: string, ...markers: string[]): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (const marker of markers) {
    const at = text.indexOf(marker, from) + marker.length;
    assert.ok(at >= marker.length, `marker ${JSON.stringify(marker)} not found`);
    pieces.push(text.slice(from, at));
    from = at;
  }
  pieces.push(text.slice(from));
  return pieces;
}

const chunkedSplits: { label: string; pieces: (string | Uint8Array)[] }[] = [
  { label: "the whole response in one read", pieces: [wireChunked] },
  { label: "head and body in separate reads", pieces: cutAfter(wireChunked, "\r\n\r\n") },
  {
    label: "split inside the hex size line (a|\\r\\n)",
    pieces: cutAfter(wireChunked, "chunked\r\n\r\na"),
  },
  {
    label: "split between \\r and \\n of a size line",
    pieces: cutAfter(wireChunked, "\r\n\r\na\r"),
  },
  { label: "split inside a chunk's data", pieces: cutAfter(wireChunked, "<!doct") },
  { label: "split between data and its CRLF", pieces: cutAfter(wireChunked, page.slice(0, 10)) },
  {
    label: "split inside the CRLF after data",
    pieces: cutAfter(wireChunked, page.slice(0, 10) + "\r"),
  },
  { label: "split inside a chunk extension", pieces: cutAfter(wireChunked, ";name=") },
  {
    label: "split inside the last chunk and the trailers",
    pieces: cutAfter(wireChunked, "\r\n0", "X-Tra"),
  },
  {
    label: "one byte per read",
    pieces: [HEAD_CHUNKED, ...splitEvery(utf8.encode(wireChunked.slice(HEAD_CHUNKED.length)), 1)],
  },
];

for (const { label, pieces } of chunkedSplits) {
  Deno.test(`readChunkedBody() decodes a chunked body exactly: ${label} #01d`, async () => {
    const { page: result, reads } = await fetchInLockstep(
      pieces,
      "the chunked body, piece by piece (does the loop stop once the last chunk has come?)",
    );
    assert.equal(result.head.status, 200);
    assert.deepEqual(result.framing, { kind: "chunked" });
    assert.equal(utf8.decode(result.body), page, "the page, without its chunk sizes");
    assert.equal(result.chunks, 2);
    assert.deepEqual(result.trailers, [{ name: "X-Trailer", value: "yes" }]);
    // The reads really were split where the test said: each piece began a read.
    const ends = readEnds(reads);
    let end = 0;
    for (const piece of pieces) {
      assert.ok(ends.has(end += bytesOf(piece).length), `a read ends at ${end}`);
    }
  });
}

Deno.test("readChunkedBody() stops reading after a chunked body's last chunk, though the server keeps the connection open #01d", async () => {
  // Bytes after the last chunk are not the page either.
  await using server = answeringAndStaying(wireChunked + "HTTP/1.1 200 OK\r\n");
  const result = await within(
    2_000,
    "the body to end right after the size-0 chunk (does the loop read on, until a close that never comes?)",
    fetchBody(urlOf(server)),
  );
  assert.equal(utf8.decode(result.body), page);
  assert.deepEqual(result.trailers, [{ name: "X-Trailer", value: "yes" }]);
});

Deno.test("readChunkedBody(): a body cut off before its last chunk is an UnexpectedEofError, not half a page #01d", async (t) => {
  const cases = [
    ["inside a chunk", `${HEAD_CHUNKED}10\r\n0123456789`],
    ["before the last (size 0) chunk", `${HEAD_CHUNKED}2\r\nok\r\n`],
  ];
  for (const [label, wire] of cases) {
    await t.step(label, async () => {
      await using server = answering(wire);
      const what = "an UnexpectedEofError: the server closed before the size-0 chunk";
      await within(2_000, what, refused(fetchBody(urlOf(server)), UnexpectedEofError, what));
    });
  }
});

Deno.test("readChunkedBody() refuses a chunked body over maxBytes #01d", async () => {
  await using server = answeringAndStaying(`${HEAD_CHUNKED}6\r\n123456\r\n0\r\n\r\n`);
  const what = "a LimitError: 6 body bytes with maxBytes 5";
  await within(2_000, what, refused(fetchBody(urlOf(server), { maxBytes: 5 }), LimitError, what));
});

Deno.test("readLengthBody() keeps no byte a server sends past its Content-Length #01c", async (t) => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  const what = "the body to end at its Content-Length";
  await t.step("the extra bytes in the same read as the head", async () => {
    await using server = answering(head + "HelloEXTRA");
    const result = await within(2_000, what, fetchBody(urlOf(server)));
    assert.equal(utf8.decode(result.body), "Hello");
  });
  await t.step("the extra bytes in the read that completes the body", async () => {
    const { page: result } = await fetchInLockstep([head, "Hel", "loEXTRA"], what);
    assert.equal(utf8.decode(result.body), "Hello");
  });
});

Deno.test("readLengthBody() reads a Content-Length body to exactly that length, though the server keeps the connection open #01c", async () => {
  const body = new Uint8Array(256).map((_, i) => i); // every byte value
  await using server = answeringAndStaying(
    `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`,
    body,
  );
  const what =
    "the body to end at its Content-Length (does the loop stop at `length` bytes, or wait for the close?)";
  const result = await within(2_000, what, fetchBody(urlOf(server)));
  assert.deepEqual(result.framing, { kind: "length", length: 256 });
  assertSameBytes(result.body, body, "the 256-byte body");
});

Deno.test("readLengthBody() returns a Content-Length: 0 body without waiting for another read #01c", async () => {
  await using server = answeringAndStaying("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const what = "an empty body at once (does it wait for a read that needs none?)";
  const result = await within(2_000, what, fetchBody(urlOf(server)));
  assert.equal(result.body.length, 0);
});

Deno.test("readLengthBody(): a body cut short by the close is an UnexpectedEofError, not a shorter page #01c", async () => {
  await using server = answering("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
  const what = "an UnexpectedEofError: 5 of 10 bytes, then the close";
  await within(2_000, what, refused(fetchBody(urlOf(server)), UnexpectedEofError, what));
});

Deno.test("readLengthBody() refuses a Content-Length over maxBytes before reading a byte of it #01c", async () => {
  // 4 GiB announced, nothing sent: allocating or waiting for it would be the bug.
  await using server = answeringAndStaying("HTTP/1.1 200 OK\r\nContent-Length: 4294967296\r\n\r\n");
  const what = "a LimitError for Content-Length: 4294967296, at once";
  await within(2_000, what, refused(fetchBody(urlOf(server)), LimitError, what));
});

Deno.test("readUntilClose() takes a body without length or chunking as everything until the server closes #01e", async () => {
  const body = concatBytes([
    new Uint8Array(256).map((_, i) => i),
    utf8.encode("\r\n\r\n0\r\n\r\n"),
  ]);
  await using server = answering(
    "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n",
    body,
  );
  const result = await within(2_000, "the body to end with the close", fetchBody(urlOf(server)));
  assert.deepEqual(result.framing, { kind: "close" });
  assertSameBytes(result.body, body, "everything after the head");
});

Deno.test("readUntilClose() keeps a body of exactly maxBytes and refuses one byte more #01e", async () => {
  const body = new Uint8Array(40_000).fill(0x78);
  for (const [maxBytes, keeps] of [[body.length, true], [body.length - 1, false]] as const) {
    await using server = answering("HTTP/1.0 200 OK\r\n\r\n", body);
    const fetching = fetchBody(urlOf(server), { maxBytes });
    if (keeps) {
      const result = await within(2_000, "a body of exactly maxBytes", fetching);
      assert.equal(result.body.length, body.length, "a body of exactly maxBytes is kept whole");
    } else {
      const what = `a LimitError: ${body.length} bytes with maxBytes ${maxBytes}`;
      await within(2_000, what, refused(fetching, LimitError, what));
    }
  }
});

Deno.test("readUntilClose() stops reading at maxBytes, though the server has 8 MiB more to send #01e", async () => {
  const maxBytes = 64 * 1024;
  const slack = 64 * 1024; // one read past the limit, whatever the size of the learner's reads
  await using server = scriptedServer(async (conn) => {
    await writeAll(conn, utf8.encode("HTTP/1.0 200 OK\r\n\r\n"));
    const piece = new Uint8Array(64 * 1024).fill(0x78);
    try {
      for (let sent = 0; sent < 8 * 1024 * 1024; sent += piece.length) await writeAll(conn, piece);
    } catch {
      // the client hung up: what this test wants
    }
  });
  using conn = await within(
    2_000,
    "the connection to the test server",
    Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }),
  );
  await writeAll(conn, utf8.encode(buildRequest(parseTarget(urlOf(server)))));
  const { body } = await within(2_000, "the response head", readResponseHead(conn, "the server"));
  let read = 0;
  const counting: Reader = {
    async read(p) {
      const n = await body.read(p);
      read += n ?? 0;
      return n;
    },
  };
  const what = `a LimitError once the body passed maxBytes (${maxBytes})`;
  await within(2_000, what, refused(readUntilClose(counting, maxBytes), LimitError, what));
  assert.ok(read <= maxBytes + slack, `read ${read} bytes, far past maxBytes ${maxBytes}`);
});

Deno.test("fetchPage() reads no body after 204 and 304", async () => {
  for (const status of ["204 No Content", "304 Not Modified"]) {
    await using server = answering(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`);
    const result = await fetchWithin(5_000, urlOf(server));
    assert.deepEqual(result.framing, { kind: "none" });
    assert.equal(result.body.length, 0);
  }
});

Deno.test("fetchPage() skips a 103 Early Hints head before the real answer", async () => {
  await using server = answering(
    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  );
  const result = await fetchWithin(5_000, urlOf(server));
  assert.equal(result.head.status, 200);
  assert.equal(utf8.decode(result.body), "ok");
});

// ---------------------------------------------------------------------------
// A real HTTP server that no one here wrote.

Deno.test("Deno.serve sends Content-Length for a body of known length and chunks only a stream; fetchPage() reads both byte for byte", async () => {
  const pieces = [
    utf8.encode("<h1>流</h1>"),
    new Uint8Array(3000).fill(0x41),
    new Uint8Array([0, 13, 10, 255]),
  ];
  const whole = concatBytes(pieces);
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname === "/stream") {
      return new Response(
        new ReadableStream({
          start(controller) {
            for (const piece of pieces) controller.enqueue(piece);
            controller.close();
          },
        }),
      );
    }
    return new Response(whole.slice().buffer);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const sized = await fetchWithin(5_000, `${base}/sized`);
  assert.deepEqual(sized.framing, { kind: "length", length: whole.length });
  assert.deepEqual(sized.body, whole);
  const streamed = await fetchWithin(5_000, `${base}/stream`);
  assert.deepEqual(streamed.framing, { kind: "chunked" });
  assert.deepEqual(streamed.body, whole);
});

// ---------------------------------------------------------------------------
// Connecting, and TLS.

/** A TLS server with the test certificate, accepting one connection and running `script` on it. */
function tlsServer(script: (conn: Deno.TlsConn) => Promise<string | void>) {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_SERVER_CERT,
    key: TEST_SERVER_KEY,
  });
  const serving = (async () => {
    using conn = await listener.accept();
    return await script(conn);
  })();
  return { listener, serving, url: `https://127.0.0.1:${listener.addr.port}` };
}

Deno.test("fetchPage() over https: the same request and decoding, inside TLS", async () => {
  const { listener, serving, url } = tlsServer(async (conn) => {
    const cut = await readHead(conn, { maxBytes: 16 * 1024, what: "request" });
    await writeAll(conn, utf8.encode(`${HEAD_CHUNKED}5\r\nhello\r\n0\r\n\r\n`));
    return utf8.decode(cut!.head);
  });
  using _listener = listener;
  const result = await fetchWithin(5_000, `${url}/secret`, { caCerts: [TEST_CA_CERT] });
  assert.equal(utf8.decode(result.body), "hello");
  assert.equal(
    await within(1_000, "the request at the TLS server", serving) + "\r\n\r\n",
    result.request,
  );
});

Deno.test("fetchPage() refuses a certificate nobody vouches for, in one line", async () => {
  const { listener, serving, url } = tlsServer(async (conn) => {
    await conn.handshake().catch(() => {}); // the client walks away
  });
  using _listener = listener;
  await assert.rejects(fetchWithin(5_000, `${url}/`), (err) => {
    assert.match(
      formatError(err),
      /^error: 127\.0\.0\.1:\d+ showed a TLS certificate we do not trust .*UnknownIssuer/,
    );
    return true;
  });
  await within(1_000, "the TLS server to see the client leave", serving);
});

Deno.test("fetchPage() says a plain-HTTP server does not speak TLS", async () => {
  // Like nginx on a plain port: it answers the TLS hello with an HTTP 400.
  await using server = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
    await conn.read(new Uint8Array(16 * 1024));
    await writeAll(conn, utf8.encode("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
  });
  const url = `https://127.0.0.1:${server.addr.port}/`;
  await assert.rejects(fetchWithin(5_000, url, { timeoutMs: 5_000 }), (err) => {
    assert.match(formatError(err), /^error: .*(TLS|does not speak)/);
    return true;
  });
});

Deno.test("fetchPage() gives up on a connect nobody answers after timeoutMs, for http and https alike", async (t) => {
  // A listener whose accept queue is full: Linux drops the next SYN, and the
  // connect waits on the kernel's retries (Deno.connectTls could not be stopped).
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 1 });
  const { port } = listener.addr;
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port });
  using _first = await within(2_000, "the 1st connection into the accept queue", connect());
  using _second = await within(2_000, "the 2nd connection into the accept queue", connect());
  for (const scheme of ["http", "https"]) {
    await t.step(scheme, async () => {
      const url = `${scheme}://127.0.0.1:${port}/`;
      await assert.rejects(fetchWithin(2_000, url, { timeoutMs: 100 }), (err) => {
        assert.ok(err instanceof TimeoutError, `${err}`);
        assert.equal(
          formatError(err),
          `error: no answer from 127.0.0.1:${port} within 100 ms (is the host reachable? raise --timeout-ms)`,
        );
        return true;
      });
    });
  }
});

// ---------------------------------------------------------------------------
// Failures: one line each.

Deno.test("deno task 01 with nothing listening prints one line naming the address, and exits 1", async () => {
  const port = closedPort();
  const { code, stderr } = await task01(`http://127.0.0.1:${port}/`);
  assert.equal(code, 1);
  assert.equal(stderr.length, 1, stderr.join("\n"));
  assert.match(
    stderr[0],
    new RegExp(`^error: nothing is listening on 127\\.0\\.0\\.1:${port} \\(`),
  );
});

Deno.test("fetchPage() times out a server that accepts and says nothing, after timeoutMs", async () => {
  await using server = answeringAndStaying();
  await assert.rejects(fetchWithin(2_000, urlOf(server), { timeoutMs: 50 }), (err) => {
    assert.ok(err instanceof TimeoutError);
    assert.match(
      formatError(err),
      /^error: 127\.0\.0\.1:\d+ sent nothing for 50 ms \(.*--timeout-ms\)$/,
    );
    return true;
  });
  const { code, stderr } = await task01(urlOf(server), "--timeout-ms", "50");
  assert.equal(code, 1);
  assert.deepEqual(stderr, [
    `error: 127.0.0.1:${server.addr.port} sent nothing for 50 ms (the server went quiet; try again or raise --timeout-ms)`,
  ]);
});

Deno.test("fetchPage() fails at once on an answer that is not HTTP (an SSH banner), without waiting for more", async () => {
  await using server = answeringAndStaying("SSH-2.0-OpenSSH_9.6\r\n");
  await assert.rejects(fetchWithin(2_000, urlOf(server), { timeoutMs: 60_000 }), (err) => {
    assert.ok(err instanceof ProtocolError);
    assert.match(
      formatError(err),
      /^error: the answer is not HTTP: it starts with "SSH-2\.0-OpenSSH_9\.6\\r\\n" \(is this an HTTP server\? for https, write https:\/\/\)$/,
    );
    return true;
  });
});

type ErrorClass = new (...args: never[]) => Error;

const failures: {
  label: string;
  pieces: (string | Uint8Array)[];
  type: ErrorClass;
  message: RegExp;
  maxBytes?: number;
}[] = [
  {
    label: "an answer that is not HTTP",
    pieces: ["<html>hello</html>"],
    type: ProtocolError,
    message: /the answer is not HTTP: it starts with "<html>hello<\/html>"/,
  },
  {
    label: "a status line that is not one",
    pieces: ["HTTP/1.1 OK\r\n\r\n"],
    type: ProtocolError,
    message: /not an HTTP status line: "HTTP\/1\.1 OK"/,
  },
  {
    label: "a head with no end",
    pieces: ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"],
    type: UnexpectedEofError,
    message: /closed after 36 bytes of the response head, before the empty line/,
  },
  {
    label: "a truncated chunked body",
    pieces: [`${HEAD_CHUNKED}10\r\n0123456789`],
    type: UnexpectedEofError,
    message: /chunked body was cut off inside chunk 1 \(6 of its bytes missing\)/,
  },
  {
    label: "a chunked body without its last chunk",
    pieces: [`${HEAD_CHUNKED}2\r\nok\r\n`],
    type: UnexpectedEofError,
    message: /cut off after 1 chunk, before the last \(size 0\) chunk/,
  },
  {
    label: "a chunk size that is not hex",
    pieces: [`${HEAD_CHUNKED}zz\r\n`],
    type: ProtocolError,
    message: /"zz" is not a chunk size/,
  },
  {
    label: "a truncated Content-Length body",
    pieces: ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"],
    type: UnexpectedEofError,
    message: /cut off after 5 of 10 bytes \(Content-Length\)/,
  },
  {
    label: "two different Content-Lengths",
    pieces: ["HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"],
    type: ProtocolError,
    message: /bad Content-Length: 1, 2/,
  },
  {
    label: "a chunked body over --max-bytes",
    pieces: [`${HEAD_CHUNKED}6\r\n123456\r\n0\r\n\r\n`],
    maxBytes: 5,
    type: LimitError,
    message: /the body is longer than 5 bytes \(raise --max-bytes to save it\)/,
  },
  {
    label: "a Content-Length over --max-bytes, refused before reading",
    pieces: ["HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"],
    maxBytes: 5,
    type: LimitError,
    message: /the body is 6 bytes \(Content-Length\), over the limit of 5/,
  },
  {
    label: "a close-delimited body over --max-bytes",
    pieces: ["HTTP/1.1 200 OK\r\n\r\n123456"],
    maxBytes: 5,
    type: LimitError,
    message: /the body is longer than 5 bytes/,
  },
  {
    label: "a server that closes without answering",
    pieces: [],
    type: ProtocolError,
    message: /closed the connection without answering/,
  },
];

for (const { label, pieces, type, message, maxBytes } of failures) {
  Deno.test(`fetchPage() and deno task 01 fail in one line, saving nothing: ${label}`, async () => {
    await using dir = await tempDir();
    await using server = answering(...pieces);
    await assert.rejects(fetchWithin(5_000, urlOf(server), { maxBytes }), (err) => {
      assert.ok(err instanceof type, `${err}`);
      assert.match(formatError(err), message);
      return true;
    });
    const out = `${dir.path}/page.html`;
    const limit = maxBytes ? ["--max-bytes", String(maxBytes)] : [];
    const { code, stderr } = await task01(urlOf(server), "--out", out, ...limit);
    assert.equal(code, 1);
    assert.equal(stderr.length, 1, `one line: ${stderr.join("\n")}`);
    assert.match(stderr[0], message);
    assert.deepEqual(await dir.files(), []);
  });
}

Deno.test("deno task 01 when the server dies mid-body (a reset): one line, and no file, not even a partial one", async () => {
  await using dir = await tempDir();
  await using server = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
    await conn.read(new Uint8Array(1)); // one byte of the request; the rest stays unread
    await writeAll(conn, utf8.encode("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"));
    await writeAll(conn, new Uint8Array(50_000).fill(0x78));
  }); // then serve() closes it, with input unread: the kernel sends a reset (RST)
  const { code, stderr } = await task01(urlOf(server), "--out", `${dir.path}/page.html`);
  assert.equal(code, 1);
  assert.equal(stderr.length, 1, `one line, no stack trace: ${stderr.join("\n")}`);
  assert.match(stderr[0], /^error: .*(reset the connection|cut off after 50000 of 100000 bytes)/);
  assert.deepEqual(await dir.files(), []);
});

// ---------------------------------------------------------------------------
// Saving, redirects, the command line.

Deno.test("deno task 01 URL saves the decoded body, byte for byte, and says where", async () => {
  await using dir = await tempDir();
  await using server = answering(wireChunked);
  const out = `${dir.path}/page.html`;
  const { code, stdout } = await task01(urlOf(server), "--out", out);
  assert.equal(code, 0);
  assert.deepEqual(await Deno.readFile(out), pageBytes);
  assert.equal(stdout.at(-1), `Saved ${pageBytes.length} body bytes to ${out}`);
  assert.deepEqual(await dir.files(), ["page.html"], "no temporary file left");
});

Deno.test("savePage() replaces an existing page whole, through a temporary file", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/page.html`;
  await Deno.writeTextFile(out, "an old, longer page that must not leave a tail");
  await savePage(out, utf8.encode("new"));
  assert.equal(await Deno.readTextFile(out), "new");
  assert.deepEqual(await dir.files(), ["page.html"]);
});

Deno.test("savePage() into a folder that does not exist fails with one line and leaves nothing", async () => {
  await using dir = await tempDir();
  await assert.rejects(savePage(`${dir.path}/missing/page.html`, utf8.encode("x")), (err) => {
    assert.match(
      formatError(err),
      /^error: cannot save .*missing\/page\.html: the folder .*missing does not exist/,
    );
    return true;
  });
  assert.deepEqual(await dir.files(), []);
});

Deno.test({
  name: "savePage() where Deno may not write says how to allow it",
  // Only meaningful in the sandbox: with write access to / it would write there.
  ignore: Deno.permissions.querySync({ name: "write", path: "/" }).state === "granted",
}, async () => {
  await assert.rejects(savePage("/page-outside-the-sandbox.html", utf8.encode("x")), (err) => {
    assert.match(
      formatError(err),
      /^error: Deno was not given permission to write \/page-outside-the-sandbox\.html \(`deno task 01` may write only/,
    );
    return true;
  });
});

Deno.test("deno task 01 does not follow a redirect: the status, where it points, the command to run next; nothing saved", async () => {
  await using dir = await tempDir();
  await using server = answering(
    "HTTP/1.1 301 Moved Permanently\r\nLocation: /new/place\r\nContent-Length: 5\r\n\r\nmoved",
  );
  const { code, stdout } = await task01(urlOf(server, "/old"), "--out", `${dir.path}/page.html`);
  assert.equal(code, 0);
  const next = urlOf(server, "/new/place");
  assert.deepEqual(stdout.slice(-2), [
    `301 Moved Permanently: the page is at ${next} (redirects are not followed).`,
    `Fetch it with: deno task 01 ${next}`,
  ]);
  assert.deepEqual(await dir.files(), []);
});

Deno.test("defaultOutFile() is <host>.html, like the tutorials' sina.html", () => {
  assert.equal(defaultOutFile(parseTarget("http://www.sina.com.cn/")), "www.sina.com.cn.html");
  assert.equal(defaultOutFile(parseTarget("https://127.0.0.1:8443/x")), "127.0.0.1.html");
});

Deno.test("deno task 01 takes command-line mistakes as usage errors, one line each", async () => {
  const cases: [string[], RegExp][] = [
    [["http://a/", "http://b/"], /^error: one URL at a time, got 2 \(see --help\)$/],
    [["--out", "x.html"], /^error: --out is not an option of the demo \(see --help\)$/],
    [["http://a/", "--timeout-ms", "soon"], /^error: --timeout-ms must be a whole number/],
    [["http://a/", "--max-bytes=-1"], /^error: --max-bytes must be a whole number, got "-1"/],
    [["example.com"], /^error: "example\.com" is not a URL/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await task01(...args);
    assert.equal(code, 1, args.join(" "));
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(stderr[0], message);
  }
});

Deno.test("deno task 01 --help shows the URL form and its flags", async () => {
  const { code, stdout } = await task01("--help");
  assert.equal(code, 0);
  const help = stdout.join("\n");
  assert.match(help, /deno task 01 \[options\] URL/);
  for (const flag of ["--out FILE", "--timeout-ms N", "--max-bytes N"]) {
    assert.ok(help.includes(flag), flag);
  }
});

// ---------------------------------------------------------------------------
// The demo.

Deno.test("demo() runs offline: the tutorial's result, the decoded page, and the wait without Connection: close", async () => {
  const { log, lines } = collect();
  await within(5_000, "the demo to finish", lesson.cli.demo(log));
  const transcript = lines.join("\n");
  assert.match(transcript, /are chunk sizes in hex/);
  assert.match(transcript, /client │ > GET \/ HTTP\/1\.1/);
  assert.match(transcript, /client │ < Transfer-Encoding: chunked/);
  assert.match(transcript, /Body: \d+ bytes, sent in 3 chunks/);
  assert.match(transcript, /这一页分三块发送/);
  const waited = Number(transcript.match(/without "Connection: close": (\d+) ms/)?.[1]);
  assert.ok(waited >= 300, `waited ${waited} ms for the server's 300 ms keep-alive timeout`);
});
