import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { recordLog, utf8 } from "./_util.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { collect } from "../lib/log.ts";

const lesson = await loadLesson<typeof import("../lessons/02_hello_http.ts")>("02_hello_http.ts");

/** Sends raw bytes, in the given pieces, and returns everything the server answers until it closes. */
async function exchange(port: number, ...pieces: (string | Uint8Array)[]): Promise<string> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  for (const piece of pieces) {
    await writeAll(conn, typeof piece === "string" ? utf8.encode(piece) : piece);
  }
  const chunks: Uint8Array[] = [];
  for (let chunk; (chunk = await readChunk(conn, 64 * 1024)) !== null;) chunks.push(chunk);
  return utf8.decode(concatBytes(chunks));
}

/** Splits a raw answer into status line, fields (lower-case names) and body. */
function parse(answer: string): { status: string; fields: Map<string, string>; body: string } {
  const at = answer.indexOf("\r\n\r\n");
  assert.ok(at !== -1, `no head end in ${JSON.stringify(answer)}`);
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

Deno.test("fetch(), a real HTTP client, gets 200, HTML in UTF-8, the page with Hello World", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("connection"), "close");
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(Number(response.headers.get("content-length")), bytes.length);
  const text = utf8.decode(bytes);
  assert.equal(text, lesson.PAGE);
  assert.match(text, /<h1>Hello World<\/h1>/);
  assert.match(text, /<title>客户端请求<\/title>/);
});

Deno.test("the bytes on the wire: status line, three fields, Content-Length in bytes (not characters), the page", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const answer = await exchange(server.addr.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
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
  { label: "in one write", pieces: ["GET / HTTP/1.1\r\nHost: x\r\n\r\n"] },
  { label: "split inside the request line", pieces: ["GE", "T / HTTP/1.1\r\nHost: x\r\n\r\n"] },
  { label: "split inside the empty line", pieces: ["GET / HTTP/1.1\r\nHost: x\r\n\r", "\n"] },
  {
    label: "one byte at a time",
    pieces: Array.from("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\n\r\n"),
  },
];

for (const { label, pieces } of splitRequests) {
  Deno.test(`a request head that arrives in pieces is read whole: ${label}`, async () => {
    await using server = lesson.startHttpHelloServer({ port: 0 });
    const answer = parse(await exchange(server.addr.port, ...pieces));
    assert.equal(answer.status, "HTTP/1.1 200 OK");
    assert.equal(answer.body, lesson.PAGE);
  });
}

Deno.test("HEAD gets the same head, Content-Length included, and no body", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const answer = await exchange(server.addr.port, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  const { status, fields, body } = parse(answer);
  assert.equal(status, "HTTP/1.1 200 OK");
  assert.equal(Number(fields.get("content-length")), utf8.encode(lesson.PAGE).length);
  assert.equal(body, "");
});

Deno.test("a browser's second request, /favicon.ico, gets 404, and the server goes on serving", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const icon = await fetch(`${base}/favicon.ico`);
  assert.equal(icon.status, 404);
  assert.equal(icon.headers.get("connection"), "close");
  assert.match(await icon.text(), /404 Not Found/);
  const page = await fetch(`${base}/?from=test`);
  assert.equal(page.status, 200);
  await page.body?.cancel();
});

const badRequests: { label: string; request: string | Uint8Array; status: string; body: RegExp }[] =
  [
    {
      label: "a line that is not HTTP",
      request: "hello\r\n\r\n",
      status: "HTTP/1.1 400 Bad Request",
      body: /not an HTTP request line: "hello"/,
    },
    {
      label: "a TLS handshake (https:// to an http port), refused at its first bytes",
      request: new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]),
      status: "HTTP/1.1 400 Bad Request",
      body: /not HTTP: it starts with "\\x16\\x03\\x01/,
    },
    {
      label: "HTTP/2.0 in the request line",
      request: "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
      status: "HTTP/1.1 505 HTTP Version Not Supported",
      body: /HTTP\/2\.0 is not supported/,
    },
    {
      label: "HTTP/1.1 without Host (the tutorial's seed 004 client)",
      request: "GET / HTTP/1.1\r\n\r\n\r\n",
      status: "HTTP/1.1 400 Bad Request",
      body: /must have a Host header/,
    },
    {
      label: "a header line with no colon",
      request: "GET / HTTP/1.1\r\nHost x\r\n\r\n",
      status: "HTTP/1.1 400 Bad Request",
      body: /not a header field: "Host x"/,
    },
    {
      label: "a method other than GET or HEAD",
      request: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
      status: "HTTP/1.1 405 Method Not Allowed",
      body: /POST is not supported/,
    },
    {
      label: "a head over 16 KiB",
      request: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
      status: "HTTP/1.1 431 Request Header Fields Too Large",
      body: /the request head is longer than 16384 bytes/,
    },
  ];

for (const { label, request, status, body } of badRequests) {
  Deno.test(`a bad request gets a clear answer, framed and closed, and the server keeps serving: ${label}`, async () => {
    const { log, lines } = collect();
    await using server = lesson.startHttpHelloServer({ port: 0, log });
    const answer = parse(await exchange(server.addr.port, request));
    assert.equal(answer.status, status);
    assert.match(answer.body, body);
    assertWellFramed(answer);
    // The next client is served as usual.
    const next = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assert.equal(next.status, 200);
    await next.body?.cancel();
    assert.ok(
      lines.some((l) => /sent a bad request: |^Answered .*: 40[05] /.test(l)),
      lines.join("\n"),
    );
  });
}

Deno.test("405 says which methods are allowed", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const answer = parse(await exchange(server.addr.port, "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.equal(answer.fields.get("allow"), "GET, HEAD");
});

Deno.test("the head limit is a flag: a 200-byte limit answers 431 to a normal browser head", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0, maxHeadBytes: 200 });
  const head = `GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${"Mozilla/5.0 ".repeat(20)}\r\n\r\n`;
  const answer = parse(await exchange(server.addr.port, head));
  assert.equal(answer.status, "HTTP/1.1 431 Request Header Fields Too Large");
});

Deno.test("a client that connects and sends nothing is dropped after the timeout, and logged", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, timeoutMs: 20, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  assert.equal(await readChunk(conn, 1024), null, "the server hung up");
  await waitFor(
    new RegExp(
      `Connection from 127\\.0\\.0\\.1:${conn.localAddr.port} dropped: no complete request within 20 ms`,
    ),
  );
});

Deno.test("a connection closed without a request (a browser's spare connection) is logged, not an error", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const port = conn.localAddr.port;
  conn.close();
  await waitFor(new RegExp(`127\\.0\\.0\\.1:${port} closed without sending a request\\.`));
});

Deno.test("the server logs each request as the tutorial's print(data) does, and each answer", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  await exchange(server.addr.port, "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n");
  await waitFor(/^Request from 127\.0\.0\.1:\d+:$/);
  await waitFor(/^ {2}GET \/ HTTP\/1\.1$/);
  await waitFor(/^ {2}User-Agent: test$/);
  await waitFor(/^Answered 127\.0\.0\.1:\d+: 200 OK\.$/);
});

Deno.test("twenty clients at once are all served", async () => {
  await using server = lesson.startHttpHelloServer({ port: 0 });
  const answers = await Promise.all(
    Array.from(
      { length: 20 },
      () => exchange(server.addr.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ),
  );
  for (const answer of answers) assert.equal(parse(answer).status, "HTTP/1.1 200 OK");
});

Deno.test("the demo runs offline: raw request, fetch(), favicon, garbage", async () => {
  const { log, lines } = collect();
  await lesson.demo(log);
  const transcript = lines.join("\n");
  assert.match(transcript, /^ {2}HTTP\/1\.1 200 OK$/m);
  assert.match(transcript, /characters but \d+ bytes: Content-Length counts bytes/);
  assert.match(transcript, /\/favicon\.ico: 404/);
  assert.match(transcript, /HTTP\/1\.1 400 Bad Request/);
});

Deno.test("command-line mistakes are usage errors", async () => {
  await assert.rejects(lesson.main(["client"]), /unknown command "client"/);
  await assert.rejects(lesson.main(["server", "extra"]), /server takes no arguments/);
  await assert.rejects(
    lesson.main(["server", "--max-head-bytes", "10"]),
    /--max-head-bytes must be between/,
  );
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
