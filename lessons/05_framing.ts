/**
 * # 05 · Sticky packets (粘包), half packets (半包) and framing
 *
 * Follows the unsigned blog post «Socket概念…黏包现象» (its last section: the
 * client calls send() three times, and the server's first recv() gets all
 * three) and 呆贝斯's «Socket网络编程学习笔记» (常见问题: 粘包, 半包). TCP
 * carries bytes, not messages: several writes can come back as one read
 * (粘包), one write as many reads (半包). Nothing went wrong when that
 * happens; there were never any boundaries to keep. The fix is to write the
 * boundaries into the bytes: framing.
 *
 * Run it:  deno task 05                      (the narrated demo)
 *          deno task 05 --capture            (as root: the real segments too)
 *          deno task 05 server               (then, in another terminal)
 *          deno task 05 client héllo wörld   (prints HÉLLO and WÖRLD)
 *
 * The lesson goes on in steps, each a file to read and run on its own:
 *   05_framing/1_sticky.ts          several writes, one read; what the tutorials say
 *   05_framing/2_half.ts            one write, many reads
 *   05_framing/3_length_prefix.ts   Fix A: struct.pack('!I', n); why in one write
 *   05_framing/4_delimiter.ts       Fix B: \n after every message
 *   05_framing/5_framed_server.ts   the server and client the commands run
 *
 * @module
 */

import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { traced } from "../lib/trace.ts";
import { demo } from "./05_framing/demo.ts";
import { DEFAULT_MAX_FRAME, MAX_HEADER_LENGTH } from "./05_framing/frame_codec.ts";
import { DEFAULT_MAX_LINE } from "./05_framing/4_delimiter.ts";
import * as framed from "./05_framing/5_framed_server.ts";
import { startResliceProxy } from "./05_framing/reslice_proxy.ts";

export { runFramedClient, startFramedServer } from "./05_framing/5_framed_server.ts";

const encoder = new TextEncoder();

// ── 1. The tutorial's experiment ────────────────────────────────────────────

/**
 * The blog post's experiment: the client calls send() once per message, the
 * server calls recv(1024) until the client is done. Resolves to what each
 * recv() returned: one string for all three messages.
 *
 * @example
 * ```ts
 * import { sendThenReceive } from "./05_framing.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(await sendThenReceive(["hello", "sticky", "packets"]), ["hellostickypackets"]);
 * ```
 */
export async function sendThenReceive(messages: readonly string[]): Promise<string[]> {
  // Python: server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(5)
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // Python: client = socket.socket(); client.connect(('127.0.0.1', port))
  using client = traced(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    "client",
  );
  using conn = traced(await listener.accept(), "server"); // Python: conn, addr = server.accept()

  // Python: client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
  // Nagle's algorithm (on by default, in Deno as in Python) would hold the
  // second and third sends back and merge them itself. Off: each send leaves
  // at once, as a TCP segment of its own.
  client.setNoDelay(true);
  for (const message of messages) {
    // Python: client.send(message.encode('utf-8'))
    await client.write(encoder.encode(message)); // a few bytes: the kernel takes them whole
  }
  await client.closeWrite(); // Python: client.shutdown(socket.SHUT_WR): "that was all"

  // The server reads only now, after the last send returned. The blog post
  // gets the same from luck (or a time.sleep()); here it is the order of the
  // awaits, so it happens on every run.
  const received: string[] = [];
  const buffer = new Uint8Array(1024);
  const decoder = new TextDecoder();
  while (true) {
    // Python: data = conn.recv(1024); if not data: break
    const n = await conn.read(buffer);
    if (n === null) break;
    received.push(decoder.decode(buffer.subarray(0, n)));
  }
  return received;
}

// ── 2. What happened on the wire ────────────────────────────────────────────
//
// Three segments arrived, 5, 6 and 7 bytes, each with a sequence number. TCP
// numbers bytes, not packets (RFC 9293 §3.4): the receiver puts every byte at
// its place in one receive buffer, and a read takes what the buffer holds, up
// to the size asked for. Where one segment ended is not kept anywhere. Step 1
// (05_framing/1_sticky.ts) shows it, and tries what the tutorials suggest;
// step 2 shows the opposite case, one write coming back as many reads.
//
// So the boundaries must travel in the bytes. Step 3 sends each message as a
// 4-byte length and the message (Python: struct.pack('!I', len(data)) +
// data), step 4 ends each message with \n. Step 5 is a server that answers
// every length-prefixed message with the same text upper-cased, and the
// client that talks to it: `deno task 05 server` and `deno task 05 client`.

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
//
// A receiver of frames trusts a number a stranger sent: 4 bytes can announce
// 4 GiB. The server checks each header against --max-frame (1 MiB) before it
// allocates the payload, and closes a connection that breaks a rule (over the
// limit, not UTF-8, cut off mid-frame) with one log line; the others go on.
// Its connection limit, idle timeout and graceful close are lesson 03's
// (lib/serve.ts). The section "What the tutorial leaves out" of step 5 has
// the details; step 3 measures why a frame's header and payload go out in
// one write (Nagle's algorithm meets the delayed ACK: 40 ms a request).

// ── The command line ────────────────────────────────────────────────────────

const seedFlag = {
  type: "int",
  default: 5,
  min: 0,
  max: 0xffff_ffff,
  help: "the seed of the proxy's cuts",
} as const;

const maxFrameFlag = {
  type: "int",
  default: DEFAULT_MAX_FRAME,
  min: 0,
  max: MAX_HEADER_LENGTH,
  help: "largest frame payload in bytes",
} as const;

/** `deno task 05 [server | client]`: see `--help`. */
export const cli: LessonCli = {
  id: "05",
  title: "sticky packets (粘包), half packets (半包) and message framing",
  defaultPort: framed.FRAMED_PORT,
  demo: (log, flags = {}) =>
    demo(log, {
      maxLine: Number(flags["max-line"] ?? DEFAULT_MAX_LINE),
      seed: Number(flags.seed ?? seedFlag.default),
    }),
  demoFlags: {
    "max-line": {
      type: "int",
      default: DEFAULT_MAX_LINE,
      min: 16,
      max: 16 * 1024 * 1024,
      help: "longest line the delimiter framing (part 5) accepts, in bytes",
    },
    seed: { ...seedFlag, help: "the seed of part 7's messages and proxy cuts" },
  },
  commands: {
    server: command({
      summary: "the framed upper-case server, until Ctrl+C",
      flags: { "max-frame": maxFrameFlag },
      limits: { refusal: "a close" },
      run: ({ host, port, flags, limits, log }) =>
        framed.startFramedServer({ host, port, maxFrame: flags["max-frame"], log, ...limits }),
    }),
    client: command({
      summary: "send each MESSAGE as one frame, print each reply (default: Michael Tracy Sarah)",
      args: "[MESSAGE...]",
      flags: {
        "max-frame": maxFrameFlag,
        "through-proxy": { type: "boolean", help: "go through a proxy that re-cuts the stream" },
        seed: seedFlag,
      },
      run: async ({ host, port, args, flags, log }) => {
        const messages = args.length > 0 ? args : framed.DEFAULT_MESSAGES;
        await using proxy = flags["through-proxy"]
          ? startResliceProxy({
            target: { hostname: host, port },
            seed: flags.seed,
            log: console.error,
          })
          : undefined;
        const to = proxy ? { host: "127.0.0.1", port: proxy.addr.port } : { host, port };
        const replies = await framed.runFramedClient({
          ...to,
          messages,
          maxFrame: flags["max-frame"],
        });
        for (const reply of replies) log(reply);
      },
    }),
  },
  epilogue: `A frame is a 4-byte unsigned big-endian length, then that many bytes (Python:
struct.pack('!I', len(data)) + data). The server answers each frame with one
frame holding the text upper-cased, and closes a connection that sends a header
over --max-frame or a frame that is not UTF-8.`,
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
