import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes, writeAll } from "../../lib/io.ts";
import * as lesson from "../../lessons/02_hello_http.ts";
import type { HttpHelloServerOptions } from "../../lessons/02_hello_http.ts";
import type { Log } from "../../lib/log.ts";
import { serve, type Server } from "../../lib/serve.ts";
import { underTest } from "../_exercise.ts";
import { within } from "../_util.ts";
import {
  atOnce,
  connectAndReset,
  hostileSuite,
  readToEnd,
  type Received,
  RUNS,
  SEED,
  text,
} from "./_harness.ts";

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// The handler under test: the lesson's, or an exercise's (#02c, #02d).
const handleHttpConnection = await underTest(lesson, "handleHttpConnection");

/**
 * The lesson's own server; when an exercise is checked, its handler in a
 * server like it (the exercise asks for the handler, not the server).
 */
function start(options: HttpHelloServerOptions, log: Log): Server {
  const all = { port: 0, idleTimeoutMs: 10_000, ...options, log };
  if (handleHttpConnection === lesson.handleHttpConnection) return lesson.startHttpHelloServer(all);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return serve(listener, (conn) => handleHttpConnection(conn, all), all);
}

const suite = hostileSuite({
  lesson: "02",
  start,
  async wellBehaved(server) {
    const answer = await within(
      5_000,
      "the page for a well-behaved client",
      lesson.rawExchange({ port: server.addr.port, request: GET }),
    );
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*<h1>Hello World<\/h1>/);
  },
  checks: {
    randomBytes: "#02d",
    invalidUtf8: "#02d",
    nul: "#02d",
    noDelimiter: "#02c #02d",
    longHeader: "#02c #02d",
  },
});

/** Sends `bytes` (the server may stop reading early), shuts down writing, reads to the end. */
async function exchange(port: number, bytes: Uint8Array | string): Promise<Received> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const data = typeof bytes === "string" ? text.encode(bytes) : bytes;
  const writing = writeAll(conn, data).then(() => conn.closeWrite()).catch(() => {});
  const received = await readToEnd(conn);
  await writing;
  return received;
}

/** The status code of an answer, checking that it is framed: Content-Length, Connection: close. */
function statusOf({ bytes }: Received): number {
  const answer = text.decode(bytes);
  const at = answer.indexOf("\r\n\r\n");
  assert.ok(at > 0, `an HTTP answer, not ${JSON.stringify(answer.slice(0, 80))}`);
  const head = answer.slice(0, at);
  assert.match(head, /\r\nConnection: close(\r\n|$)/);
  const length = Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1]);
  assert.equal(length, bytes.length - text.encode(head).length - 4, "Content-Length is exact");
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
}

/** The lines the server logged about one client. */
async function linesAbout(
  log: { lines: string[]; waitFor(p: RegExp): Promise<string> },
  port: number,
) {
  const peer = `127.0.0.1:${port}`;
  await log.waitFor(new RegExp(`${peer}.*(closed|reset|dropped|Answered)`));
  return log.lines.filter((line) => line.includes(peer));
}

suite.test("randomBytes", async ({ port }) => {
  // Garbage gets 400 (or 431, 505), or, if it stops mid-head, just the close.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (input) => {
      const received = await exchange(port, input);
      if (received.bytes.length > 0) assert.ok([400, 431, 505].includes(statusOf(received)));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

suite.test("invalidUtf8", async ({ port }) => {
  // A request target is ASCII (a URI): 0xff is no part of one, in UTF-8 or anything else.
  const request = concatBytes([
    text.encode("GET /"),
    new Uint8Array([0xff, 0xfe]),
    text.encode(" HTTP/1.1\r\nHost: x\r\n\r\n"),
  ]);
  assert.equal(statusOf(await exchange(port, request)), 400);
});

suite.test("nul", async ({ port, log }) => {
  // RFC 9110 §5.5: NUL and other controls make a request invalid, wherever they are.
  for (
    const request of [
      "\0GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX: \x1b[2J\r\n\r\n", // an escape sequence for the log's terminal
    ]
  ) {
    assert.equal(statusOf(await exchange(port, request)), 400, JSON.stringify(request));
  }
  assert.ok(
    !log.lines.some((line) => line.includes("\0") || line.includes("\x1b")),
    "no control byte reaches the log",
  );
});

suite.test("noDelimiter", async ({ port }) => {
  const request = `GET / HTTP/1.1\r\nX: ${"a".repeat(1024 * 1024)}`;
  assert.equal(statusOf(await exchange(port, request)), 431);
});

suite.test("endlessHead", async ({ port, log }) => {
  // A slow client (slowloris) sends a header line now and then, never the empty line.
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await writeAll(conn, text.encode("GET / HTTP/1.1\r\nHost: x\r\n"));
  const ended = readToEnd(conn);
  let done = false;
  ended.finally(() => done = true);
  for (let i = 0; !done; i++) {
    await writeAll(conn, text.encode(`X-Drip-${i}: still here\r\n`)).catch(() => done = true);
    await new Promise((resolve) => setTimeout(resolve, 10)); // pacing the drip, not waiting for the server
  }
  assert.equal((await ended).bytes.length, 0);
  await log.waitFor(/dropped: no complete request within 100 ms/);
}, { timeoutMs: 100 });

suite.test("longHeader", async ({ port }) => {
  const request = `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${"a".repeat(20_000)}\r\n\r\n`;
  assert.equal(statusOf(await exchange(port, request)), 431);
});

suite.test("idle", async ({ port, log }) => {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  assert.equal((await readToEnd(conn)).bytes.length, 0);
  await log.waitFor(/dropped: no complete request within 100 ms/);
}, { timeoutMs: 100 });

suite.test("reset", async ({ port, log }) => {
  const about = await linesAbout(log, await connectAndReset(port));
  assert.equal(about.length, 1, about.join("\n"));
});

suite.test("halfClose", async ({ port }) => {
  const received = await exchange(port, GET);
  assert.deepEqual([statusOf(received), received.end], [200, "eof"]);
});

suite.test("overLimit", async ({ port, log }) => {
  const held = [
    await Deno.connect({ hostname: "127.0.0.1", port }),
    await Deno.connect({ hostname: "127.0.0.1", port }),
  ];
  try {
    // A client that already sent its request still gets the 503, not a reset.
    const received = await exchange(port, GET);
    assert.equal(statusOf(received), 503);
    assert.match(text.decode(received.bytes), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    await log.waitFor(/^Refused .*: 2 connections are open/);
  } finally {
    for (const conn of held) conn.close();
  }
  for (const conn of held) await linesAbout(log, conn.localAddr.port);
}, { maxConnections: 2 });

suite.test("stop", async ({ server, port }) => {
  using silent = await Deno.connect({ hostname: "127.0.0.1", port });
  using halfway = await Deno.connect({ hostname: "127.0.0.1", port });
  await writeAll(halfway, text.encode("GET / HTTP/1.1\r\nHost: x\r\n"));
  // Returns at once: nobody's answer was in flight, so the grace period is not waited out.
  await within(5_000, "close(600_000) to return with no answer in flight", server.close(600_000));
  assert.equal((await readToEnd(silent)).bytes.length, 0);
  assert.equal((await readToEnd(halfway)).bytes.length, 0);
  assert.equal(server.connections, 0);
});

suite.test("concurrent", async ({ port }) => {
  const answers = await within(
    30_000,
    "1,000 clients at once to get their pages",
    atOnce(1_000, () => lesson.rawExchange({ port, request: GET })),
  );
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
});

suite.coversItsColumn();
