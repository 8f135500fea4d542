import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { ConnectionRefusedError, LimitError, ProtocolError, UsageError } from "../lib/errors.ts";
import { encodeFrame, frameHeader } from "../lib/length_prefix.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { collect } from "../lib/log.ts";
import { seededRandom } from "../lib/random.ts";
import { type Piece, startResliceProxy } from "../lib/reslice_proxy.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { recordLog } from "./_util.ts";
// A fixture, not code under test: always the worked lesson 03, so that
// exercise 05 passes these tests whether or not exercise 03 is done yet.
import { startHelloServer } from "../lessons/03_tcp_hello.ts";

const lesson = await loadLesson<typeof import("../lessons/05_framing.ts")>("05_framing.ts");

const bytes = (text: string) => new TextEncoder().encode(text);

async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  try {
    for (let chunk; (chunk = await readChunk(conn, 64 * 1024)) !== null;) chunks.push(chunk);
  } catch (err) {
    // A server that closes with our bytes unread sends a reset: also "closed".
    if (!(err instanceof Deno.errors.ConnectionReset)) throw err;
  }
  return concatBytes(chunks);
}

/** A port nothing listens on (it was free a moment ago). */
function closedPort(): number {
  using listener = listenTcp({ port: 0 });
  return listener.addr.port;
}

/** Runs `fn` with console.log captured; returns what it printed. */
async function printed(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

Deno.test("sticky packets: three writes come back as one read", async () => {
  const { reads } = await lesson.recordTransfer(lesson.STICKY_MESSAGES.map(bytes));
  assert.deepEqual(reads, [bytes("hellostickypackets")]);
  assert.deepEqual(lesson.decodeReads(lesson.NO_FRAMING, reads).messages, ["hellostickypackets"]);
});

Deno.test("half packets: one 100 KiB write takes at least 100 reads of 1024 bytes", async () => {
  const message = new Uint8Array(lesson.HALF_MESSAGE_BYTES).fill(0x78);
  const { reads } = await lesson.recordTransfer([message]);
  assert.ok(reads.length >= 100, `${reads.length} reads`);
  assert.ok(reads.every((read) => read.length <= lesson.READ_SIZE));
  assert.deepEqual(concatBytes(reads), message);
});

Deno.test("both fixes decode the sticky and the half experiments to whole messages", async () => {
  for (const framing of [lesson.lengthPrefixFraming(), lesson.lineFraming({ maxLine: 200_000 })]) {
    const sticky = await lesson.recordTransfer(lesson.STICKY_MESSAGES.map(framing.encode));
    assert.deepEqual(lesson.decodeReads(framing, sticky.reads).messages, lesson.STICKY_MESSAGES);
    const big = "x".repeat(lesson.HALF_MESSAGE_BYTES);
    const half = await lesson.recordTransfer([framing.encode(big)]);
    const decoded = lesson.decodeReads(framing, half.reads);
    assert.deepEqual(decoded.messages, [big], framing.name);
    assert.equal(decoded.completedBy[0], half.reads.length - 1);
  }
});

Deno.test("a 100 KiB line breaks the default 64 KiB line limit", async () => {
  const framing = lesson.lineFraming();
  const { reads } = await lesson.recordTransfer([framing.encode("x".repeat(100 * 1024))]);
  const decoded = lesson.decodeReads(framing, reads);
  assert.ok(decoded.error instanceof LimitError);
  assert.deepEqual(decoded.messages, []);
});

Deno.test("the framed server answers each frame with one frame, upper-cased as text", async () => {
  await using server = lesson.startFramedServer({ port: 0 });
  using conn = await connectTcp({ port: server.addr.port });
  await writeAll(
    conn,
    concatBytes([
      encodeFrame(bytes("héllo")),
      encodeFrame(bytes("")),
      encodeFrame(bytes("straße")),
    ]),
  );
  await conn.closeWrite();
  assert.deepEqual(
    await readAll(conn),
    concatBytes([
      encodeFrame(bytes("HÉLLO")),
      encodeFrame(bytes("")),
      encodeFrame(bytes("STRASSE")),
    ]),
  );
});

Deno.test("a frame sent one byte per write, a character split between writes, is answered whole", async () => {
  await using server = lesson.startFramedServer({ port: 0 });
  using conn = await connectTcp({ port: server.addr.port });
  conn.setNoDelay(true);
  for (const byte of encodeFrame(bytes("wörld 😀"))) await writeAll(conn, new Uint8Array([byte]));
  await conn.closeWrite();
  assert.deepEqual(await readAll(conn), encodeFrame(bytes("WÖRLD 😀")));
});

Deno.test("a header over --max-frame: that connection closes with one log line, the next client is served", async () => {
  const { log, lines, waitFor } = recordLog();
  await using server = lesson.startFramedServer({ port: 0, maxFrame: 1000, log });
  {
    using conn = await connectTcp({ port: server.addr.port });
    await writeAll(conn, frameHeader(1001)); // a header only: no payload follows
    // A server that waits for the 1001 bytes would keep this read waiting forever.
    await waitFor(/^Connection from .* (dropped|failed)/);
    assert.deepEqual(await readAll(conn), new Uint8Array(0)); // closed without waiting for 1001 bytes
  }
  const dropped = lines.filter((line) => line.includes("dropped"));
  assert.equal(dropped.length, 1);
  assert.match(
    dropped[0],
    /dropped: a frame header announced 1001 bytes, over the 1000-byte limit\.$/,
  );
  assert.deepEqual(await lesson.runFramedClient({ port: server.addr.port, messages: ["next"] }), [
    "NEXT",
  ]);
});

Deno.test("a frame that is not UTF-8 closes the connection; the server keeps serving", async () => {
  const { log, lines, waitFor } = recordLog();
  await using server = lesson.startFramedServer({ port: 0, log });
  {
    using conn = await connectTcp({ port: server.addr.port });
    await writeAll(conn, encodeFrame(new Uint8Array([0x68, 0xc3]))); // "h" and half an é
    // A server that answers instead of closing would keep this read waiting forever.
    await waitFor(/^Connection from .* (dropped|failed)/);
    assert.deepEqual(await readAll(conn), new Uint8Array(0));
  }
  assert.ok(
    lines.some((line) => line.endsWith("dropped: a frame is not valid UTF-8.")),
    lines.join("\n"),
  );
  assert.deepEqual(await lesson.runFramedClient({ port: server.addr.port, messages: ["ok"] }), [
    "OK",
  ]);
});

Deno.test("through the re-slicing proxy: 1,000 messages of 0 B to 256 KiB, none lost, doubled or reordered", async () => {
  const messages = lesson.randomMessages(seededRandom(2024), 1000, 256 * 1024);
  assert.ok(messages.some((m) => new TextEncoder().encode(m).length > 128 * 1024), "some large");
  assert.ok(messages.some((m) => m === ""), "some empty");
  assert.ok(messages.some((m) => /[é中😀]/u.test(m)), "multi-byte UTF-8");
  let tinyPieces = 0;
  await using server = lesson.startFramedServer({ port: 0 });
  await using proxy = startResliceProxy({
    target: server.addr,
    seed: 9,
    minPiece: 1,
    maxPiece: 64 * 1024,
    beforeForward: (piece) => {
      if (piece.bytes.length < 4) tinyPieces++; // shorter than a header
    },
  });
  const replies = await lesson.runFramedClient({ port: proxy.addr.port, messages });
  assert.equal(replies.length, messages.length);
  for (const [i, reply] of replies.entries()) {
    assert.ok(reply === messages[i].toUpperCase(), `reply ${i}`);
  }
  assert.ok(tinyPieces > 100, `${tinyPieces} pieces of 1-3 bytes`);
});

Deno.test("the naive reader provably fails through the proxy; the framed one does not", async () => {
  // The proxy cuts into pieces of 1-4 bytes and holds each until the previous
  // one was read, so each read returns one piece: shorter than any message.
  for (const framing of [lesson.NO_FRAMING, lesson.lengthPrefixFraming()]) {
    const reads: Promise<void>[] = [];
    const readDone: ((value: void) => void)[] = [];
    const waitForRead = (i: number) =>
      reads[i] ??= new Promise<void>((resolve) => readDone[i] = resolve);
    const beforeForward = (piece: Piece) =>
      piece.index > 0 ? waitForRead(piece.index - 1) : undefined;
    const transfer = await lesson.recordTransfer(lesson.STICKY_MESSAGES.map(framing.encode), {
      proxy: { seed: 5, minPiece: 1, maxPiece: 4, beforeForward },
      onRead: (_, i) => {
        waitForRead(i);
        readDone[i]();
      },
    });
    assert.ok(transfer.reads.every((read) => read.length <= 4));
    const { messages } = lesson.decodeReads(framing, transfer.reads);
    if (framing === lesson.NO_FRAMING) {
      assert.ok(messages.every((m) => !lesson.STICKY_MESSAGES.includes(m)), messages.join("|"));
    } else {
      assert.deepEqual(messages, lesson.STICKY_MESSAGES);
    }
  }
});

Deno.test("lesson 03's protocol answers MichaelTracy when the client does not wait; framed, it does not", async () => {
  const { log, lines } = collect();
  await lesson.demo(log);
  assert.ok(lines.includes("  client ← Welcome!Hello, MichaelTracy!"));
  assert.equal(lines.filter((line) => line === "  client ← Hello, Michael!").length, 2);
});

Deno.test("the demo prints the same transcript on every run", async () => {
  const first = collect();
  await lesson.demo(first.log);
  const second = collect();
  await lesson.demo(second.log);
  assert.deepEqual(first.lines, second.lines);
  const transcript = first.lines.join("\n");
  for (
    const expected of [
      "1 read     │h e l l o s t i c k y p a c k e t s│",
      'recv(1024) returned "hellostickypackets"',
      "client │ ← HÉLLO, WÖRLD, STRASSE",
      "dropped: a frame header announced 4294967295 bytes, over the 1048576-byte limit.",
      "✓ 200 of 200 replies are the upper-cased messages, in order.",
    ]
  ) {
    assert.ok(transcript.includes(expected), expected);
  }
  assert.doesNotMatch(transcript, /127\.0\.0\.1:\d/, "no port numbers");
});

Deno.test("upperReply upper-cases UTF-8 text and refuses bytes that are not", () => {
  const upper = (s: string) => new TextDecoder().decode(lesson.upperReply(bytes(s)));
  assert.equal(upper("héllo"), "HÉLLO");
  assert.equal(upper("straße"), "STRASSE");
  assert.equal(upper("中文 ok"), "中文 OK");
  assert.throws(() => lesson.upperReply(new Uint8Array([0xff])), ProtocolError);
});

Deno.test("the client refuses a message over --max-frame before connecting", async () => {
  await assert.rejects(
    lesson.runFramedClient({ port: closedPort(), messages: ["x".repeat(11)], maxFrame: 10 }),
    LimitError,
  );
});

Deno.test("the client against a lesson 03 server: the greeting read as a header is over the limit", async () => {
  await using server = startHelloServer({ port: 0 });
  await assert.rejects(
    lesson.runFramedClient({ port: server.addr.port, messages: ["hi"] }),
    (err: unknown) => {
      assert.ok(err instanceof LimitError);
      assert.equal(err.hint, "is it a lesson 05 server on that port?");
      return true;
    },
  );
});

Deno.test("main: client prints each reply, directly and through the proxy", async () => {
  await using server = lesson.startFramedServer({ port: 0 });
  const port = String(server.addr.port);
  assert.deepEqual(await printed(() => lesson.main(["client", "--port", port, "héllo", "wörld"])), [
    "HÉLLO",
    "WÖRLD",
  ]);
  assert.deepEqual(
    await printed(() =>
      lesson.main(["client", "--through-proxy", "--seed", "3", "--port", port, "a b"])
    ),
    ["A B"],
  );
});

Deno.test("main: --help, a wrong command, and no server to talk to", async () => {
  const help = await printed(() => lesson.main(["--help"]));
  assert.match(help.join("\n"), /struct\.pack\('!I', len\(data\)\)/);
  await assert.rejects(lesson.main(["serve"]), UsageError);
  await assert.rejects(lesson.main(["server", "extra"]), UsageError);
  await assert.rejects(lesson.main(["server", "--max-frame", "-1"]), UsageError);
  await assert.rejects(
    lesson.main(["client", "--port", String(closedPort())]),
    (err: unknown) => {
      assert.ok(err instanceof ConnectionRefusedError);
      assert.equal(err.hint, "start the server first: deno task 05 server");
      return true;
    },
  );
});
