import assert from "node:assert/strict";
import fc from "fast-check";
import { LessonError } from "../../lib/errors.ts";
import { concatBytes, writeAll } from "../../lib/io.ts";
import {
  encodeFrame,
  FrameDecoder,
  frameHeader,
  MAX_HEADER_LENGTH,
} from "../../lessons/05_framing/frame_codec.ts";
import * as lesson from "../../lessons/05_framing/5_framed_server.ts";
import type { FramedServerOptions } from "../../lessons/05_framing/5_framed_server.ts";
import * as prefix from "../../lessons/05_framing/3_length_prefix.ts";
import type { Log } from "../../lib/log.ts";
import type { Server } from "../../lib/serve.ts";
import { startReceiveFrameServer } from "../_05_framing.ts";
import { underTest } from "../_exercise.ts";
import { within } from "../_util.ts";
import {
  atOnce,
  connectAndReset,
  hostileSuite,
  readBytes,
  readToEnd,
  RUNS,
  SEED,
  text,
} from "./_harness.ts";

// How frames are received: the lesson's receiveFrame, or exercise 05d's (#05d).
const receiveFrame = await underTest(prefix, "receiveFrame");

/**
 * The lesson's own server; when exercise 05d is checked, a framed server
 * around its receiveFrame (the exercise asks for the function, not the server).
 */
function start(options: FramedServerOptions, log: Log): Server {
  const all = { port: 0, idleTimeoutMs: 10_000, ...options, log };
  if (receiveFrame === prefix.receiveFrame) return lesson.startFramedServer(all);
  return startReceiveFrameServer(receiveFrame, all);
}

const suite = hostileSuite({
  lesson: "05",
  start,
  checks: { hugeLength: "#05d", noDelimiter: "#05d" },
  async wellBehaved(server) {
    const replies = await within(
      5_000,
      "a well-behaved client's replies",
      lesson.runFramedClient({ port: server.addr.port, messages: ["héllo", "straße", ""] }),
    );
    assert.deepEqual(replies, ["HÉLLO", "STRASSE", ""]);
  },
});

/** A frame the server answers with the text upper-cased: header + bytes. */
const frame = (payload: Uint8Array | string) =>
  encodeFrame(typeof payload === "string" ? text.encode(payload) : payload, {
    maxFrame: MAX_HEADER_LENGTH,
  });

/** Connects to the server under attack, never waiting for ever. */
function connect(port: number): Promise<Deno.TcpConn> {
  return within(
    5_000,
    `a connection to port ${port}`,
    Deno.connect({ hostname: "127.0.0.1", port }),
  );
}

/** Connects, optionally sends `bytes`, and resets (see `connectAndReset`), within 5 s. */
function resetAfter(port: number, bytes?: Uint8Array): Promise<number> {
  return within(5_000, "a connection that resets", connectAndReset(port, bytes));
}

/** Sends `bytes`, shuts down writing, and reads until the server is done. */
async function exchange(port: number, bytes: Uint8Array) {
  using conn = await connect(port);
  // The server may close before taking everything: a failed write is its refusal.
  const writing = writeAll(conn, bytes).then(() => conn.closeWrite()).catch(() => {});
  const received = await readToEnd(conn);
  await within(5_000, "our bytes to be taken or refused", writing);
  return received;
}

/**
 * What the server owes for `input` arriving in one read: a reply to each
 * whole frame, up to the first that breaks a rule (over the limit, not UTF-8).
 */
function owedReplies(input: Uint8Array): Uint8Array {
  const replies: Uint8Array[] = [];
  try {
    for (const payload of new FrameDecoder().push(input)) {
      replies.push(frame(lesson.upperReply(payload)));
    }
  } catch (err) {
    if (!(err instanceof LessonError)) throw err;
  }
  return concatBytes(replies);
}

/** The log lines about one client: its accept and its last line. */
async function linesAbout(
  log: { lines: string[]; waitFor(p: RegExp): Promise<string> },
  port: number,
) {
  const peer = `127.0.0.1:${port}`;
  await log.waitFor(new RegExp(`Connection from ${peer} (closed|was reset|dropped)`));
  return log.lines.filter((line) => line.includes(peer));
}

suite.test("randomBytes", async ({ port }) => {
  // Whatever the bytes say, the server answers the whole frames it finds and
  // closes at the first broken rule or at our end of stream: never waits for ever.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (input) => {
      const { bytes, end } = await exchange(port, input);
      const owed = owedReplies(input);
      if (end === "eof") assert.deepEqual(bytes, owed);
      else assert.deepEqual(bytes, owed.subarray(0, bytes.length));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

suite.test("invalidUtf8", async ({ port, log }) => {
  const { bytes } = await exchange(port, frame(new Uint8Array([0xff, 0xfe, 0xc3])));
  assert.equal(bytes.length, 0);
  await log.waitFor(/dropped: a frame is not valid UTF-8\.$/);
});

suite.test("nul", async ({ port }) => {
  const { bytes, end } = await exchange(port, frame(new Uint8Array([0])));
  assert.deepEqual([[...bytes], end], [[0, 0, 0, 1, 0], "eof"]);
});

suite.test("noDelimiter", async ({ port, log }) => {
  // 1 MiB of "x" and no frame: its first 4 bytes announce 0x78787878 bytes.
  const { bytes } = await exchange(port, new Uint8Array(1024 * 1024).fill(0x78));
  assert.equal(bytes.length, 0);
  await log.waitFor(/announced 2021161080 bytes, over the 1048576-byte limit\.$/);
});

suite.test("hugeLength", async ({ port, log }) => {
  // Refused on the header alone: the decoder never reserves 4 GiB.
  const { bytes } = await exchange(port, frameHeader(0xffff_ffff));
  assert.equal(bytes.length, 0);
  await log.waitFor(/announced 4294967295 bytes, over the 1048576-byte limit\.$/);
});

suite.test("halfHeader", async ({ port, log }) => {
  using conn = await connect(port);
  await writeAll(conn, new Uint8Array([0, 0]));
  await conn.closeWrite();
  assert.equal((await readToEnd(conn)).bytes.length, 0);
  const [, last] = await linesAbout(log, conn.localAddr.port);
  assert.match(last, /dropped: the stream ended inside a frame header: 2 of 4 bytes\.$/);
});

suite.test("cutFrame", async ({ port, log }) => {
  const cut = frame("x".repeat(100)).subarray(0, 54); // header + 50 of 100 bytes
  const about = await linesAbout(log, await resetAfter(port, cut));
  assert.equal(about.length, 2, about.join("\n"));
});

suite.test("idle", async ({ port, log }) => {
  using conn = await connect(port);
  assert.deepEqual(await readToEnd(conn), { bytes: new Uint8Array(), end: "eof" });
  await log.waitFor(new RegExp(`127\\.0\\.0\\.1:${conn.localAddr.port} closed: idle for 100 ms`));
}, { idleTimeoutMs: 100 });

suite.test("reset", async ({ port, log }) => {
  const about = await linesAbout(log, await resetAfter(port));
  assert.equal(about.length, 2, about.join("\n"));
});

suite.test("halfClose", async ({ port }) => {
  const { bytes, end } = await exchange(port, concatBytes(["a", "é", "ß"].map(frame)));
  assert.deepEqual(bytes, concatBytes(["A", "É", "SS"].map(frame)));
  assert.equal(end, "eof");
});

suite.test("overLimit", async ({ port, log }) => {
  const held = [
    await connect(port),
    await connect(port),
  ];
  try {
    for (const conn of held) {
      await log.waitFor(
        new RegExp(`Accept new connection from 127\\.0\\.0\\.1:${conn.localAddr.port}`),
      );
    }
    const { bytes } = await exchange(port, frame("one too many"));
    assert.equal(bytes.length, 0);
    await log.waitFor(/^Refused .*: 2 connections are open/);
  } finally {
    for (const conn of held) conn.close();
  }
  for (const conn of held) await linesAbout(log, conn.localAddr.port);
}, { maxConnections: 2 });

suite.test("stop", async ({ server, port }) => {
  // One client between frames, one with a 1 MiB reply on its way.
  using idle = await connect(port);
  await writeAll(idle, frame("a"));
  assert.deepEqual(await readBytes(idle, 5), frame("A"));
  using busy = await connect(port);
  const size = 1024 * 1024;
  await writeAll(busy, frame("x".repeat(size)));
  assert.deepEqual(await readBytes(busy, 4), frameHeader(size)); // the reply has begun
  const closing = server.close(60_000);
  assert.deepEqual(await readToEnd(idle), { bytes: new Uint8Array(), end: "eof" });
  const rest = await readToEnd(busy);
  assert.deepEqual([rest.bytes.length, rest.end], [size, "eof"]);
  assert.ok(rest.bytes.every((b) => b === 0x58), "all of it: X…X");
  await within(10_000, "the server to finish closing", closing);
  assert.equal(server.connections, 0);
});

suite.test("concurrent", async ({ port }) => {
  const results = await within(
    60_000,
    "1,000 clients' replies",
    atOnce(1_000, (i) => lesson.runFramedClient({ port, messages: [`c${i}`, "straße"] })),
  );
  results.forEach((replies, i) => assert.deepEqual(replies, [`C${i}`, "STRASSE"]));
});

suite.coversItsColumn();
