import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { closedPort, splitEvery, utf8 } from "./_util.ts";
import { TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from "./fixtures/tls.ts";
import {
  ConnectionRefusedError,
  formatError,
  LimitError,
  ProtocolError,
  TimeoutError,
  UnexpectedEofError,
  UsageError,
} from "../lib/errors.ts";
import { readHead } from "../lib/http_head.ts";
import { concatBytes, writeAll } from "../lib/io.ts";
import { collect } from "../lib/log.ts";
import { serveTcp, type TcpServer } from "../lib/server.ts";
import { listenTcp } from "../lib/tcp.ts";

const lesson = await loadLesson<typeof import("../lessons/01_fetch_page.ts")>("01_fetch_page.ts");

// ---------------------------------------------------------------------------
// Servers the tests script byte by byte.

/** What a scripted server saw and can do. */
interface Scripted {
  /** The request head the client sent, with its final \r\n\r\n. */
  request: Promise<string>;
}

/**
 * A raw TCP server that reads one request head, records it, then runs
 * `script` on the connection: the test decides every byte of the answer.
 */
function scriptedServer(
  script: (conn: Deno.TcpConn) => Promise<void>,
): TcpServer & Scripted {
  let recordRequest!: (text: string) => void;
  const request = new Promise<string>((resolve) => recordRequest = resolve);
  const server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    const cut = await readHead(conn, { maxBytes: 16 * 1024, what: "request" });
    recordRequest(cut === null ? "" : utf8.decode(cut.head) + "\r\n\r\n");
    await script(conn);
  });
  return Object.assign(server, { request });
}

/** A server that writes `bytes` and closes. */
function answering(...pieces: (string | Uint8Array)[]): TcpServer & Scripted {
  return scriptedServer(async (conn) => {
    for (const piece of pieces) await writeAll(conn, bytesOf(piece));
  });
}

function bytesOf(piece: string | Uint8Array): Uint8Array {
  return typeof piece === "string" ? utf8.encode(piece) : piece;
}

function urlOf(server: TcpServer, path = "/"): string {
  return `http://127.0.0.1:${server.addr.port}${path}`;
}

/**
 * Fetches from a server that writes each piece only after the client's
 * previous read returned, so every read the client makes ends exactly where a
 * piece ends: the split is the test's choice, not the kernel's. Returns the
 * result and the size of every read the client made.
 */
async function fetchInLockstep(
  pieces: (string | Uint8Array)[],
): Promise<{ page: Awaited<ReturnType<typeof lesson.fetchPage>>; reads: number[] }> {
  const reads: number[] = [];
  let wake: (() => void) | undefined;
  // Once the fetch has ended (a client that failed stops reading), the server
  // stops waiting for reads that will never come, so the test fails, not hangs.
  let fetchEnded = false;
  const readsReach = async (count: number) => {
    while (reads.length < count && !fetchEnded) {
      await new Promise<void>((resolve) => wake = resolve);
    }
  };
  await using server = scriptedServer(async (conn) => {
    for (const [i, piece] of pieces.entries()) {
      await writeAll(conn, bytesOf(piece));
      if (bytesOf(piece).length > 0) await readsReach(i + 1);
    }
  });
  const fetching = lesson.fetchPage(urlOf(server), {
    connect: async (target) => {
      const conn = await Deno.connect({ hostname: target.hostname, port: target.port });
      return {
        async read(p: Uint8Array) {
          const n = await conn.read(p);
          if (n !== null) reads.push(n);
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
  const page = await fetching;
  return { page, reads };
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

const HEAD_CHUNKED =
  "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n";

// ---------------------------------------------------------------------------
// The request on the wire.

Deno.test("the request is built byte for byte: path and query, Host, User-Agent, Accept, Connection: close", () => {
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
      lesson.buildRequest(lesson.parseTarget(url)),
      `${start}User-Agent: ${lesson.USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
      url,
    );
  }
});

Deno.test("the server receives exactly the request the lesson prints", async () => {
  await using server = answering("HTTP/1.1 204 No Content\r\n\r\n");
  const { log, lines } = collect();
  const page = await lesson.fetchPage(urlOf(server, "/hello?x=1"), { log });
  assert.equal(await server.request, page.request);
  const printed = lines.filter((l) => l.startsWith("> ")).map((l) => l.slice(2));
  assert.equal(printed.join("\r\n") + "\r\n", page.request);
});

Deno.test("a URL that is not http(s) is a usage error with a hint", () => {
  const cases: [string, RegExp][] = [
    [
      "example.com",
      /error: "example\.com" is not a URL \(write it with its scheme: http:\/\/example\.com\)/,
    ],
    ["ftp://example.com/", /is not an http:\/\/ or https:\/\/ URL/],
    ["http://user:secret@example.com/", /user names and passwords/],
  ];
  for (const [url, message] of cases) {
    assert.throws(() => lesson.parseTarget(url), (err) => {
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
  Deno.test(`a chunked body is decoded exactly: ${label}`, async () => {
    const { page: result, reads } = await fetchInLockstep(pieces);
    assert.equal(result.head.status, 200);
    assert.deepEqual(result.framing, { kind: "chunked" });
    assert.deepEqual(result.body, pageBytes);
    assert.equal(result.chunks, 2);
    assert.deepEqual(result.trailers, [{ name: "X-Trailer", value: "yes" }]);
    // The reads really were split where the test said.
    assert.deepEqual(reads, pieces.map((p) => bytesOf(p).length).filter((n) => n > 0));
  });
}

Deno.test("a body with Content-Length is read to exactly that length, even if the server keeps the connection open", async () => {
  const body = new Uint8Array(256).map((_, i) => i); // every byte value
  let clientClosed!: () => void;
  const closed = new Promise<void>((resolve) => clientClosed = resolve);
  await using server = scriptedServer(async (conn) => {
    await writeAll(conn, utf8.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`));
    await writeAll(conn, body);
    // Do not close: wait for the client to hang up. A client that read until
    // close would wait for ever (and time out); this one stops at the length.
    await conn.read(new Uint8Array(1));
    clientClosed();
  });
  const result = await lesson.fetchPage(urlOf(server), { timeoutMs: 30_000 });
  assert.deepEqual(result.framing, { kind: "length", length: 256 });
  assert.deepEqual(result.body, body);
  await closed;
});

Deno.test("a body without length or chunking is everything until the server closes", async () => {
  const body = concatBytes([
    new Uint8Array(256).map((_, i) => i),
    utf8.encode("\r\n\r\n0\r\n\r\n"),
  ]);
  await using server = answering(
    "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n",
    body,
  );
  const result = await lesson.fetchPage(urlOf(server));
  assert.deepEqual(result.framing, { kind: "close" });
  assert.deepEqual(result.body, body);
});

Deno.test("204 and 304 answers have no body", async () => {
  for (const status of ["204 No Content", "304 Not Modified"]) {
    await using server = answering(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`);
    const result = await lesson.fetchPage(urlOf(server));
    assert.deepEqual(result.framing, { kind: "none" });
    assert.equal(result.body.length, 0);
  }
});

Deno.test("a 103 Early Hints head before the real answer is skipped", async () => {
  await using server = answering(
    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  );
  const result = await lesson.fetchPage(urlOf(server));
  assert.equal(result.head.status, 200);
  assert.equal(utf8.decode(result.body), "ok");
});

// ---------------------------------------------------------------------------
// A real HTTP server that no one here wrote.

Deno.test("against Deno.serve: a streamed (chunked) body and a Content-Length body arrive byte for byte", async () => {
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
  const streamed = await lesson.fetchPage(`${base}/stream`);
  assert.deepEqual(streamed.framing, { kind: "chunked" });
  assert.deepEqual(streamed.body, whole);
  const sized = await lesson.fetchPage(`${base}/sized`);
  assert.deepEqual(sized.framing, { kind: "length", length: whole.length });
  assert.deepEqual(sized.body, whole);
});

// ---------------------------------------------------------------------------
// TLS.

Deno.test("https: the same request and decoding, inside TLS, against a local TLS server", async () => {
  using listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_SERVER_CERT,
    key: TEST_SERVER_KEY,
  });
  const serving = (async () => {
    using conn = await listener.accept();
    const cut = await readHead(conn, { maxBytes: 16 * 1024, what: "request" });
    await writeAll(conn, utf8.encode(`${HEAD_CHUNKED}5\r\nhello\r\n0\r\n\r\n`));
    return utf8.decode(cut!.head);
  })();
  const result = await lesson.fetchPage(`https://127.0.0.1:${listener.addr.port}/secret`, {
    caCerts: [TEST_CA_CERT],
  });
  assert.equal(utf8.decode(result.body), "hello");
  assert.equal(await serving + "\r\n\r\n", result.request);
});

Deno.test("https: a certificate nobody vouches for is refused with one clear line", async () => {
  using listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_SERVER_CERT,
    key: TEST_SERVER_KEY,
  });
  const serving = (async () => {
    using conn = await listener.accept();
    await conn.handshake().catch(() => {}); // the client walks away
  })();
  await assert.rejects(lesson.fetchPage(`https://127.0.0.1:${listener.addr.port}/`), (err) => {
    assert.match(
      formatError(err),
      /^error: 127\.0\.0\.1:\d+ showed a TLS certificate we do not trust .*UnknownIssuer/,
    );
    return true;
  });
  await serving;
});

Deno.test("https to a plain-HTTP server fails clearly", async () => {
  // Like nginx on a plain port: it answers the TLS hello with an HTTP 400.
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    await conn.read(new Uint8Array(16 * 1024));
    await writeAll(conn, utf8.encode("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
  });
  const url = `https://127.0.0.1:${server.addr.port}/`;
  await assert.rejects(lesson.fetchPage(url, { timeoutMs: 5_000 }), (err) => {
    assert.match(formatError(err), /^error: .*(TLS|does not speak)/);
    return true;
  });
});

// ---------------------------------------------------------------------------
// Failures: one line each.

Deno.test("connection refused: one line naming the address", async () => {
  const port = closedPort();
  await assert.rejects(lesson.fetchPage(`http://127.0.0.1:${port}/`), (err) => {
    assert.ok(err instanceof ConnectionRefusedError);
    assert.equal(
      formatError(err),
      `error: nothing is listening on 127.0.0.1:${port} (check the host and port in the URL)`,
    );
    return true;
  });
});

Deno.test("a server that accepts and says nothing times out after --timeout-ms", async () => {
  await using server = scriptedServer((conn) => conn.read(new Uint8Array(1)).then(() => {}));
  await assert.rejects(lesson.fetchPage(urlOf(server), { timeoutMs: 50 }), (err) => {
    assert.ok(err instanceof TimeoutError);
    assert.match(
      formatError(err),
      /^error: 127\.0\.0\.1:\d+ sent nothing for 50 ms \(.*--timeout-ms\)$/,
    );
    return true;
  });
});

Deno.test("an answer that is not HTTP (an SSH banner) fails at once, without waiting for more", async () => {
  await using server = scriptedServer(async (conn) => {
    await writeAll(conn, utf8.encode("SSH-2.0-OpenSSH_9.6\r\n"));
    await conn.read(new Uint8Array(1)); // an SSH server waits for the client's banner
  });
  await assert.rejects(lesson.fetchPage(urlOf(server), { timeoutMs: 60_000 }), (err) => {
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
  Deno.test(`fails with one line, and saves nothing: ${label}`, async () => {
    await using dir = await tempDir();
    await using server = answering(...pieces);
    const out = `${dir.path}/page.html`;
    const { log } = collect();
    await assert.rejects(
      lesson.main([
        urlOf(server),
        "--out",
        out,
        ...(maxBytes ? ["--max-bytes", String(maxBytes)] : []),
      ], log),
      (err) => {
        assert.ok(err instanceof type, `${err}`);
        const line = formatError(err);
        assert.match(line, message);
        assert.ok(!line.includes("\n"), "one line");
        return true;
      },
    );
    assert.deepEqual(await dir.files(), []);
  });
}

// ---------------------------------------------------------------------------
// Saving, redirects, the command line.

Deno.test("the command line saves the decoded body, byte for byte, and says where", async () => {
  await using dir = await tempDir();
  await using server = answering(wireChunked);
  const out = `${dir.path}/page.html`;
  const { log, lines } = collect();
  await lesson.main([urlOf(server), "--out", out], log);
  assert.deepEqual(await Deno.readFile(out), pageBytes);
  assert.equal(lines.at(-1), `Saved ${pageBytes.length} body bytes to ${out}`);
  assert.deepEqual(await dir.files(), ["page.html"], "no temporary file left");
});

Deno.test("saving replaces an existing page whole, through a temporary file", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/page.html`;
  await Deno.writeTextFile(out, "an old, longer page that must not leave a tail");
  await lesson.savePage(out, utf8.encode("new"));
  assert.equal(await Deno.readTextFile(out), "new");
  assert.deepEqual(await dir.files(), ["page.html"]);
});

Deno.test("saving into a folder that does not exist fails with one line and leaves nothing", async () => {
  await using dir = await tempDir();
  await assert.rejects(
    lesson.savePage(`${dir.path}/missing/page.html`, utf8.encode("x")),
    (err) => {
      assert.match(
        formatError(err),
        /^error: cannot save .*missing\/page\.html: the folder .*missing does not exist/,
      );
      return true;
    },
  );
  assert.deepEqual(await dir.files(), []);
});

Deno.test({
  name: "saving where Deno may not write says how to allow it",
  // Only meaningful in the sandbox: with write access to / it would write there.
  ignore: Deno.permissions.querySync({ name: "write", path: "/" }).state === "granted",
}, async () => {
  await assert.rejects(
    lesson.savePage("/page-outside-the-sandbox.html", utf8.encode("x")),
    (err) => {
      assert.match(
        formatError(err),
        /^error: Deno was not given permission to write \/page-outside-the-sandbox\.html \(`deno task 01` may write only/,
      );
      return true;
    },
  );
});

Deno.test("a redirect is not followed: the status, where it points, and the command to run next; nothing saved", async () => {
  await using dir = await tempDir();
  await using server = answering(
    "HTTP/1.1 301 Moved Permanently\r\nLocation: /new/place\r\nContent-Length: 5\r\n\r\nmoved",
  );
  const { log, lines } = collect();
  await lesson.main([urlOf(server, "/old"), "--out", `${dir.path}/page.html`], log);
  const next = urlOf(server, "/new/place");
  assert.deepEqual(lines.slice(-2), [
    `301 Moved Permanently: the page is at ${next} (redirects are not followed).`,
    `Fetch it with: deno task 01 ${next}`,
  ]);
  assert.deepEqual(await dir.files(), []);
});

Deno.test("the default file is <host>.html, like the tutorials' sina.html", () => {
  assert.equal(
    lesson.defaultOutFile(lesson.parseTarget("http://www.sina.com.cn/")),
    "www.sina.com.cn.html",
  );
  assert.equal(
    lesson.defaultOutFile(lesson.parseTarget("https://127.0.0.1:8443/x")),
    "127.0.0.1.html",
  );
});

Deno.test("command-line mistakes are usage errors", async () => {
  const { log } = collect();
  const cases: [string[], RegExp][] = [
    [["http://a/", "http://b/"], /one URL at a time/],
    [["--out", "x.html"], /--out needs a URL/],
    [["http://a/", "--timeout-ms", "soon"], /--timeout-ms must be a whole number/],
    [["http://a/", "--max-bytes", "-1"], /--max-bytes/],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(lesson.main(args, log), (err) => {
      assert.ok(err instanceof UsageError, `${args.join(" ")}: ${err}`);
      assert.match(formatError(err), message);
      return true;
    });
  }
});

// ---------------------------------------------------------------------------
// The tutorial's client, and the demo.

Deno.test("the tutorial's client would save the chunk sizes into the page", async () => {
  await using server = lesson.startChunkedServer();
  const target = lesson.parseTarget(urlOf(server));
  const naive = await lesson.fetchLikeTheTutorial({
    port: server.addr.port,
    request: lesson.buildRequest(target),
  });
  assert.match(naive.header, /^HTTP\/1\.1 200 OK\r\n.*Transfer-Encoding: chunked/s);
  const firstSize = utf8.encode(lesson.DEMO_PAGE_PIECES[0]).length.toString(16);
  assert.ok(utf8.decode(naive.html).startsWith(`${firstSize}\r\n<!doctype html>`));
  assert.ok(utf8.decode(naive.html).endsWith("\r\n0\r\n\r\n"));
  const decoded = await lesson.fetchPage(urlOf(server));
  assert.equal(utf8.decode(decoded.body), lesson.DEMO_PAGE_PIECES.join(""));
});

Deno.test("the demo runs offline and shows both the tutorial's result and the decoded page", async () => {
  const { log, lines } = collect();
  await lesson.demo(log);
  const transcript = lines.join("\n");
  assert.match(transcript, /are chunk sizes in hex/);
  assert.match(transcript, /client │ > GET \/ HTTP\/1\.1/);
  assert.match(transcript, /client │ < Transfer-Encoding: chunked/);
  assert.match(transcript, /Body: \d+ bytes, sent in 3 chunks/);
  assert.match(transcript, /这一页分三块发送/);
});
