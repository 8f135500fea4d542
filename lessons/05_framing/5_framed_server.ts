/**
 * # 05 · Step 5 · The framed server: every frame answered, upper-cased
 *
 * Lesson 03's server with step 3's framing: a client sends messages as
 * frames (`struct.pack('!I', n)` + the bytes), back to back, without waiting;
 * the server answers each with one frame holding the text upper-cased (the
 * tutorials' `data.upper()`, as text: `é` becomes `É`, `ß` becomes `SS`).
 * This is what `deno task 05 server` and `deno task 05 client` run.
 *
 * Run it:  deno task 05 server             (then, in another terminal)
 *          deno task 05 client héllo wörld
 *
 * @module
 */

import { describeAddr } from "../../lib/addr.ts";
import { explainPeerGone, LimitError, ProtocolError } from "../../lib/errors.ts";
import { writeAll } from "../../lib/io.ts";
import { type Log, silent } from "../../lib/log.ts";
import { serve, type Server } from "../../lib/serve.ts";
import { traced } from "../../lib/trace.ts";
import { decodeUtf8 } from "../../lib/utf8.ts";
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  MAX_HEADER_LENGTH,
  readFrames,
} from "./frame_codec.ts";

/** The tutorials' port, as in lessons 03 and 04. */
export const FRAMED_PORT = 9999;

/** The messages the client sends unless told: the tutorials' names. */
export const DEFAULT_MESSAGES: readonly string[] = ["Michael", "Tracy", "Sarah"];

const encoder = new TextEncoder();

// ── 1. The server ───────────────────────────────────────────────────────────

/**
 * The answer to one frame: its text upper-cased, like Python's
 * `data.decode('utf-8').upper().encode('utf-8')`. Throws
 * {@linkcode ProtocolError} if the payload is not UTF-8. A payload is always
 * a whole frame, so a character split between two reads is whole again here.
 *
 * @example
 * ```ts
 * import { upperReply } from "./5_framed_server.ts";
 * import assert from "node:assert/strict";
 *
 * const reply = upperReply(new TextEncoder().encode("héllo straße"));
 * assert.equal(new TextDecoder().decode(reply), "HÉLLO STRASSE");
 * ```
 */
export function upperReply(payload: Uint8Array): Uint8Array {
  return encoder.encode(decodeUtf8(payload, "a frame").toUpperCase());
}

/**
 * Serves one client: every frame it sends gets one frame back. Returns when
 * the client closes its side; throws (and so closes the connection) on a
 * header over the limit, a frame that is not UTF-8, or a stream that stops
 * mid-frame.
 */
export async function handleFramedConnection(
  conn: Deno.Conn,
  options: { maxFrame?: number; log?: Log } = {},
): Promise<void> {
  const log = options.log ?? silent;
  const peer = describeAddr(conn.remoteAddr);
  log(`Accept new connection from ${peer}...`);
  const frames = new FrameDecoder({ maxFrame: options.maxFrame });
  const buffer = new Uint8Array(64 * 1024);
  while (true) {
    // Python: data = sock.recv(65536); if not data: break
    const n = await conn.read(buffer);
    if (n === null) break;
    // One read may hold half a frame, or three and a half. The decoder keeps
    // the unfinished part and hands out whole frames only; it checks each
    // header against the limit before allocating room for the payload.
    for (const payload of frames.push(buffer.subarray(0, n))) {
      // Python: sock.sendall(struct.pack('!I', len(reply)) + reply)
      // (Upper case can be longer: ß → SS. The limit is on what we accept.)
      await writeAll(conn, encodeFrame(upperReply(payload), { maxFrame: MAX_HEADER_LENGTH }));
    }
  }
  frames.finish(); // the client closed mid-frame? That is an error, not a message.
  log(`Connection from ${peer} closed.`);
}

// ── 2. The client ───────────────────────────────────────────────────────────

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
 *
 * @example
 * ```ts
 * import { runFramedClient, startFramedServer } from "./5_framed_server.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startFramedServer({ port: 0 });
 * const replies = await runFramedClient({ port: server.addr.port, messages: ["héllo", "wörld"] });
 * assert.deepEqual(replies, ["HÉLLO", "WÖRLD"]);
 * ```
 */
export async function runFramedClient(options: FramedClientOptions = {}): Promise<string[]> {
  const messages = options.messages ?? DEFAULT_MESSAGES;
  // Encode first: a message over the limit fails here, before connecting.
  const frames = messages.map((m) => encodeFrame(encoder.encode(m), options));
  // Upper case can triple a message's bytes (ΐ → Ϊ́, 2 bytes to 6), so allow that.
  const maxReply = Math.min(MAX_HEADER_LENGTH, 3 * Math.max(0, ...frames.map((f) => f.length)));

  // Python: s = socket.socket(); s.connect(('127.0.0.1', 9999))
  using conn = traced(
    await Deno.connect({
      hostname: options.host ?? "127.0.0.1",
      port: options.port ?? FRAMED_PORT,
    }),
    "client",
  );
  const sending = (async () => {
    for (const frame of frames) await writeAll(conn, frame); // Python: s.sendall(frame)
    await conn.closeWrite(); // Python: s.shutdown(socket.SHUT_WR): no more frames
  })();
  sending.catch(() => {}); // a failure here shows as missing replies; awaited below
  try {
    const replies = await receiveReplies(conn, messages.length, maxReply);
    await sending;
    return replies;
  } catch (err) {
    conn.close(); // a write still waiting for room fails now, instead of waiting for ever
    await sending.catch(() => {}); // its failure (the server hung up) shows as fewer replies
    throw err;
  }
}

/** Reads `count` reply frames, then the server's end of stream. */
async function receiveReplies(conn: Deno.Conn, count: number, maxReply: number): Promise<string[]> {
  const replies: string[] = [];
  try {
    for await (const reply of readFrames(conn, { maxFrame: maxReply })) {
      replies.push(decodeUtf8(reply, "a reply"));
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

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
//
// The tutorials' servers trust every peer. This one reads from strangers, so:
// - a frame limit (--max-frame, 1 MiB): a header is checked before the payload
//   is allocated, and one over the limit closes the connection; 4 bytes must
//   not make us reserve 4 GiB;
// - a frame that is not UTF-8, or a stream that ends inside a frame, closes
//   that connection with one log line; the other clients go on;
// - no reply for a client over --max-connections: just a close (a frame of
//   words would be taken for a reply), and an idle timeout (--idle-timeout-ms)
//   for a client that connects and says nothing;
// - on Ctrl+C, frames already read are answered before the close.
// The loop with those limits is lib/serve.ts, the one lesson 03 introduced.

/** Options for {@linkcode startFramedServer}. */
export interface FramedServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** The largest frame payload accepted. Default 1 MiB. */
  maxFrame?: number;
  /** At most this many clients at once (default 1,000). */
  maxConnections?: number;
  /** Close a connection silent for this long (default 5 minutes; 0: never). */
  idleTimeoutMs?: number;
  /** Where the server narrates. */
  log?: Log;
}

/** Starts the framed server and returns at once. */
export function startFramedServer(options: FramedServerOptions = {}): Server {
  // Python: s.bind(('127.0.0.1', 9999)); s.listen(5)
  const listener = Deno.listen({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? FRAMED_PORT,
  });
  const maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
  options.log?.(`Listening on ${describeAddr(listener.addr)}, max frame ${maxFrame} bytes...`);
  return serve(listener, (conn) => handleFramedConnection(conn, options), {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    endReadsOnClose: true, // on close(graceMs): frames already read are answered first
  });
}

// Run on its own, this step prints its part of the demo (`deno task 05` runs them all).
if (import.meta.main) import("./demo.ts").then((demo) => demo.serverPart(console.log));
