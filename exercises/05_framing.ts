/**
 * # Exercise 05 · Sticky packets (粘包), half packets (半包) and message framing
 *
 * Fill in the three TODOs below, all in the framed server and its client: the
 * answer to one frame, the server's read loop that finds whole frames in a
 * byte stream, and the client that sends frames and reads the replies. The
 * codecs (lib/length_prefix.ts, lib/lines.ts), the experiments that show the
 * merge and the split, and the demo are done for you. Check your work with:
 *
 *   deno task verify 05        (the same tests as lessons/05_framing.ts)
 *   deno task hint 05          (one more hint each time you ask)
 *
 * A frame is a 4-byte unsigned big-endian length (Python:
 * `struct.pack('!I', len(data))`), then that many bytes. Read the lesson's
 * demo first (`deno task 05`): it shows why the tutorial's one `recv()` per
 * message is wrong over TCP.
 *
 * Stuck for good? lessons/05_framing.ts is the worked answer.
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
import {
  explainPeerGone,
  LessonError,
  LimitError,
  ProtocolError,
  UsageError,
} from "../lib/errors.ts";
import {
  DEFAULT_MAX_FRAME,
  DEFAULT_MAX_LINE,
  encodeFrame,
  encodeLine,
  FrameDecoder,
  frameHeader,
  type FrameOptions,
  LineDecoder,
  type LineOptions,
  MAX_HEADER_LENGTH,
  readFrames,
} from "../lib/framing.ts";
import { HELLO_PORT, helloReply, TUTORIAL_NAMES } from "../lib/hello.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { drawPicture, MAX_EXACT_BYTES, type PictureRow } from "../lib/boundary_picture.ts";
import { randomInt, seededRandom } from "../lib/random.ts";
import { type ResliceProxyOptions, startResliceProxy } from "../lib/reslice_proxy.ts";
import { closeQuietly, serveTcp, type TcpServer } from "../lib/server.ts";
import {
  LIMIT_FLAGS,
  limitsFromFlags,
  limitsUsage,
  type ServerLimitOptions,
} from "../lib/limits.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { decodeUtf8 } from "../lib/utf8.ts";
// Lesson 03's worked server, not exercise 03: this exercise does not depend on that one.
import { handleHelloConnection } from "../lessons/03_tcp_hello.ts";
import { todo } from "./_todo.ts";

/** The tutorial's port, as in lessons 03 and 04. */
export const DEFAULT_PORT = HELLO_PORT;

/** How many bytes the tutorial's reads ask for: `recv(1024)`. */
export const READ_SIZE = 1024;

/** What the sticky experiment writes, one `send()` each. */
export const STICKY_MESSAGES: readonly string[] = ["hello", "sticky", "packets"];

/** The size of the half-packet experiment's one message: 100 KiB. */
export const HALF_MESSAGE_BYTES = 100 * 1024;

/** The re-slicing proxy's seed unless `--seed` says otherwise. */
export const DEFAULT_SEED = 5;

export { DEFAULT_MAX_FRAME, DEFAULT_MAX_LINE };

const encoder = new TextEncoder();
const lenient = new TextDecoder(); // the tutorial's .decode('utf-8'), minus the exception

// ─── The experiment: what was written against what was read ─────────────────

/** One experiment's record: the sender's writes and the receiver's reads. */
export interface Transfer {
  /** The bytes of each `write()`, in order. */
  writes: Uint8Array[];
  /** The bytes each `read()` returned, in order. */
  reads: Uint8Array[];
}

/** Options for {@linkcode recordTransfer}. */
export interface TransferOptions {
  /** How many bytes each read asks for. Default 1024, the tutorial's `recv(1024)`. */
  readSize?: number;
  /** Go through a re-slicing proxy with these options (the target is filled in). */
  proxy?: Omit<ResliceProxyOptions, "target">;
  /** Called after each read, with its bytes and its index. */
  onRead?: (chunk: Uint8Array, index: number) => void;
}

/**
 * Opens a loopback connection, writes each of `writes` with its own call,
 * and records every read the other end makes until the sender closes.
 *
 * The receiver starts reading only after the last write has returned, so
 * everything sent is waiting in its receive buffer: what one read returns is
 * then decided by the kernel, not by timing. (If the kernel's buffers fill
 * first, a write returns short, and reading starts then.)
 *
 * @example Three writes, one read
 * ```ts ignore
 * import { recordTransfer } from "./05_framing.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const { reads } = await recordTransfer([bytes("hello"), bytes("sticky"), bytes("packets")]);
 * assert.deepEqual(reads, [bytes("hellostickypackets")]);
 * ```
 */
export async function recordTransfer(
  writes: readonly Uint8Array[],
  options: TransferOptions = {},
): Promise<Transfer> {
  using listener = listenTcp({ port: 0 });
  await using proxy = options.proxy
    ? startResliceProxy({ ...options.proxy, target: listener.addr })
    : undefined;
  // Python: c.connect(('127.0.0.1', port)); conn, addr = s.accept()
  using sender = await connectTcp({ port: proxy?.addr.port ?? listener.addr.port });
  using receiver = await listener.accept();
  // Nagle's algorithm is on by default (in Deno as in Python): it would hold
  // small writes back and send them together. Off, so each write leaves at
  // once as its own segment, and any merging we see happens at the receiver.
  sender.setNoDelay(true); // Python: s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)

  const wrote = Promise.withResolvers<void>();
  const sending = (async () => {
    try {
      // A write that takes fewer bytes than offered means the kernel's buffers are full.
      const watched = {
        write: async (p: Uint8Array) => {
          const n = await sender.write(p);
          if (n < p.length) wrote.resolve();
          return n;
        },
      };
      for (const bytes of writes) await writeAll(watched, bytes); // Python: s.sendall(bytes)
      wrote.resolve();
      await sender.closeWrite(); // Python: s.shutdown(SHUT_WR): "that was all"
    } catch (err) {
      wrote.reject(err);
      throw err;
    }
  })();

  try {
    await wrote.promise;
    const reads: Uint8Array[] = [];
    // Python: while True: data = conn.recv(1024); if not data: break
    const readSize = options.readSize ?? READ_SIZE;
    for (let chunk; (chunk = await readChunk(receiver, readSize)) !== null;) {
      options.onRead?.(chunk, reads.length);
      reads.push(chunk);
    }
    await sending;
    return { writes: [...writes], reads };
  } finally {
    await sending.catch(() => {}); // reported above, if it failed
  }
}

// ─── Three ways to find messages in a byte stream ───────────────────────────

/** Turns the bytes of successive reads into messages. */
export interface MessageDecoder {
  /** The bytes of one read; returns the messages they complete. */
  push(chunk: Uint8Array): string[];
  /** End of stream: throws if a message was cut off. */
  finish(): void;
}

/** A way to send messages over a byte stream and find them again. */
export interface Framing {
  /** What the demo calls it. */
  readonly name: string;
  /** The bytes one message becomes on the wire. */
  encode(message: string): Uint8Array;
  /** A fresh decoder for one stream. */
  decoder(): MessageDecoder;
}

/**
 * The tutorial's way: send the bare text, and take whatever one `recv()`
 * returns as one message. Correct only when writes and reads happen to line
 * up one to one; TCP never promises that.
 */
export const NO_FRAMING: Framing = {
  name: "no framing",
  encode: (message) => encoder.encode(message),
  decoder: () => ({
    push: (chunk) => [lenient.decode(chunk)], // Python: data.decode('utf-8')
    finish() {},
  }),
};

/** Fix A: a 4-byte big-endian length, then the message. */
export function lengthPrefixFraming(options: FrameOptions = {}): Framing {
  return {
    name: "length prefix",
    // Limits protect receivers; a sender may send what the receiver allows.
    encode: (message) => encodeFrame(encoder.encode(message), { maxFrame: MAX_HEADER_LENGTH }),
    decoder() {
      const frames = new FrameDecoder(options);
      return {
        push: (chunk) => frames.push(chunk).map((payload) => decodeUtf8(payload)),
        finish: () => frames.finish(),
      };
    },
  };
}

/** Fix B: the message, then `\n`. */
export function lineFraming(options: LineOptions = {}): Framing {
  return {
    name: "delimiter",
    encode: (message) => encodeLine(message, { maxLine: Number.MAX_SAFE_INTEGER }),
    decoder() {
      const lines = new LineDecoder(options);
      return {
        push: (chunk) => lines.push(chunk).map((line) => decodeUtf8(line)),
        finish: () => lines.finish(),
      };
    },
  };
}

/** The messages a decoder found in a list of reads, and where. */
export interface Decoded {
  /** The messages, in order. */
  messages: string[];
  /** For each message, the index of the read that completed it. */
  completedBy: number[];
  /** Set if the decoder refused the stream (a limit, a cut-off message). */
  error?: LessonError;
  /** The read the error came at (`reads.length` for the end of stream). */
  errorAt?: number;
}

/** Feeds `reads` to a fresh decoder of `framing`, in order, and reports what came out. */
export function decodeReads(framing: Framing, reads: readonly Uint8Array[]): Decoded {
  const decoder = framing.decoder();
  const decoded: Decoded = { messages: [], completedBy: [] };
  for (let i = 0; i <= reads.length; i++) {
    try {
      const messages = i < reads.length ? decoder.push(reads[i]) : (decoder.finish(), []);
      for (const message of messages) {
        decoded.messages.push(message);
        decoded.completedBy.push(i);
      }
    } catch (err) {
      if (!(err instanceof LessonError)) throw err;
      return { ...decoded, error: err, errorAt: i };
    }
  }
  return decoded;
}

// ─── The framed server: Fix A, answering in upper case ──────────────────────

/** Options for {@linkcode startFramedServer}. Limits: see `lib/limits.ts`. */
export interface FramedServerOptions extends ServerLimitOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** The largest frame payload accepted. Default 1 MiB. */
  maxFrame?: number;
  /** Where the server narrates. */
  log?: Log;
}

/**
 * The answer to one frame: its text upper-cased, like Python's
 * `data.decode('utf-8').upper().encode('utf-8')`. `é` becomes `É`, `ß`
 * becomes `SS`. Throws {@linkcode ProtocolError} if the payload is not UTF-8.
 *
 * The payload is always a whole frame, so a character split between two
 * reads was put back together before we decode it.
 *
 * @example
 * ```ts ignore
 * import { upperReply } from "./05_framing.ts";
 * import assert from "node:assert/strict";
 *
 * const reply = upperReply(new TextEncoder().encode("héllo straße"));
 * assert.equal(new TextDecoder().decode(reply), "HÉLLO STRASSE");
 * ```
 */
export function upperReply(payload: Uint8Array): Uint8Array {
  // TODO 1: decode the whole frame as UTF-8, upper-case the text, encode it again.
  //   Python: reply = data.decode('utf-8').upper().encode('utf-8')
  //   Deno:   decodeUtf8(payload, "a frame")   // lib/utf8.ts: strict, throws ProtocolError
  //                                            // "a frame is not valid UTF-8" on bad bytes
  //           .toUpperCase()                   // like str.upper(): é → É, ß → SS
  //           encoder.encode(text)
  //   Not `new TextDecoder().decode()`: it would quietly turn bad bytes into U+FFFD.
  todo("05", "decode the frame as UTF-8, upper-case the text and encode it again (upperReply)");
}

/**
 * Serves one client: every frame it sends gets one frame back. Returns when
 * the client closes its side; throws (and so closes the connection) on a
 * header over the limit, a frame that is not UTF-8, or a stream that stops
 * mid-frame.
 */
export async function handleFramedConnection(
  conn: Deno.Conn,
  options: Pick<FramedServerOptions, "maxFrame" | "log"> = {},
): Promise<void> {
  const log = options.log ?? silent;
  const peer = formatAddr(netAddr(conn.remoteAddr));
  log(`Accept new connection from ${peer}...`);

  // TODO 2: read until the client closes its side; answer every WHOLE frame with one frame.
  //   One read may hold half a frame, or three and a half: never treat a read as a message.
  //   Python: buf = b''
  //           while True:
  //               data = sock.recv(65536)
  //               if not data: break                     # the client closed its side
  //               buf += data
  //               while len(buf) >= 4:
  //                   (n,) = struct.unpack('!I', buf[:4])
  //                   if n > max_frame: raise ...        # check BEFORE waiting for n bytes
  //                   if len(buf) < 4 + n: break         # half a frame: read more
  //                   reply = upper(buf[4:4 + n]); buf = buf[4 + n:]
  //                   sock.sendall(struct.pack('!I', len(reply)) + reply)
  //   Deno:   const frames = new FrameDecoder({ maxFrame: options.maxFrame }); // lib/length_prefix.ts
  //           readChunk(conn, 64 * 1024)   // Python's recv(65536); null when the client closed
  //           frames.push(data)            // the payloads this read completes (often none)
  //           await writeAll(conn, encodeFrame(upperReply(payload), { maxFrame: MAX_HEADER_LENGTH }))
  //           frames.finish()              // at the end: throws if the client stopped mid-frame
  //   Let errors (a header over the limit, bad UTF-8) escape: serveTcp logs one
  //   "Connection from ... dropped: <why>." line and closes this connection only.
  //   (The reply may be longer than the request, ß → SS: the limit is for what we accept.)
  todo(
    "05",
    "read chunks, answer each whole frame with its upper-cased frame (handleFramedConnection)",
  );

  log(`Connection from ${peer} closed.`);
}

/**
 * Starts the framed server and returns at once. A client that breaks the
 * protocol gets its connection closed and one log line; the others go on.
 *
 * @example
 * ```ts ignore
 * import { runFramedClient, startFramedServer } from "./05_framing.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startFramedServer({ port: 0 });
 * const replies = await runFramedClient({ port: server.addr.port, messages: ["héllo", "wörld"] });
 * assert.deepEqual(replies, ["HÉLLO", "WÖRLD"]);
 * ```
 */
export function startFramedServer(options: FramedServerOptions = {}): TcpServer {
  const log = options.log ?? silent;
  // Python: s.bind(('127.0.0.1', 9999)); s.listen(5)
  const listener = listenTcp({ host: options.host, port: options.port ?? DEFAULT_PORT });
  log(
    `Listening on ${formatAddr(netAddr(listener.addr))}, max frame ${
      options.maxFrame ?? DEFAULT_MAX_FRAME
    } bytes...`,
  );
  return serveTcp(listener, (conn) => handleFramedConnection(conn, options), {
    log,
    // Over the limit: a close, no words (a frame would be taken for a reply).
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    // On close(graceMs): frames already read are answered, then end of stream.
    endReadsOnClose: true,
  });
}

// ─── The framed client ───────────────────────────────────────────────────────

/** Options for {@linkcode runFramedClient}. */
export interface FramedClientOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
  /** What to send, one frame each. Default: Michael, Tracy, Sarah. */
  messages?: readonly string[];
  /** The largest message it will send. Default 1 MiB, the server's default limit. */
  maxFrame?: number;
}

/**
 * Sends every message as a frame, without waiting in between, and returns
 * the replies, in order. It writes and reads at the same time: a client that
 * wrote everything before reading could deadlock with a server whose replies
 * it is not reading (both sides' buffers full, both waiting to write).
 */
export async function runFramedClient(options: FramedClientOptions = {}): Promise<string[]> {
  const messages = options.messages ?? TUTORIAL_NAMES;

  // TODO 3: send every message as one frame, back to back, and read the replies meanwhile.
  //   Python: frames = [struct.pack('!I', len(m)) + m for m in encoded_messages]
  //           s.connect(('127.0.0.1', 9999))
  //           for frame in frames: s.sendall(frame)
  //           s.shutdown(socket.SHUT_WR)                 # "no more frames"
  //           replies = [recv_frame(s) for _ in frames]
  //   Deno:   1. Encode first, so a message over the limit fails before connecting:
  //              encodeFrame(encoder.encode(m), { maxFrame: options.maxFrame })  // LimitError
  //           2. using conn = await connectTcp({ host: options.host, port: options.port ?? DEFAULT_PORT,
  //                hint: "start the server first: deno task 05 server" });
  //           3. Write in the background (writeAll each frame, then await conn.closeWrite())
  //              WHILE `await receiveReplies(conn, messages.length, maxReply)` reads: writing
  //              everything before reading can deadlock when both sides' buffers fill.
  //              maxReply: upper case can triple a message's bytes (ΐ → Ϊ́), so
  //              Math.min(MAX_HEADER_LENGTH, 3 * the longest frame's length).
  //           4. finally: closeQuietly(conn), and await the writing promise with .catch(() => {})
  //              (a server that hung up shows as missing replies, reported by receiveReplies).
  todo("05", "encode the frames, connect, send them while reading the replies (runFramedClient)");
}

/** Reads `count` reply frames, then the server's end of stream. */
async function receiveReplies(conn: Deno.Conn, count: number, maxReply: number): Promise<string[]> {
  // The bytes of each read go through the frame decoder; out come whole frames.
  const reader = readFrames(conn, { maxFrame: maxReply }).getReader();
  const replies: string[] = [];
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      replies.push(decodeUtf8(value, "a reply"));
    }
  } catch (err) {
    if (err instanceof LimitError) {
      throw new LimitError(err.message, "is it a lesson 05 server on that port?", { cause: err });
    }
    throw explainPeerGone(
      err,
      `the server reset the connection after ${replies.length} of ${count} replies`,
      "was it stopped? see the server's log",
    );
  }
  if (replies.length !== count) {
    throw new ProtocolError(
      `the server closed the connection after ${replies.length} of ${count} replies`,
      "see the server's log: a frame over its --max-frame, or not UTF-8?",
    );
  }
  return replies;
}

// ─── The narrated demo ───────────────────────────────────────────────────────

/** Options for {@linkcode demo}. */
export interface DemoOptions {
  /** Run the experiments through a re-slicing proxy (the reads then differ on every run). */
  throughProxy?: boolean;
  /** The proxy's seed. Default 5. */
  seed?: number;
  /** Fix B's line limit. Default 64 KiB, which the 100 KiB line breaks, on purpose. */
  maxLine?: number;
}

/**
 * The narrated demo: the merge, the split, the same bug in lesson 03's
 * protocol, then both fixes replaying all three, the framed server, and
 * framed messages surviving a proxy that cuts the stream at random. The
 * same on every run (with `throughProxy`, only the decoded messages are).
 */
export async function demo(log: Log, options: DemoOptions = {}): Promise<void> {
  const seed = options.seed ?? DEFAULT_SEED;
  // Pauses between pieces, so that the receiver's reads see the cuts instead
  // of finding the pieces merged again in its buffer.
  const proxy = options.throughProxy ? { seed, maxPiece: 8, maxDelayMs: 1 } : undefined;
  const run: Experiment = { log, proxy };
  if (proxy) {
    log("Every experiment goes through a proxy that re-cuts the stream into pieces");
    log(`of 1 to 8 bytes (1 to 4096 for the 100 KiB message), pausing up to 1 ms`);
    log(`between them (seed ${seed}). The reads differ on every run; the messages`);
    log("the framed decoders find in them don't.");
    log("");
  }

  log("Part 1 · Sticky packets (粘包): three writes, one read");
  log("");
  log("The client calls send() three times: hello, sticky, packets. Nagle's");
  log("algorithm is off on its socket (setNoDelay(true)), so each write leaves at");
  log("once, as its own TCP segment. The server calls recv(1024) only after the");
  log("third write has returned (it waits on a promise the client resolves; the");
  log("tutorials get the same effect from time.sleep() and luck):");
  await stickyExperiment(run, NO_FRAMING);
  log("");
  log("Three segments arrived, but the kernel keeps no boundaries between them:");
  log("it appends whatever arrives to the socket's receive buffer, and a read");
  log("returns what the buffer holds, up to the size asked for. Seed 001 blames");
  log("TCP for packing small sends together; Nagle's algorithm can (it is on by");
  log("default), but here it is off and the bytes merge anyway, at the receiver.");
  log("");

  log("Part 2 · The same bug in lesson 03's protocol");
  log("");
  log("Lesson 03's client waits for each reply before it sends the next name.");
  log("This one doesn't: it sends Michael and Tracy back to back, and lesson 03's");
  log("server (its own code) reads once. Everything the client received:");
  log("");
  await helloExperiment(run, NO_FRAMING);
  log("");
  log("A reply to a name nobody sent. Lesson 03 works only because its client");
  log("waits for every reply: lock-step hides the missing boundaries.");
  log("");

  log("Part 3 · Half packets (半包): one write, many reads");
  log("");
  log(`The client sends one message of ${HALF_MESSAGE_BYTES} bytes (100 KiB) in one call;`);
  log("the server reads the tutorial's way, recv(1024), until the client closes:");
  await halfExperiment(run, NO_FRAMING);
  log("");
  log("Nothing was lost or late. Seed 003 blames 半包 on lost or delayed packets");
  log("and suggests retransmission and checksums: TCP already does both, below us.");
  log("A read returns what fits in the buffer it was given, and nothing says");
  log("where a message ends. Framing says it.");
  log("");

  log("Part 4 · Fix A: a length prefix");
  log("");
  log("Every message goes out as 4 bytes holding its length, big-endian (Python:");
  log("struct.pack('!I', len(data))), then the message. The receiver keeps bytes");
  log("until it has 4, reads the length n, then keeps bytes until it has n more:");
  log("one message, however the reads were cut.");
  await replayAll(run, lengthPrefixFraming());
  log("");
  log("The decoder allocated the 100 KiB message once, when its header arrived,");
  log("after checking the length against a limit (1 MiB, --max-frame): a header");
  log("announcing 4 GiB is refused before anything is allocated.");
  log("");

  log("Part 5 · Fix B: a delimiter, \\n after every message");
  log("");
  log("The receiver keeps bytes until a \\n arrives; everything before it is one");
  log("message. Readable with nc, but a message may not contain \\n, and the");
  log("receiver cannot know how long a line will be, so it needs a limit too");
  log(`(${options.maxLine ?? DEFAULT_MAX_LINE} bytes, --max-line).`);
  await replayAll(run, lineFraming({ maxLine: options.maxLine }));
  log("");

  log("Part 6 · The framed server (deno task 05 server)");
  log("");
  await framedServerDemo(log);
  log("");

  log("Part 7 · Any slicing");
  log("");
  await anySlicingDemo(log, seed);
}

/** What every experiment needs: where to narrate, and the proxy, if any. */
interface Experiment {
  log: Log;
  proxy?: Omit<ResliceProxyOptions, "target">;
}

/** Draws a picture, indented, with a blank line before it. */
function draw(log: Log, rows: PictureRow[]): void {
  log("");
  for (const line of drawPicture(rows)) log(`  ${line}`);
  log("");
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

function quoted(messages: readonly string[]): string {
  return messages.map((m) =>
    m.length > 24 ? `${JSON.stringify(`${m.slice(0, 8)}…`)} (${m.length} bytes)` : JSON.stringify(m)
  ).join(", ");
}

/** The picture of a transfer: writes, reads, and what the decoder made of them. */
function drawTransfer(log: Log, transfer: Transfer, framing: Framing, decoded: Decoded): void {
  const rows: PictureRow[] = [
    { label: count(transfer.writes.length, "write"), pieces: transfer.writes },
    { label: count(transfer.reads.length, "read"), pieces: transfer.reads },
  ];
  const short = transfer.reads.every((read) => read.length <= MAX_EXACT_BYTES);
  if (framing !== NO_FRAMING && !decoded.error && short) {
    // The decoder's boundaries are the encoded messages: draw them again.
    rows.push({
      label: count(decoded.messages.length, "message"),
      pieces: decoded.messages.map((m) => framing.encode(m)),
    });
  }
  draw(log, rows);
}

/** Experiment 1: three short writes, read after the last one returned. */
async function stickyExperiment(run: Experiment, framing: Framing): Promise<Transfer> {
  const transfer = await recordTransfer(STICKY_MESSAGES.map(framing.encode), { proxy: run.proxy });
  const decoded = decodeReads(framing, transfer.reads);
  drawTransfer(run.log, transfer, framing, decoded);
  verdict(run.log, framing, decoded, STICKY_MESSAGES);
  return transfer;
}

/** Experiment 3: one 100 KiB write, read 1024 bytes at a time. */
async function halfExperiment(run: Experiment, framing: Framing): Promise<Transfer> {
  const message = "x".repeat(HALF_MESSAGE_BYTES);
  const proxy = run.proxy && { ...run.proxy, maxPiece: 4096 }; // 8-byte pieces: too slow here
  const transfer = await recordTransfer([framing.encode(message)], { proxy });
  const decoded = decodeReads(framing, transfer.reads);
  drawTransfer(run.log, transfer, framing, decoded);
  verdict(run.log, framing, decoded, [message]);
  return transfer;
}

/** One line saying whether the messages came out whole. */
function verdict(log: Log, framing: Framing, decoded: Decoded, sent: readonly string[]): void {
  if (decoded.error) {
    log(`  ✗ refused at read ${(decoded.errorAt ?? 0) + 1}: ${decoded.error.message}.`);
    return;
  }
  const { messages, completedBy } = decoded;
  const whole = messages.length === sent.length && messages.every((m, i) => m === sent[i]);
  const mark = whole ? "✓" : "✗";
  if (framing === NO_FRAMING) {
    // One read, one "message": whatever the read returned.
    const sizes = messages.map((m) => encoder.encode(m).length);
    const what = messages.length <= 4
      ? `recv(1024) returned ${quoted(messages)}`
      : `${messages.length} reads of ${Math.min(...sizes)} to ${Math.max(...sizes)} bytes`;
    const were = sent.length === 1 ? "was" : "were";
    log(`  ${mark} ${what}:`);
    log(
      `    ${count(messages.length, '"message"', '"messages"')} where ${sent.length} ${were} sent.`,
    );
    return;
  }
  log(`  ${mark} ${count(messages.length, "message")}, whole: ${quoted(messages)}`);
  const last = completedBy.at(-1);
  if (last !== undefined) log(`    (the decoder handed out the last one after read ${last + 1})`);
}

/**
 * Experiment 2: lesson 03's conversation with a client that does not wait.
 * Without framing the server is lesson 03's own code; with a framing, the
 * same loop decodes messages first.
 */
async function helloExperiment(run: Experiment, framing: Framing): Promise<void> {
  const names = ["Michael", "Tracy"];
  using listener = listenTcp({ port: 0 });
  await using proxy = run.proxy
    ? startResliceProxy({ ...run.proxy, target: listener.addr })
    : undefined;
  using client = await connectTcp({ port: proxy?.addr.port ?? listener.addr.port });
  const conn = await listener.accept();

  // The client sends both names before the server reads anything.
  for (const name of names) await writeAll(client, framing.encode(name));
  await client.closeWrite();
  for (const name of names) run.log(`  client → ${name}`);
  try {
    if (framing === NO_FRAMING) await handleHelloConnection(conn); // lesson 03's server
    else await answerEachMessage(conn, framing, helloReply);
  } finally {
    conn.close(); // the client's read loop ends at this end of stream
  }
  const received = await readToEnd(client);
  if (framing === NO_FRAMING) {
    run.log(`  client ← ${lenient.decode(received)}`);
    return;
  }
  const replies = decodeReads(framing, [received]).messages;
  for (const reply of replies) run.log(`  client ← ${reply}`);
  const whole = replies.join("\n") === names.map(helloReply).join("\n");
  run.log(`  ${whole ? "✓" : "✗"} ${count(replies.length, "reply", "replies")}, one per name.`);
}

/** Lesson 03's server loop with framing: decode whole messages, answer each. */
async function answerEachMessage(
  conn: Deno.Conn,
  framing: Framing,
  answer: (message: string) => string,
): Promise<void> {
  const decoder = framing.decoder();
  for (let data; (data = await readChunk(conn, READ_SIZE)) !== null;) {
    for (const message of decoder.push(data)) await writeAll(conn, framing.encode(answer(message)));
  }
  decoder.finish();
}

async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let chunk; (chunk = await readChunk(conn, 64 * 1024)) !== null;) chunks.push(chunk);
  return concatBytes(chunks);
}

/** A fix replays experiments 1 to 3 with its framing. */
async function replayAll(run: Experiment, framing: Framing): Promise<void> {
  const { log } = run;
  log("");
  log(`Part 1 again, ${framing.name} framing:`);
  await stickyExperiment(run, framing);
  if (framing.name === "length prefix") {
    log("  (a header's 4 bytes, 00 00 00 05, are drawn 0 0 0 5)");
  }
  log("");
  log(`Part 2 again: lesson 03's hello protocol, ${framing.name} framing:`);
  log("");
  await helloExperiment(run, framing);
  log("");
  log(`Part 3 again, ${framing.name} framing:`);
  const half = await halfExperiment(run, framing);
  const decoded = decodeReads(framing, half.reads);
  if (decoded.error instanceof LimitError && framing.name === "delimiter") {
    const raised = 128 * 1024;
    log("  That is the line limit at work: a peer that never sends \\n could");
    log("  otherwise fill our memory. With the limit raised to 128 KiB");
    log(`  (--max-line ${raised}), the same reads decode to:`);
    verdict(log, framing, decodeReads(lineFraming({ maxLine: raised }), half.reads), [
      "x".repeat(HALF_MESSAGE_BYTES),
    ]);
  }
}

/** Replaces ephemeral port numbers, so the transcript is the same on every run. */
function withoutPorts(log: Log): Log {
  return (line) => log(line.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:‹port›"));
}

/** Part 6: the framed server, a good client, a 4 GiB header, and the next client. */
async function framedServerDemo(log: Log): Promise<void> {
  await using server = startFramedServer({
    port: 0,
    log: withoutPorts(prefixed(log, "server")),
  });
  const port = server.addr.port;
  const client = prefixed(log, "client");
  const messages = ["héllo", "wörld", "straße"];
  client(`→ ${messages.join(", ")} (3 frames, back to back)`);
  const replies = await runFramedClient({ port, messages });
  client(`← ${replies.join(", ")}`);
  log("");
  log("A client sends only a header, announcing 4294967295 bytes (4 GiB):");
  {
    using conn = await connectTcp({ port });
    await writeAll(conn, frameHeader(MAX_HEADER_LENGTH));
    await readToEnd(conn).catch(() => new Uint8Array()); // closed on us (maybe with a reset)
  }
  log("The server refused it before allocating anything, and serves the next:");
  const [reply] = await runFramedClient({ port, messages: ["still here?"] });
  client(`← ${reply}`);
}

/** Part 7: many random messages through the re-slicing proxy, all whole. */
async function anySlicingDemo(log: Log, seed: number): Promise<void> {
  const messages = randomMessages(seededRandom(seed), 200, 16 * 1024);
  await using server = startFramedServer({ port: 0 });
  await using proxy = startResliceProxy({ target: server.addr, seed, minPiece: 1, maxPiece: 1500 });
  const replies = await runFramedClient({ port: proxy.addr.port, messages });
  const bytes = messages.reduce((sum, m) => sum + encoder.encode(m).length, 0);
  const right = replies.filter((reply, i) => reply === messages[i].toUpperCase()).length;
  log(`${messages.length} messages, 0 to 16 KiB each (${bytes} bytes of ASCII, é, ß, 中文, 😀),`);
  log(`through a proxy that re-cuts both directions into pieces of 1 to 1500 bytes`);
  log(`(seed ${seed}): the proxy forwarded ${proxy.bytes} bytes, and`);
  log(
    `  ${
      right === messages.length ? "✓" : "✗"
    } ${right} of ${messages.length} replies are the upper-cased messages, in order.`,
  );
  log("");
  log("Framed code does not care how the stream is cut. Try the tutorial's way");
  log("through the same proxy: deno task 05 --through-proxy");
}

/**
 * `n` random messages of 0 to `maxBytes` UTF-8 bytes, mixing 1- to 4-byte
 * characters; sizes log-uniform, so most are small and a few are large.
 */
export function randomMessages(random: () => number, n: number, maxBytes: number): string[] {
  const alphabet = ["a", "b", "z", " ", "é", "ß", "中", "文", "😀"];
  const sizes = alphabet.map((char) => encoder.encode(char).length);
  return Array.from({ length: n }, () => {
    const target = Math.floor(Math.pow(maxBytes + 1, random())) - 1;
    const chars: string[] = [];
    for (let bytes = 0;;) {
      const i = randomInt(random, 0, alphabet.length - 1);
      if (bytes + sizes[i] > target) return chars.join("");
      chars.push(alphabet[i]);
      bytes += sizes[i];
    }
  });
}

const USAGE = `Lesson 05: sticky packets (粘包), half packets (半包) and message framing

Usage:
  deno task 05 [options]            narrated demo: the merge, the split, both fixes
  deno task 05 server [options]     the framed upper-case server, until Ctrl+C
  deno task 05 client [options] [MESSAGE...]
                                    send each MESSAGE as one frame, print each reply
                                    (default: Michael Tracy Sarah)

Options:
  --host H          address to bind or connect to (default ${LOOPBACK})
  --port P          port (default ${DEFAULT_PORT})
  --max-frame N     largest frame payload in bytes (default ${DEFAULT_MAX_FRAME} = 1 MiB)
  --max-line N      demo: Fix B's longest line in bytes (default ${DEFAULT_MAX_LINE} = 64 KiB)
  --through-proxy   demo, client: go through a proxy that re-cuts the stream at random
  --seed N          the proxy's random seed (default ${DEFAULT_SEED})
  -h, --help        show this help

A frame is a 4-byte unsigned big-endian length, then that many bytes (Python:
struct.pack('!I', len(data)) + data). The server answers each frame with one
frame holding the text upper-cased, and closes a connection that sends a header
over --max-frame or a frame that is not UTF-8.

${limitsUsage("a close")}`;

/** The command line: `server`, `client`, or the demo. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    "max-frame": { type: "string" },
    "max-line": { type: "string" },
    "through-proxy": { type: "boolean" },
    seed: { type: "string" },
    ...LIMIT_FLAGS,
  });
  const [command, ...rest] = positionals;
  const host = values.host ?? LOOPBACK;
  const port = portFlag(values.port, DEFAULT_PORT);
  const maxFrame = intFlag("--max-frame", values["max-frame"], DEFAULT_MAX_FRAME, {
    min: 0,
    max: MAX_HEADER_LENGTH,
  });
  const maxLine = intFlag("--max-line", values["max-line"], DEFAULT_MAX_LINE, {
    min: 0,
    max: 1 << 30,
  });
  const seed = intFlag("--seed", values.seed, DEFAULT_SEED, { min: 0, max: 0xffff_ffff });
  const throughProxy = values["through-proxy"] ?? false;
  const log: Log = (line) => console.log(line);

  if (command === undefined) return await demo(log, { throughProxy, seed, maxLine });
  if (command === "server") {
    if (rest.length > 0) throw new UsageError(`server takes no arguments, got "${rest[0]}"`);
    const { graceMs, ...limits } = limitsFromFlags(values);
    const server = startFramedServer({ host, port, maxFrame, log, ...limits });
    return await serveUntilCtrlC(server, log, { graceMs });
  }
  if (command === "client") {
    const messages = rest.length > 0 ? rest : TUTORIAL_NAMES;
    await using proxy = throughProxy
      ? startResliceProxy({ target: { hostname: host, port }, seed, log: (l) => console.error(l) })
      : undefined;
    const replies = await runFramedClient({
      host: proxy ? LOOPBACK : host,
      port: proxy?.addr.port ?? port,
      messages,
      maxFrame,
    });
    for (const reply of replies) console.log(reply);
    return;
  }
  throw new UsageError(`unknown command "${command}": expected server or client`);
}

if (import.meta.main) await runMain(() => main(Deno.args));
