import assert from "node:assert/strict";
import * as lesson from "../lessons/02_hello_http.ts";
import { runLesson } from "../lib/cli.ts";
import { readHead } from "../lib/http_head.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { shutdownAndDrain } from "../lib/linger.ts";
import { collect } from "../lib/log.ts";
import { serve, type Server } from "../lib/serve.ts";
import { underTest } from "./_exercise.ts";
import { recordLog, runCli, utf8, within } from "./_util.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #02a ... #02e, when `deno task verify` checks that exercise).
const serveLikeTheTutorial = await underTest(lesson, "serveLikeTheTutorial");
const buildResponse = await underTest(lesson, "buildResponse");
const handleHttpConnection = await underTest(lesson, "handleHttpConnection");

/** A server around the handler under test, on a free port: serve() closes each connection. */
function startServer(options: lesson.HttpHelloServerOptions = {}): Server {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return serve(listener, (conn) => handleHttpConnection(conn, options), { log: options.log });
}

/**
 * Sends raw bytes, in the given pieces, and returns everything the server
 * answers until it closes; `what` says what was waited for, and why it may
 * not have come.
 */
async function exchange(
  port: number,
  pieces: (string | Uint8Array)[],
  what = "the whole answer, then the server's close",
): Promise<string> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  for (const piece of pieces) {
    const bytes = typeof piece === "string" ? utf8.encode(piece) : piece;
    await within(2_000, "the server to take the request's bytes", writeAll(conn, bytes));
  }
  return utf8.decode((await readToClose(conn, what)).bytes);
}

/** What a client read until the server closed: every byte, and how it ended. */
interface Closed {
  /** Everything read. */
  bytes: Uint8Array;
  /** `eof` for a FIN (end of stream), `reset` for an RST. */
  end: "eof" | "reset";
}

/** Reads until end of stream or a reset, failing in words after `ms` (2 s). */
async function readToClose(conn: Deno.Conn, what: string, ms = 2_000): Promise<Closed> {
  const chunks: Uint8Array[] = [];
  const reading = async (): Promise<Closed["end"]> => {
    try {
      for (let chunk; (chunk = await readChunk(conn, 64 * 1024)) !== null;) chunks.push(chunk);
      return "eof";
    } catch (err) {
      if (err instanceof Deno.errors.ConnectionReset) return "reset";
      throw err;
    }
  };
  const end = await within(ms, what, reading());
  return { bytes: concatBytes(chunks), end };
}

/** Splits a raw answer into status line, fields (lower-case names) and body. */
function parse(answer: string): { status: string; fields: Map<string, string>; body: string } {
  const at = answer.indexOf("\r\n\r\n");
  assert.ok(
    at !== -1,
    answer === ""
      ? "the server closed the connection without a word of answer"
      : `no empty line ends the answer's head: ${JSON.stringify(answer.slice(0, 200))}`,
  );
  const [status, ...lines] = answer.slice(0, at).split("\r\n");
  const fields = new Map(lines.map((l) => {
    const colon = l.indexOf(":");
    return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()] as [string, string];
  }));
  return { status, fields, body: answer.slice(at + 4) };
}

/** Every error answer closes and says how long its body is, in bytes. */
function assertWellFramed(answer: ReturnType<typeof parse>): void {
  assert.equal(answer.fields.get("connection"), "close");
  assert.equal(Number(answer.fields.get("content-length")), utf8.encode(answer.body).length);
}

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// ── Part 1: the tutorial's server ───────────────────────────────────────────

/**
 * Runs `serveLikeTheTutorial` under test on a free port while `talk` talks
 * to it, then closes the listener and checks that the loop returns.
 */
async function withTutorialServer(
  talk: (port: number, lines: string[]) => Promise<void>,
): Promise<void> {
  const { log, lines } = collect();
  const listener = lesson.listenLikeTheTutorial(0);
  const serving = serveLikeTheTutorial(listener, log);
  try {
    await talk(listener.addr.port, lines);
  } finally {
    listener.close();
    await within(
      2_000,
      "serveLikeTheTutorial() to return once the listener is closed (does its loop end when accepting fails?)",
      serving,
    );
  }
}

Deno.test("serveLikeTheTutorial() sends the tutorial's bytes, status line, empty line, page, then closes, and prints the request #02a", async () => {
  await withTutorialServer(async (port, lines) => {
    const answer = await exchange(
      port,
      ["GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n"],
      "the tutorial's answer, then its close (does the loop accept, read, write the answer and close the connection?)",
    );
    assert.equal(answer, lesson.TUTORIAL_ANSWER);
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n\r\n<html>.*<h1>Hello World<\/h1>/);
    // print(data): each line of the request once, nothing else (no \0 from a whole buffer).
    assert.deepEqual(lines, ["GET / HTTP/1.1", "Host: x", "User-Agent: test"]);
  });
});

Deno.test("serveLikeTheTutorial() serves one client after another, each closed after its answer #02a", async () => {
  await withTutorialServer(async (port) => {
    for (const client of ["first", "second"]) {
      const answer = await exchange(
        port,
        [GET],
        `the ${client} client's answer and close (does the loop go on accepting after the first?)`,
      );
      assert.equal(answer, lesson.TUTORIAL_ANSWER);
    }
  });
});

Deno.test("serveLikeTheTutorial() goes on serving after a client that hangs up without a word", async () => {
  await withTutorialServer(async (port) => {
    const early = await Deno.connect({ hostname: "127.0.0.1", port });
    early.close();
    assert.equal(await exchange(port, [GET]), lesson.TUTORIAL_ANSWER);
  });
});

// ── An answer a browser can trust ───────────────────────────────────────────

Deno.test("buildResponse() sends the status line, Content-Type, Content-Length in bytes (你好 is 6), Connection: close, the empty line, the body #02b", () => {
  assert.equal(
    utf8.decode(buildResponse(200, "你好")),
    "HTTP/1.1 200 OK\r\n" +
      "Content-Type: text/html; charset=utf-8\r\n" +
      "Content-Length: 6\r\n" +
      "Connection: close\r\n" +
      "\r\n" +
      "你好",
  );
});

Deno.test("buildResponse() for HEAD (headOnly): the same head, the body's Content-Length, no body #02b", () => {
  const page = utf8.encode(lesson.PAGE);
  assert.equal(
    utf8.decode(buildResponse(200, lesson.PAGE, { headOnly: true })),
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" +
      `Content-Length: ${page.length}\r\nConnection: close\r\n\r\n`,
  );
});

Deno.test("buildResponse() takes another Content-Type, and puts more fields after the three #02b", () => {
  const bytes = buildResponse(405, "no\n", {
    contentType: "text/plain; charset=utf-8",
    fields: [["Allow", "GET, HEAD"]],
  });
  assert.equal(
    utf8.decode(bytes),
    "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n" +
      "Content-Length: 3\r\nConnection: close\r\nAllow: GET, HEAD\r\n\r\nno\n",
  );
});

Deno.test("fetch(), a real HTTP client, reads buildResponse()'s page from a bare accept loop: 200, HTML in UTF-8, every byte #02b", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // One connection, served by hand: the whole head, buildResponse()'s answer, FIN.
  const serving = (async () => {
    using conn = await listener.accept();
    await readHead(conn, { maxBytes: 16 * 1024, what: "request" });
    await writeAll(conn, buildResponse(200, lesson.PAGE));
    await shutdownAndDrain(conn);
  })();
  try {
    const response = await within(
      2_000,
      "fetch()'s response (does the head end in an empty line, \\r\\n\\r\\n?)",
      fetch(`http://127.0.0.1:${listener.addr.port}/`),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("connection"), "close");
    const body = await within(
      2_000,
      "the page's body (does Content-Length count bytes, not characters?)",
      response.arrayBuffer(),
    );
    assert.equal(Number(response.headers.get("content-length")), body.byteLength);
    assert.equal(utf8.decode(new Uint8Array(body)), lesson.PAGE);
  } finally {
    await within(2_000, "the one-connection server to finish", serving);
  }
});

// ── Part 3: the lesson's server ─────────────────────────────────────────────

Deno.test("fetch(), a real HTTP client, gets 200, HTML in UTF-8, the page with Hello World", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const response = await within(
    2_000,
    "fetch() of the page",
    fetch(`http://127.0.0.1:${server.addr.port}/`),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("connection"), "close");
  const bytes = new Uint8Array(await within(2_000, "the page's body", response.arrayBuffer()));
  assert.equal(Number(response.headers.get("content-length")), bytes.length);
  const text = utf8.decode(bytes);
  assert.equal(text, lesson.PAGE);
  assert.match(text, /<h1>Hello World<\/h1>/);
  assert.match(text, /<title>客户端请求<\/title>/);
});

Deno.test("the bytes on the wire: status line, three fields, Content-Length in bytes (not characters), the page", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const answer = await exchange(server.addr.port, [GET]);
  const pageBytes = utf8.encode(lesson.PAGE).length;
  assert.ok(pageBytes > lesson.PAGE.length, "the Chinese text makes bytes outnumber characters");
  assert.equal(
    answer,
    "HTTP/1.1 200 OK\r\n" +
      "Content-Type: text/html; charset=utf-8\r\n" +
      `Content-Length: ${pageBytes}\r\n` +
      "Connection: close\r\n" +
      "\r\n" +
      lesson.PAGE,
  );
});

const splitRequests: { label: string; pieces: string[] }[] = [
  { label: "in one write", pieces: [GET] },
  { label: "split inside the request line", pieces: ["GE", "T / HTTP/1.1\r\nHost: x\r\n\r\n"] },
  { label: "split inside the empty line", pieces: ["GET / HTTP/1.1\r\nHost: x\r\n\r", "\n"] },
  {
    label: "one byte at a time",
    pieces: Array.from("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\n\r\n"),
  },
];

for (const { label, pieces } of splitRequests) {
  Deno.test(`handleHttpConnection() reads a request head that arrives in pieces whole: ${label} #02c`, async () => {
    await using server = startServer();
    const answer = parse(
      await exchange(
        server.addr.port,
        pieces,
        "the answer to a head sent in pieces (does the server read until the empty line?)",
      ),
    );
    assert.equal(answer.status, "HTTP/1.1 200 OK", "the head read whole is a good request");
    assert.equal(answer.body, lesson.PAGE);
  });
}

Deno.test("handleHttpConnection() reads a head over 1 KiB whole: the Host line after a 1.5 KB User-Agent #02c", async () => {
  // One recv(1024) would stop inside the User-Agent and never see Host.
  await using server = startServer();
  const head = `GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0 ${"x".repeat(1500)}\r\nHost: x\r\n\r\n`;
  const answer = parse(await exchange(server.addr.port, [head]));
  assert.equal(answer.status, "HTTP/1.1 200 OK", "a head of 1.5 KB with its Host line is served");
  assert.equal(answer.body, lesson.PAGE);
});

/** A GET head of exactly `bytes` bytes, its final \r\n\r\n included. */
function headOf(bytes: number): string {
  const start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  return `${start}${"a".repeat(bytes - start.length - 4)}\r\n\r\n`;
}

Deno.test("handleHttpConnection() serves a head of exactly 16 KiB, its empty line included, and answers 431 to one byte more #02c", async () => {
  await using server = startServer();
  const limit = lesson.DEFAULT_MAX_HEAD_BYTES;
  assert.equal(limit, 16 * 1024);
  const atLimit = parse(await exchange(server.addr.port, [headOf(limit)]));
  assert.equal(atLimit.status, "HTTP/1.1 200 OK", `a head of exactly ${limit} bytes is allowed`);
  const over = parse(await exchange(server.addr.port, [headOf(limit + 1)]));
  assert.equal(over.status, "HTTP/1.1 431 Request Header Fields Too Large");
  assertWellFramed(over);
});

Deno.test("handleHttpConnection(): HEAD gets the same head, Content-Length included, and no body", async () => {
  await using server = startServer();
  const answer = await exchange(server.addr.port, ["HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"]);
  const { status, fields, body } = parse(answer);
  assert.equal(status, "HTTP/1.1 200 OK");
  assert.equal(Number(fields.get("content-length")), utf8.encode(lesson.PAGE).length);
  assert.equal(body, "");
});

Deno.test("a browser's second request, /favicon.ico, gets 404, and the server goes on serving", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const icon = await within(2_000, "fetch() of /favicon.ico", fetch(`${base}/favicon.ico`));
  assert.equal(icon.status, 404);
  assert.equal(icon.headers.get("connection"), "close");
  assert.match(await within(2_000, "the 404's body", icon.text()), /404 Not Found/);
  const page = await within(2_000, "fetch() of the page", fetch(`${base}/?from=test`));
  assert.equal(page.status, 200);
  await page.body?.cancel();
});

const badRequests: {
  label: string;
  request: string | Uint8Array;
  status: string;
  body: RegExp;
  tags: string;
}[] = [
  {
    label: "a line that is not HTTP",
    request: "hello\r\n\r\n",
    status: "HTTP/1.1 400 Bad Request",
    body: /not an HTTP request line: "hello"/,
    tags: " #02d",
  },
  {
    label: "a TLS handshake (https:// to an http port), refused at its first bytes",
    request: new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]),
    status: "HTTP/1.1 400 Bad Request",
    body: /not HTTP: it starts with "\\x16\\x03\\x01/,
    tags: " #02d",
  },
  {
    label: "HTTP/2.0 in the request line",
    request: "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    status: "HTTP/1.1 505 HTTP Version Not Supported",
    body: /HTTP\/2\.0 is not supported/,
    tags: " #02d",
  },
  {
    label: "HTTP/0.9 in the request line, another major version",
    request: "GET / HTTP/0.9\r\n\r\n",
    status: "HTTP/1.1 505 HTTP Version Not Supported",
    body: /HTTP\/0\.9 is not supported/,
    tags: " #02d",
  },
  {
    label: "HTTP/1.10, not a version at all (one digit each side of the dot)",
    request: "GET / HTTP/1.10\r\nHost: x\r\n\r\n",
    status: "HTTP/1.1 400 Bad Request",
    body: /not an HTTP request line: "GET \/ HTTP\/1\.10"/,
    tags: " #02d",
  },
  {
    label: "HTTP/1.2 without Host (served as HTTP/1.1, so Host is required)",
    request: "GET / HTTP/1.2\r\n\r\n",
    status: "HTTP/1.1 400 Bad Request",
    body: /must have a Host header/,
    tags: "",
  },
  {
    label: "two Host headers",
    request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    status: "HTTP/1.1 400 Bad Request",
    body: /only one Host header/,
    tags: "",
  },
  {
    label: "HTTP/1.1 without Host (the client of «25.Python 网络编程», its example 2)",
    request: "GET / HTTP/1.1\r\n\r\n\r\n",
    status: "HTTP/1.1 400 Bad Request",
    body: /must have a Host header/,
    tags: "",
  },
  {
    label: "a header line with no colon",
    request: "GET / HTTP/1.1\r\nHost x\r\n\r\n",
    status: "HTTP/1.1 400 Bad Request",
    body: /not a header field: "Host x"/,
    tags: " #02d",
  },
  {
    label: "a method other than GET or HEAD",
    request: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    status: "HTTP/1.1 405 Method Not Allowed",
    body: /POST is not supported/,
    tags: "",
  },
  {
    label: "a head over 16 KiB",
    request: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
    status: "HTTP/1.1 431 Request Header Fields Too Large",
    body: /the request head is longer than 16384 bytes/,
    tags: " #02c #02d",
  },
];

for (const { label, request, status, body, tags } of badRequests) {
  Deno.test(`handleHttpConnection() gives a bad request a clear answer, framed and closed, and the server keeps serving: ${label}${tags}`, async () => {
    await using server = startServer();
    const answer = parse(
      await exchange(
        server.addr.port,
        [request],
        "an answer to a bad request, then the close (does the handler answer the error it caught?)",
      ),
    );
    assert.equal(answer.status, status);
    assert.match(answer.body, body);
    assertWellFramed(answer);
    // The next client is served as usual.
    const next = await within(
      2_000,
      "fetch() after the bad request",
      fetch(`http://127.0.0.1:${server.addr.port}/`),
    );
    assert.equal(next.status, 200);
    await next.body?.cancel();
  });
}

Deno.test("the server logs each bad request: who sent it and what was wrong, or what it answered", async () => {
  const { log, lines } = collect();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  for (const { label, request } of badRequests) {
    lines.length = 0;
    // The answer is logged before the server's FIN, so once the client has
    // read to the end, the lines are there.
    await exchange(server.addr.port, [request]);
    assert.ok(
      lines.some((l) => /sent a bad request: |^Answered .*: 40[05] /.test(l)),
      `${label}:\n${lines.join("\n")}`,
    );
  }
});

Deno.test("handleHttpConnection(): 405 says which methods are allowed", async () => {
  await using server = startServer();
  const answer = parse(await exchange(server.addr.port, ["DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"]));
  assert.equal(answer.fields.get("allow"), "GET, HEAD");
});

Deno.test("handleHttpConnection(): the head limit is an option (--max-head-bytes): a 200-byte limit answers 431 to a normal browser head #02c", async () => {
  await using server = startServer({ maxHeadBytes: 200 });
  const head = `GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${"Mozilla/5.0 ".repeat(20)}\r\n\r\n`;
  const answer = parse(await exchange(server.addr.port, [head]));
  assert.equal(answer.status, "HTTP/1.1 431 Request Header Fields Too Large");
});

Deno.test("a client that connects and sends nothing is dropped after the timeout, and logged", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, timeoutMs: 20, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const end = await within(2_000, "the server to hang up after 20 ms", readChunk(conn, 1024));
  assert.equal(end, null, "the server hung up");
  await waitFor(
    new RegExp(
      `Connection from 127\\.0\\.0\\.1:${conn.localAddr.port} dropped: no complete request within 20 ms`,
    ),
    2_000,
  );
});

Deno.test("a connection closed without a request (a browser's spare connection) is logged, not an error", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const port = conn.localAddr.port;
  conn.close();
  await waitFor(new RegExp(`127\\.0\\.0\\.1:${port} closed without sending a request\\.`), 2_000);
});

Deno.test("the server logs each request as the tutorial's print(data) does, and each answer", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  await exchange(server.addr.port, ["GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n"]);
  await waitFor(/^Request from 127\.0\.0\.1:\d+:$/, 2_000);
  await waitFor(/^ {2}GET \/ HTTP\/1\.1$/, 2_000);
  await waitFor(/^ {2}User-Agent: test$/, 2_000);
  await waitFor(/^Answered 127\.0\.0\.1:\d+: 200 OK\.$/, 2_000);
});

Deno.test("twenty clients at once are all served", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => exchange(server.addr.port, [GET])),
  );
  for (const answer of answers) assert.equal(parse(answer).status, "HTTP/1.1 200 OK");
});

Deno.test("the demo runs offline: raw request, fetch(), favicon, garbage", async () => {
  const { log, lines } = collect();
  await within(20_000, "the demo to finish", lesson.cli.demo(log));
  const transcript = lines.join("\n");
  assert.match(transcript, /^ {2}HTTP\/1\.1 200 OK$/m);
  assert.match(transcript, /characters but \d+ bytes: Content-Length counts bytes/);
  assert.match(transcript, /\/favicon\.ico: 404/);
  assert.match(transcript, /HTTP\/1\.1 400 Bad Request/);
  assert.match(transcript, /HTTP\/1\.2, a newer minor version: HTTP\/1\.1 200 OK/);
  assert.match(transcript, /HTTP\/2\.0, another major version: HTTP\/1\.1 505 /);
  assert.match(transcript, /a POST with a body: HTTP\/1\.1 405 /);
  assert.match(transcript, /close at once: .* bytes,\n.*the client read \d+, then ConnectionReset/);
  assert.match(
    transcript,
    /drain first: .*took (\d+) bytes,\n.*the client read \1, then end of stream/,
  );
});

Deno.test("cli: command-line mistakes are one error line and exit code 1", async () => {
  const mistakes: [string[], RegExp][] = [
    [["client"], /^error: unknown command "client": expected server/],
    [["server", "extra"], /^error: server takes no arguments, got "extra"/],
    [["server", "--max-head-bytes", "10"], /^error: --max-head-bytes must be between/],
  ];
  for (const [args, message] of mistakes) {
    const { code, stdout, stderr } = await runCli(lesson.cli, args);
    assert.equal(code, 1, args.join(" "));
    assert.deepEqual(stdout, []);
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(stderr[0], message);
  }
});

Deno.test("cli: --help shows the server's flags and limits, made from the declaration", async () => {
  const { code, stdout } = await runCli(lesson.cli, ["--help"]);
  assert.equal(code, 0);
  const help = stdout.join("\n");
  for (const flag of ["--port P", "--max-head-bytes N", "--timeout-ms N", "--max-connections N"]) {
    assert.ok(help.includes(flag), `${flag} in:\n${help}`);
  }
  assert.match(help, /\(default 12345\)/);
  assert.match(help, /503 Service Unavailable and a close/);
});

Deno.test("cli: server on a port already taken is one error line, exit code 1", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { code, stderr } = await runCli(lesson.cli, ["server", "--port", `${taken.addr.port}`]);
  assert.equal(code, 1);
  assert.deepEqual(stderr, [
    `error: 127.0.0.1:${taken.addr.port} is already in use (another server running? stop it, or choose --port)`,
  ]);
});

Deno.test("cli: server says where it listens, serves the page, and exits 0 when stopped", async () => {
  const listening = Promise.withResolvers<number>();
  const lines: string[] = [];
  const stop = new AbortController();
  const running = runLesson(lesson.cli, ["server", "--port", "0"], {
    stdout: (line) => {
      lines.push(line);
      const port = /^Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(line)?.[1];
      if (port) listening.resolve(Number(port));
    },
    stderr: (line) => lines.push(line),
    signal: stop.signal,
  });
  const port = await within(5_000, "the server's Listening line", listening.promise);
  const answer = await within(
    5_000,
    "the page from the command line's server",
    lesson.rawExchange({ port, request: "GET / HTTP/1.1\r\nHost: x\r\n\r\n" }),
  );
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*<h1>Hello World<\/h1>/);
  stop.abort();
  assert.equal(await within(5_000, "the server to stop", running), 0);
  assert.equal(lines.at(-1), "Server closed.");
});

Deno.test("a client dripping its head byte by byte is dropped at the deadline, though each byte came in time", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, timeoutMs: 50, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const peer = `127\\.0\\.0\\.1:${conn.localAddr.port}`;
  const dropped = waitFor(
    new RegExp(`Connection from ${peer} dropped: no complete request within 50 ms`),
  );
  // A valid start, then one more byte of a header value every millisecond or
  // so: each read brings something, the head never ends.
  await writeAll(conn, utf8.encode("GET / HTTP/1.1\r\nX-Slow: "));
  let hungUp = false;
  // Stop dripping either way; `await dropped` below reports a failed wait.
  dropped.then(() => hungUp = true, () => hungUp = true);
  while (!hungUp) {
    try {
      await writeAll(conn, utf8.encode("a"));
    } catch {
      break; // the server closed: a reset
    }
    await new Promise((resolve) => setTimeout(resolve, 1)); // yield, so the server's timer can fire
  }
  await dropped;
});

Deno.test("handleHttpConnection() serves an HTTP/1.2 request as HTTP/1.1 (RFC 9110 §2.5): 200 and the page", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  const answer = parse(await exchange(server.addr.port, ["GET / HTTP/1.2\r\nHost: x\r\n\r\n"]));
  assert.equal(answer.status, "HTTP/1.1 200 OK");
  assert.equal(answer.body, lesson.PAGE);
  await waitFor(/^ {2}GET \/ HTTP\/1\.2$/, 2_000); // logged as sent
});

Deno.test("handleHttpConnection() serves an HTTP/1.0 request without Host: Host is required from HTTP/1.1 on (RFC 9112 §3.2)", async () => {
  await using server = startServer();
  const answer = parse(await exchange(server.addr.port, ["GET / HTTP/1.0\r\n\r\n"]));
  assert.equal(answer.status, "HTTP/1.1 200 OK");
  assert.equal(answer.body, lesson.PAGE);
});

// A client still sending when the server has answered: a POST body the
// server won't read, a head past the limit. If the server closed with that
// input unread, the close would be a reset and the rest of the upload would
// fail (BrokenPipe); with shutdown-and-drain the client reads the answer and
// a clean end of stream, and the server takes the rest of what it sends.
const stillUploading: { label: string; first: string; rest: number; status: string }[] = [
  {
    label: "405 to a POST whose body it won't read",
    first: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n${"b".repeat(8192)}`,
    rest: 7,
    status: "HTTP/1.1 405 Method Not Allowed",
  },
  {
    label: "431 to a head past 16 KiB",
    first: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20 * 1024)}`,
    rest: 5,
    status: "HTTP/1.1 431 Request Header Fields Too Large",
  },
];

for (const { label, first, rest, status } of stillUploading) {
  Deno.test(`handleHttpConnection() gives a client still uploading its answer and a clean end of stream, not a reset: ${label} #02e`, async () => {
    await using server = startServer();
    using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await within(2_000, "the server to take the request", writeAll(conn, utf8.encode(first)));
    const received = await readToClose(
      conn,
      "end of stream after the answer, while the client still sends (does the server shut down its sending side, closeWrite(), before it drains?)",
    );
    assert.equal(parse(utf8.decode(received.bytes)).status, status);
    assert.equal(
      received.end,
      "eof",
      "the answer ended in a reset, not end of stream: the server closed with input unread",
    );
    // The client sends the rest it had, 8 KiB at a time: the server, still
    // draining, takes it all.
    let refused: unknown;
    try {
      for (let i = 0; i < rest; i++) {
        await within(
          2_000,
          "the server to take more of the upload (is it still reading what the client sends?)",
          writeAll(conn, new Uint8Array(8192)),
        );
      }
    } catch (err) {
      refused = err;
    }
    assert.equal(
      refused,
      undefined,
      `the rest of the upload failed (${refused}): the server closed its socket, a reset, ` +
        "instead of reading what still came until the client closed its side",
    );
    await conn.closeWrite(); // the client is done: the server's drain ends at this FIN
  });
}

Deno.test("handleHttpConnection() sends end of stream right after the answer, and lets go of a client that neither sends nor closes within the drain time #02e", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const returned = Promise.withResolvers<void>();
  await using server = serve(listener, async (conn) => {
    try {
      await handleHttpConnection(conn);
    } finally {
      returned.resolve();
    }
  });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await within(2_000, "the server to take the request", writeAll(conn, utf8.encode(GET)));
  const received = await readToClose(
    conn,
    "end of stream right after the page, long before the drain gives up (does the server " +
      "shut down its sending side, closeWrite(), before it drains?)",
    500,
  );
  assert.equal(parse(utf8.decode(received.bytes)).status, "HTTP/1.1 200 OK");
  // The client keeps its side open and says nothing more.
  await within(
    3_000,
    "the handler to return though the client keeps its side open (does the drain give up after a second or so?)",
    returned.promise,
  );
});
