/**
 * # 07 · Chat: turn by turn, then both ways at once
 *
 * Follows example 3 of «25.Python 网络编程：TCP和UDP编程» (Alibaba Cloud
 * developer community), `server3.py` and `client3.py`, and the chat of the
 * blog post «Socket概念…黏包现象». Each side loops over `input()` then
 * `recv()`: waiting for the keyboard it cannot hear the socket, waiting for
 * the socket it cannot type. So the two take turns; `esc` ends the chat. This
 * file is that chat, with one fix (a message is a line), then the steps:
 *
 *     07_chat/2_full_duplex.ts          two loops over one connection: no more turns
 *     07_chat/3_relay.ts                one server relays every line to many people
 *     07_chat/4_backpressure.ts         a member who stops reading, and one who died
 *     07_chat/5_control_characters.ts   what strangers' bytes do to a terminal
 *
 * Run it:  deno task 07                 (the narrated demo)
 *          deno task 07 turn-server     deno task 07 turn-client             (two terminals)
 *          deno task 07 server          deno task 07 client alice   ...      (one per person)
 *
 * @module
 */

import { describeAddr } from "../lib/addr.ts";
import { command, type Flag, type LessonCli, runLesson } from "../lib/cli.ts";
import { isClosedError, UsageError } from "../lib/errors.ts";
import { writeAll } from "../lib/io.ts";
import { keyboardLines } from "./07_chat/keyboard.ts";
import { DEFAULT_MAX_LINE, encodeLine, LineDecoder } from "../lib/lines.ts";
import { type Log, silent } from "../lib/log.ts";
import { closeQuietly, type Server } from "../lib/serve.ts";
import { traced } from "../lib/trace.ts";
import { decodeUtf8 } from "../lib/utf8.ts";
import { runChatClient, startChatServer } from "./07_chat/3_relay.ts";
import { DEFAULT_MAX_MEMBERS, DEFAULT_MAX_PENDING } from "./07_chat/4_backpressure.ts";
import { demo } from "./07_chat/demo.ts";

/** The port of the TCP lessons (the tutorial's chat uses 8888: add `--port 8888`). */
export const CHAT_PORT = 9999;

/** The tutorial's word for "I am leaving". */
export const ESC = "esc";

// ── 1. The server: one client, turn by turn ─────────────────────────────────

/**
 * The tutorial's `server3.py`: accept one client, take turns with it (hearing
 * first); `ending` says how it ended. It stops listening after the first
 * client: server3.py keeps listening, so a second client connects and waits.
 */
export function startTurnServer(options: TurnOptions): TurnServer {
  const { host = "127.0.0.1", port = CHAT_PORT, log = silent } = options;
  // Python: s = socket.socket(); s.bind((socket.gethostname(), 8888)); s.listen(5)
  const listener = Deno.listen({ hostname: host, port });
  log(`Waiting for one client on ${describeAddr(listener.addr)}...`);
  const stop = new AbortController(); // Ctrl+C
  let conn: Deno.TcpConn | undefined;

  const ending = (async (): Promise<ChatEnding> => {
    try {
      // Python: c, a = s.accept(). One client: the tutorial never accepts another.
      conn = traced(await listener.accept(), "server");
      closeQuietly(listener);
      log(`Client ${describeAddr(conn.remoteAddr)} connected. Type ${ESC} to leave.`);
      return await takeTurns(conn, "server", { ...options, signal: stop.signal });
    } catch (err) {
      // close() (Ctrl+C) closed a socket under a read: we are the ones leaving.
      if (stop.signal.aborted && isClosedError(err)) return { left: "me", how: "end of input" };
      throw err;
    } finally {
      closeQuietly(listener);
      if (conn) closeQuietly(conn); // Python: c.close(); s.close()
      conn = undefined;
    }
  })();
  const finished = ending.then(() => {}); // a broken chat rejects both: the CLI says why
  finished.catch(() => {});

  return {
    addr: listener.addr,
    ending,
    finished,
    get connections() {
      return conn ? 1 : 0;
    },
    async close() {
      stop.abort(); // stop reading the keyboard...
      closeQuietly(listener);
      if (conn) closeQuietly(conn); // ...and the socket
      await finished.catch(() => {});
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

// ── 2. The client: speak first, then take turns ─────────────────────────────

/** The tutorial's `client3.py`: connect, then take turns, speaking first. */
export async function runTurnClient(options: TurnOptions): Promise<ChatEnding> {
  const { host = "127.0.0.1", port = CHAT_PORT } = options;
  // Python: s = socket.socket(); s.connect((socket.gethostname(), 8888))
  using conn = traced(await Deno.connect({ hostname: host, port }), "client");
  options.log?.(`Connected to the server. Type ${ESC} to leave.`);
  return await takeTurns(conn, "client", options);
}

// ── 3. Taking turns: the loop both sides run ────────────────────────────────

/**
 * The tutorial's loop: speak, then hear, then speak... (the client first). One
 * read waits at a time, so a line typed out of turn waits on the keyboard, and
 * one that arrives out of turn waits in the kernel's receive buffer.
 */
async function takeTurns(
  conn: Deno.Conn,
  me: "server" | "client",
  options: TurnOptions & { signal?: AbortSignal },
): Promise<ChatEnding> {
  const log = options.log ?? silent;
  const them = me === "server" ? "client" : "server";
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const socket = linesFrom(conn, maxLine);
  const keyboard = options.input.getReader();
  const quit = () => keyboard.cancel(); // a keyboard read waiting now ends as if Ctrl+D
  options.signal?.addEventListener("abort", quit);
  try {
    for (let myTurn = me === "client";; myTurn = !myTurn) {
      if (myTurn) {
        // Python: send_data = input('服务器说:'). Meanwhile nobody reads the socket.
        if (options.prompt) log(`(your turn: type a line, or ${ESC} to leave)`);
        const { value, done } = await keyboard.read();
        const text = done ? ESC : value; // Ctrl+D counts as esc
        // Python: c.send(send_data.encode()), as a line. writeAll: lesson 03's sendall().
        await writeAll(conn, encodeLine(text, { maxLine }));
        if (text === ESC) {
          log(`You left the chat (${done ? "end of input" : ESC}).`);
          return { left: "me", how: done ? "end of input" : "esc" };
        }
        log(`${me} says: ${text}`);
      } else {
        // Python: d = c.recv(1024).decode(). Meanwhile nobody reads the keyboard.
        const { value, done } = await socket.next();
        if (done || value === ESC) {
          log(`The ${them} left the chat (${done ? "the connection closed" : ESC}).`);
          return { left: "peer", how: done ? "connection closed" : "esc" };
        }
        log(`${them} says: ${value}`);
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", quit);
    await keyboard.cancel(); // the chat is over: nobody reads the keyboard any more
  }
}

// ── 4. What the tutorial leaves out: a message is a line ────────────────────
//
// The tutorial takes one recv(1024) as one message. A message over 1,024 bytes
// arrives in two reads, and every later turn is out of step; the cut can fall
// inside a character: 400 × 张 is 1,200 bytes, and server3.py's
// `c.recv(1024).decode()` raised UnicodeDecodeError and ended the chat. An
// empty line is worse: `s.send(b'')` sends nothing, and both sides then wait in
// recv() for ever (the blog post's client refuses empty input). So both sides
// here send `text + "\n"` and cut what arrives at each "\n" (lesson 05).

/**
 * The lines arriving on `conn`, as text (a `\r` before the `\n` dropped), until
 * the peer closes its side. Throws `LimitError` for a line over `maxLine`,
 * `ProtocolError` for bad UTF-8, `UnexpectedEofError` for a last line cut off.
 */
export async function* linesFrom(
  conn: Deno.Conn,
  maxLine = DEFAULT_MAX_LINE,
): AsyncGenerator<string, void, undefined> {
  const buffer = new Uint8Array(64 * 1024);
  const decoder = new LineDecoder({ maxLine, stripCr: true });
  while (true) {
    // Python: data = c.recv(65536): what has arrived, or b'' once the peer closed its side.
    const n = await conn.read(buffer);
    if (n === null) return decoder.finish(); // throws if it hung up inside a line
    for (const line of decoder.push(buffer.subarray(0, n))) yield decodeUtf8(line, "a line");
  }
}

/** How a turn-based chat ended for one side: who left, and how (Ctrl+D is "end of input"). */
export interface ChatEnding {
  left: "me" | "peer";
  how: "esc" | "end of input" | "connection closed";
}

/** Options for both sides of the turn-based chat. */
export interface TurnOptions {
  /** The keyboard: one string per line typed (`lib/keyboard.ts`). */
  input: ReadableStream<string>;
  /** Address to bind or connect to. Default 127.0.0.1 (the tutorial: `gethostname()`). */
  host?: string;
  /** Port to bind or connect to. Default 9999; 0 (server): any free port. */
  port?: number;
  /** Before each keyboard read, say it is our turn (for a terminal). */
  prompt?: boolean;
  /** The longest line accepted or sent. Default 64 KiB. */
  maxLine?: number;
  /** Where the conversation is written. */
  log?: Log;
}

/** lib/serve.ts's `Server`, plus `ending`: how its one chat ended (rejects if it broke). */
export type TurnServer = Server & { readonly ending: Promise<ChatEnding> };

// ── The command line ────────────────────────────────────────────────────────

function int(value: number, max: number, help: string) {
  return { type: "int" as const, default: value, min: 1, max, help } satisfies Flag;
}
const MAX_LINE = int(DEFAULT_MAX_LINE, 16 * 1024 * 1024, "longest line in bytes");
const keyboard = () => ({ input: keyboardLines(), prompt: true });

/** `deno task 07 [turn-server | turn-client | server | client NAME]`: see `--help`. */
export const cli: LessonCli = {
  id: "07",
  title: "Chat: turn-based (the tutorial's), then full duplex (many people, one relay)",
  defaultPort: CHAT_PORT,
  demo,
  commands: {
    "turn-server": command({
      summary: "the tutorial's server: one client, take turns; esc leaves",
      flags: { "max-line": MAX_LINE },
      run: (ctx) => startTurnServer({ ...ctx, maxLine: ctx.flags["max-line"], ...keyboard() }),
    }),
    "turn-client": command({
      summary: "the tutorial's client: speak first, then take turns",
      refusedHint: "start the server first: deno task 07 turn-server",
      flags: { "max-line": MAX_LINE },
      run: async (ctx) => {
        await runTurnClient({ ...ctx, maxLine: ctx.flags["max-line"], ...keyboard() });
      },
    }),
    server: command({
      summary: "the relay: everyone hears everyone; until Ctrl+C",
      flags: {
        "max-line": MAX_LINE,
        "max-members": int(DEFAULT_MAX_MEMBERS, 10_000, "how many people at once"),
        "max-pending": int(DEFAULT_MAX_PENDING, 1 << 30, "bytes that may wait for one slow member"),
      },
      limits: { refusal: '"* the server is full: try again later" and a close' },
      run: ({ flags, limits, ...ctx }) =>
        startChatServer({
          ...ctx,
          ...limits,
          maxLine: flags["max-line"],
          maxMembers: flags["max-members"],
          maxPending: flags["max-pending"],
        }),
    }),
    client: command({
      summary: "join as NAME; type any time; /quit or Ctrl+D leaves",
      args: "NAME",
      flags: { "max-line": MAX_LINE },
      run: async ({ args: [name, ...extra], flags, ...ctx }) => {
        if (name === undefined) throw new UsageError("client needs a name: client alice");
        if (extra.length > 0) throw new UsageError(`client takes one name, got "${extra[0]}" too`);
        await runChatClient({ ...ctx, name, maxLine: flags["max-line"], input: keyboardLines() });
      },
    }),
  },
  epilogue: "With nc: nc 127.0.0.1 9999, then a name, then lines (/quit leaves).",
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
