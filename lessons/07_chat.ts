/**
 * # 07 · Chat: turn by turn, then both ways at once
 *
 * Seed 004's example 3 (and seed 001's chat) is turn-based. Each side loops
 * over `input()` then `recv()`: while it waits for the keyboard it cannot
 * hear the socket, and while it waits for the socket it cannot type. So the
 * two take turns, and typing `esc` ends it. That is the first half of this
 * lesson, with one fix: messages are lines (lesson 05's delimiter codec),
 * not whatever one `recv(1024)` returns.
 *
 * The second half is the full-duplex chat: a TCP connection carries bytes
 * both ways at once, so a client runs two loops over one connection at the
 * same time, keyboard → socket and socket → screen, and either side can
 * speak whenever it likes. Several clients join one server, which relays
 * each line to the others with the sender's name.
 *
 * The relay protocol, in UTF-8 lines ending with `\n` (at most 64 KiB):
 *
 *     client → server   its name (first line), then one line per message
 *     server → client   * welcome, NAME! here: A, B      (to the newcomer)
 *                       * NAME joined                    (to the others)
 *                       NAME: TEXT                       (a message, to the others)
 *                       * NAME left                      (to everyone, the leaver included)
 *                       * server left                    (the server is closing)
 *
 * A client leaves with `/quit` or Ctrl+D: it shuts down its sending side
 * (Python's `s.shutdown(SHUT_WR)`), the server answers `* NAME left` and
 * hangs up. (A line `/quit` also works, for `nc`.)
 *
 * Run the narrated demo:            deno task 07
 * The tutorial's turn-based chat, two terminals:
 *   deno task 07 turn-server        deno task 07 turn-client
 * The full-duplex chat, three or more terminals:
 *   deno task 07 server             deno task 07 client alice      deno task 07 client bob
 *   (or: nc 127.0.0.1 9999, then type a name)
 *
 * @module
 */

import { describeAddr, formatAddr, LOOPBACK, netAddr } from "../lib/addr.ts";
import {
  helpRequested,
  intFlag,
  parseFlags,
  portFlag,
  runMain,
  serveUntilCtrlC,
} from "../lib/cli.ts";
import { isClosedError, isPeerGoneError, LessonError, UsageError } from "../lib/errors.ts";
import { DEFAULT_MAX_LINE, encodeLine, readLines } from "../lib/framing.ts";
import { writeAll } from "../lib/io.ts";
import { keyboardLines, scriptedKeyboard } from "../lib/keyboard.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { closeQuietly, type RunningServer, serveTcp } from "../lib/server.ts";
import {
  LIMIT_FLAGS,
  limitsFromFlags,
  limitsUsage,
  refuseWith,
  type ServerLimitOptions,
} from "../lib/limits.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";

/** The port of the TCP lessons (seed 004's example uses 8888; `--port 8888` works too). */
export const DEFAULT_PORT = 9999;

/** The tutorial's word for "I am leaving" in the turn-based chat. */
export const ESC = "esc";

/** What a full-duplex client types to leave (Ctrl+D does the same). */
export const QUIT = "/quit";

/** The longest name: names are short labels in front of every message. */
export const MAX_NAME_LENGTH = 32;

/** How many people one chat server takes unless told (`--max-members`). */
export const DEFAULT_MAX_MEMBERS = 100;

/**
 * How many bytes may wait to be sent to one member (`--max-pending`). A
 * client that stops reading must not make the server hold every message
 * for it forever: past this, the server hangs up on it.
 */
export const DEFAULT_MAX_PENDING = 1024 * 1024;

/** `NAME: ` in front of a relayed line makes it this much longer than the line typed. */
const RELAY_OVERHEAD = MAX_NAME_LENGTH + 2;

/**
 * The server's own lines need no length check: they are a member's line
 * (already within `maxLine`) with a name in front, or a short notice.
 */
const UNCHECKED = { maxLine: Number.MAX_SAFE_INTEGER };

// ── Part 1: the tutorial's turn-based chat ──────────────────────────────────

/** How a chat ended, from one side's point of view. */
export interface ChatEnding {
  /** Who left: this side (`me`) or the other one (`peer`). */
  left: "me" | "peer";
  /** `esc` typed, end of input (Ctrl+D), or the connection closed without a word. */
  how: "esc" | "end of input" | "connection closed";
}

/** Options shared by both sides of the turn-based chat. */
export interface TurnOptions {
  /** The keyboard: one string per line typed. */
  input: ReadableStream<string>;
  /** Before each keyboard read, say it is our turn (for a terminal). */
  prompt?: boolean;
  /** The longest line accepted or sent. Default 64 KiB. */
  maxLine?: number;
  /** Where the conversation is written. */
  log?: Log;
}

/** Options for {@linkcode startTurnServer}. */
export interface TurnServerOptions extends TurnOptions {
  /** Address to bind. Default 127.0.0.1 (the tutorial binds `gethostname()`). */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
}

/** The turn-based server: one client, one conversation. */
export interface TurnServer extends RunningServer, AsyncDisposable {
  /** How the conversation ended; rejects if it broke. */
  readonly ending: Promise<ChatEnding>;
}

/**
 * Seed 004's `server3.py`: accept one client, then take turns with it,
 * hearing first. `finished` resolves when the conversation is over; the
 * server does not accept a second client (neither does the tutorial's).
 */
export function startTurnServer(options: TurnServerOptions): TurnServer {
  const log = options.log ?? silent;
  // Python: s.bind((socket.gethostname(), 8888)); s.listen(5)
  const listener = listenTcp({ host: options.host, port: options.port ?? DEFAULT_PORT });
  const addr = netAddr(listener.addr);
  log(`Waiting for one client on ${formatAddr(addr)}...`);
  let conn: Deno.TcpConn | undefined;
  let closing = false;

  const ending = (async (): Promise<ChatEnding> => {
    try {
      // Python: c, a = s.accept(). One client; the listener is done after it.
      conn = await listener.accept();
    } catch (err) {
      if (closing && isClosedError(err)) return { left: "me", how: "end of input" };
      throw err;
    } finally {
      closeQuietly(listener);
    }
    try {
      log(`Client ${describeAddr(conn.remoteAddr)} connected. Type ${ESC} to leave.`);
      return await takeTurns(conn, "server", options);
    } catch (err) {
      // close() (Ctrl+C) in the middle of the conversation: we are the ones leaving.
      if (closing && isClosedError(err)) return { left: "me", how: "end of input" };
      throw err;
    } finally {
      closeQuietly(conn);
    }
  })();
  const finished = ending.then(() => {}, () => {});

  return {
    addr,
    ending,
    finished,
    async close() {
      closing = true;
      closeQuietly(listener);
      if (conn) closeQuietly(conn);
      await finished;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

/** Options for {@linkcode runTurnClient}. */
export interface TurnClientOptions extends TurnOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
}

/** Seed 004's `client3.py`: connect, then take turns, speaking first. */
export async function runTurnClient(options: TurnClientOptions): Promise<ChatEnding> {
  const log = options.log ?? silent;
  // Python: s = socket.socket(); s.connect((socket.gethostname(), 8888))
  using conn = await connectTcp({
    host: options.host,
    port: options.port ?? DEFAULT_PORT,
    hint: "start the server first: deno task 07 turn-server",
  });
  log(`Connected to the server. Type ${ESC} to leave.`);
  return await takeTurns(conn, "client", options);
}

/**
 * The tutorial's loop, one line at a time: speak, then hear, then speak...
 * Only one of the two reads is ever waiting, so a line typed out of turn
 * waits on the keyboard, and a line that arrives out of turn waits in the
 * socket. The client speaks first.
 */
async function takeTurns(
  conn: Deno.Conn,
  me: "server" | "client",
  options: TurnOptions,
): Promise<ChatEnding> {
  const log = options.log ?? silent;
  const them = me === "server" ? "client" : "server";
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const socket = readLines(conn, { maxLine, stripCr: true }).getReader();
  const keyboard = options.input.getReader();
  try {
    for (let myTurn = me === "client";; myTurn = !myTurn) {
      if (myTurn) {
        // Python: send_data = input('客户端说:'). Meanwhile nobody reads the socket.
        if (options.prompt) log(`(your turn: type a line, or ${ESC} to leave)`);
        const { value, done } = await keyboard.read();
        const text = done ? ESC : value; // Ctrl+D counts as esc
        // Python: s.send(send_data.encode()), as one line
        await writeAll(conn, encodeLine(text, { maxLine }));
        if (text === ESC) {
          log(`You left the chat (${done ? "end of input" : ESC}).`);
          return { left: "me", how: done ? "end of input" : "esc" };
        }
        log(`${me} says: ${text}`);
      } else {
        // Python: d = s.recv(1024).decode(). Meanwhile nobody reads the keyboard.
        const { value, done } = await socket.read();
        if (done) {
          log(`The ${them} left the chat (the connection closed).`);
          return { left: "peer", how: "connection closed" };
        }
        if (value === ESC) {
          log(`The ${them} left the chat (${ESC}).`);
          return { left: "peer", how: "esc" };
        }
        log(`${them} says: ${value}`);
      }
    }
  } finally {
    keyboard.releaseLock();
    socket.releaseLock();
  }
}

// ── Part 2: the full-duplex chat, many people, one relay server ─────────────

/**
 * Why a name is refused, or `undefined` if it is fine: 1 to 32 letters,
 * digits, `_`, `-` or `.`, and not `server` (the server's own name in
 * notices).
 *
 * @example
 * ```ts
 * import { nameProblem } from "./07_chat.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nameProblem("alice"), undefined);
 * assert.equal(nameProblem("张三"), undefined);
 * assert.equal(nameProblem("a b"), 'invalid name "a b": use 1 to 32 letters, digits, _ - or .');
 * ```
 */
export function nameProblem(name: string): string | undefined {
  if (!/^[\p{L}\p{N}_.-]{1,32}$/u.test(name)) {
    const shown = withoutControls(name.length > 40 ? `${name.slice(0, 40)}...` : name);
    return `invalid name "${shown}": use 1 to ${MAX_NAME_LENGTH} letters, digits, _ - or .`;
  }
  if (name === "server") return `the name "server" is reserved`;
  return undefined;
}

/**
 * `text` with every control character replaced by `�`. A line goes to other
 * people's terminals and to the server's log: an escape sequence in it
 * (`\x1b[2J` clears the screen) would be obeyed, not shown.
 *
 * @example
 * ```ts
 * import { withoutControls } from "./07_chat.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(withoutControls("hi\x1b[2J\0 there\tyou"), "hi�[2J� there\tyou");
 * ```
 */
export function withoutControls(text: string): string {
  // C0 controls but tab, DEL, and the C1 controls (U+0080–U+009F).
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, "\ufffd");
}

/** Options for {@linkcode startChatServer}. Connection limits: see `lib/limits.ts`. */
export interface ChatServerOptions extends ServerLimitOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** The longest line a member may send. Default 64 KiB. */
  maxLine?: number;
  /** How many people may be in the chat at once. Default 100. */
  maxMembers?: number;
  /** How many bytes may wait to be sent to one member. Default 1 MiB. */
  maxPending?: number;
  /** Where the server narrates. */
  log?: Log;
}

/** A running chat server. */
export interface ChatServer extends RunningServer, AsyncDisposable {
  /** The names in the chat now, in the order they joined. */
  readonly members: string[];
  /**
   * Tells everyone `* server left`, shuts down the sending side of every
   * connection, gives the clients up to `graceMs` (default 1000) to hang up,
   * closes what is left, and resolves when every handler has finished.
   */
  close(graceMs?: number): Promise<void>;
}

/** One person in the chat, as the server sees them. */
interface Member {
  readonly name: string;
  /** Queues one line for this member; never waits. */
  send(line: string): void;
  /** Waits until everything queued is sent, then shuts down our sending side. */
  hangUp(): Promise<void>;
}

/**
 * The relay server: each connection is one member; every line a member
 * sends goes to all the others as `NAME: TEXT`. One coroutine per member
 * reads its lines; writes to a member go through that member's own queue, so
 * a slow reader delays only itself.
 *
 * @example Two members; bob hears alice
 * ```ts
 * import { runChatClient, startChatServer } from "./07_chat.ts";
 * import { scriptedKeyboard } from "../lib/keyboard.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startChatServer({ port: 0 });
 * const port = server.addr.port;
 * const bob = scriptedKeyboard();
 * const bobJoined = Promise.withResolvers<void>();
 * const bobChat = runChatClient({
 *   port,
 *   name: "bob",
 *   input: bob.lines,
 *   onLine: (line) => line.startsWith("* welcome") && bobJoined.resolve(),
 * });
 * await bobJoined.promise;
 * const alice = scriptedKeyboard(["hi bob"]);
 * alice.end(); // Ctrl+D right after one line
 * await runChatClient({ port, name: "alice", input: alice.lines });
 * bob.end();
 * const { received } = await bobChat;
 * assert.deepEqual(received, [
 *   "* welcome, bob! nobody else is here yet",
 *   "* alice joined",
 *   "alice: hi bob",
 *   "* alice left",
 *   "* bob left",
 * ]);
 * ```
 */
export function startChatServer(options: ChatServerOptions = {}): ChatServer {
  const log = options.log ?? silent;
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const maxMembers = options.maxMembers ?? DEFAULT_MAX_MEMBERS;
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const members = new Map<string, Member>();
  let closing = false;

  /** Sends `line` to every member except `except`. */
  function broadcast(line: string, except?: string): void {
    for (const member of members.values()) if (member.name !== except) member.send(line);
  }

  // One member's life: name, join, relay each line, leave.
  async function serveMember(conn: Deno.TcpConn): Promise<void> {
    const peer = describeAddr(conn.remoteAddr);
    const lines = readLines(conn, { maxLine, stripCr: true }).getReader();
    // The first line is the name.
    let first: ReadableStreamReadResult<string>;
    try {
      first = await lines.read();
    } catch (err) {
      // Garbage before any name (a line over the limit, bad UTF-8): say why, hang up.
      if (!(err instanceof LessonError)) throw err;
      return await refuse(conn, peer, err.message);
    }
    if (first.done) return; // connected and left without a word
    const name = first.value.trim();
    const problem = nameProblem(name) ??
      (members.has(name) ? `the name "${name}" is taken: choose another` : undefined) ??
      (members.size >= maxMembers ? `the chat is full (${maxMembers} people)` : undefined);
    if (problem !== undefined) return await refuse(conn, peer, problem);

    const member = createMember(name, conn, () => {
      log(`${name} is not reading: more than ${maxPending} bytes wait for them; hanging up.`);
      closeQuietly(conn);
    });
    const others = [...members.keys()];
    members.set(name, member);
    log(`${name} joined from ${peer}.`);
    member.send(
      `* welcome, ${name}! ${
        others.length > 0 ? `here: ${others.join(", ")}` : "nobody else is here yet"
      }`,
    );
    broadcast(`* ${name} joined`, name);

    let why = "";
    try {
      // Python (each client's thread): while True: data = conn.recv(1024) ...
      while (true) {
        const { value, done } = await lines.read();
        if (done || value === QUIT) break; // Ctrl+D (a FIN) or /quit
        if (value.trim() === "") continue;
        const text = withoutControls(value);
        log(`${name}: ${text}`);
        broadcast(`${name}: ${text}`, name);
      }
    } catch (err) {
      if (closing && isClosedError(err)) return;
      if (!(err instanceof LessonError || isPeerGoneError(err) || isClosedError(err))) throw err;
      why = ` (${err instanceof LessonError ? err.message : "connection lost"})`;
    } finally {
      members.delete(name);
    }
    if (closing) return;
    // Everyone hears who left, the leaver included; then we hang up on them.
    log(`${name} left${why}.`);
    broadcast(`* ${name} left${why}`);
    member.send(`* ${name} left${why}`);
    await member.hangUp();
  }

  /** One line saying why, then the handler returns and the connection closes. */
  async function refuse(conn: Deno.TcpConn, peer: string, problem: string): Promise<void> {
    log(`${peer} refused: ${problem}`);
    await writeAll(conn, encodeLine(`* ${problem}`, UNCHECKED));
  }

  // The same accept loop as every TCP lesson: a coroutine per connection.
  const server = serveTcp(
    listenTcp({ host: options.host, port: options.port ?? DEFAULT_PORT }),
    serveMember,
    {
      log,
      maxConnections: options.maxConnections,
      idleTimeoutMs: options.idleTimeoutMs,
      refuse: refuseWith(encodeLine("* the server is full: try again later", UNCHECKED)),
      // No endReadsOnClose: closing, the server says "* server left" first.
    },
  );
  log(`Chat server on ${formatAddr(server.addr)}. Members type /quit or Ctrl+D to leave.`);

  // A member's outgoing queue: lines in order, at most maxPending bytes waiting.
  function createMember(name: string, conn: Deno.TcpConn, onTooSlow: () => void): Member {
    let queue = Promise.resolve();
    let pending = 0;
    let open = true;
    return {
      name,
      send(line) {
        if (!open) return;
        const bytes = encodeLine(line, UNCHECKED);
        pending += bytes.length;
        if (pending > maxPending) {
          open = false;
          return onTooSlow();
        }
        // Python: conn.sendall(line). Chained: this member's lines stay in order.
        queue = queue.then(() => writeAll(conn, bytes)).then(
          () => void (pending -= bytes.length),
          () => void (open = false), // gone: its read loop will notice
        );
      },
      async hangUp() {
        open = false;
        await queue;
        try {
          // Python: conn.shutdown(socket.SHUT_WR): a FIN after the last line.
          await conn.closeWrite();
        } catch {
          // already closed: nothing to shut down
        }
      },
    };
  }

  let closed: Promise<void> | undefined;
  async function shutdown(graceMs: number): Promise<void> {
    closing = true;
    log("Closing: telling everyone.");
    for (const member of members.values()) {
      member.send("* server left");
      member.hangUp(); // the clients see the line, then end of stream, and hang up
    }
    await server.close(graceMs);
  }

  return {
    addr: server.addr,
    get members() {
      return [...members.keys()];
    },
    finished: server.finished,
    close(graceMs = 1000) {
      closed ??= shutdown(graceMs);
      return closed;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

/** Options for {@linkcode runChatClient}. */
export interface ChatClientOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
  /** The name others see in front of our lines. */
  name: string;
  /** The keyboard: one string per line typed; `/quit` or its end leaves. */
  input: ReadableStream<string>;
  /** The longest line we may send. Default 64 KiB. */
  maxLine?: number;
  /** Also log our own lines as `NAME (you): TEXT` (a terminal shows them as typed). */
  echo?: boolean;
  /** Where received lines are written. */
  log?: Log;
  /** Called with each line received, as it arrives. */
  onLine?: (line: string) => void;
}

/** What a chat client saw. */
export interface ChatClientResult {
  /** Every line received, in order. */
  received: string[];
  /** Who ended it: we did (`/quit`, Ctrl+D) or the server did. */
  left: "me" | "server";
}

/**
 * A full-duplex chat client: sends its name, then runs two loops over the
 * one connection at the same time, keyboard → socket and socket → screen.
 * Resolves when the chat is over for us: after we left and the server said
 * so and hung up, or after the server hung up (then the keyboard is no
 * longer read).
 */
export async function runChatClient(options: ChatClientOptions): Promise<ChatClientResult> {
  const log = options.log ?? silent;
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const problem = nameProblem(options.name);
  if (problem !== undefined) throw new UsageError(problem);
  // Python: s = socket.socket(); s.connect(('127.0.0.1', 9999))
  using conn = await connectTcp({
    host: options.host,
    port: options.port ?? DEFAULT_PORT,
    hint: "start the server first: deno task 07 server",
  });
  await writeAll(conn, encodeLine(options.name));

  const received: string[] = [];
  const keyboard = options.input.getReader();
  // What we accept from the server: a line as long as ours could be, plus a
  // name in front (at least the default 64 KiB, whatever our own --max-line).
  const readLimit = Math.max(maxLine, DEFAULT_MAX_LINE) + RELAY_OVERHEAD;
  const socket = readLines(conn, { maxLine: readLimit, stripCr: true }).getReader();
  // The two loops. Neither waits for the other: each `await` hands the
  // thread back to the event loop, which wakes whichever has input first.
  const hearing = hear(socket, received, log, options.onLine);
  const speaking = speak(conn, keyboard, options.name, maxLine, options.echo ? log : silent);
  try {
    const first = await Promise.race([
      hearing.then(() => "server" as const),
      speaking.then(() => "me" as const),
    ]);
    if (first === "me") {
      // We are done talking. Python: s.shutdown(socket.SHUT_WR) sends a FIN;
      // we keep listening until the server has said who left and hung up.
      await conn.closeWrite().catch(() => {}); // (already gone: hearing ends too)
      await hearing;
    } else {
      // The server hung up: stop reading the keyboard too.
      await keyboard.cancel();
      await speaking;
    }
    return { received, left: first };
  } finally {
    // Whatever happened, both loops end before the connection closes.
    hearing.catch(() => {});
    speaking.catch(() => {});
    await keyboard.cancel().catch(() => {});
  }
}

/** Socket → screen, until the server hangs up. */
async function hear(
  socket: ReadableStreamDefaultReader<string>,
  received: string[],
  log: Log,
  onLine?: (line: string) => void,
): Promise<void> {
  while (true) {
    let next: ReadableStreamReadResult<string>;
    try {
      next = await socket.read();
    } catch (err) {
      if (!isPeerGoneError(err)) throw err;
      return log("* the connection was lost");
    }
    if (next.done) {
      if (!/^\* \S+ left/.test(received.at(-1) ?? "")) log("* the server hung up");
      return;
    }
    received.push(next.value);
    log(next.value);
    onLine?.(next.value);
  }
}

/** Keyboard → socket, until `/quit` or the end of input. */
async function speak(
  conn: Deno.Conn,
  keyboard: ReadableStreamDefaultReader<string>,
  name: string,
  maxLine: number,
  echo: Log,
): Promise<void> {
  while (true) {
    const { value, done } = await keyboard.read();
    if (done || value === QUIT) return;
    // The tutorial: if len(mag) == 0: print('请输入有效信息'); continue
    if (value.trim() === "") continue;
    let line: Uint8Array;
    try {
      line = encodeLine(value, { maxLine });
    } catch (err) {
      if (!(err instanceof LessonError)) throw err;
      echo(`* not sent: ${err.message}`);
      continue;
    }
    try {
      // Python: s.send(mag.encode('utf-8')), without waiting for any reply.
      await writeAll(conn, line);
    } catch (err) {
      if (isPeerGoneError(err)) return; // the server is gone: hearing says so
      throw err;
    }
    echo(`${name} (you): ${value}`);
  }
}

// ── The demo ────────────────────────────────────────────────────────────────

/** A log whose lines a script can wait for: "when you see X, type Y". */
function watched(
  log: Log,
): { log: Log; seen(pattern: RegExp): Promise<void>; end(why: Error): void } {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void; reject: (why: Error) => void }[] = [];
  let ended: Error | undefined;
  return {
    log(line) {
      lines.push(line);
      log(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    seen(pattern) {
      if (lines.some((line) => pattern.test(line))) return Promise.resolve();
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
    // The chat is over: no more lines will come. A chat that ends early (a
    // bug, or a TODO left in the exercise) fails the demo instead of leaving
    // it waiting forever.
    end(why) {
      ended = why;
      for (const waiter of waiters.splice(0)) waiter.reject(why);
    },
  };
}

/**
 * The narrated demo: the tutorial's turn-based chat, then three people in
 * the full-duplex chat, with keyboards typed by the script.
 */
export async function demo(log: Log): Promise<void> {
  // Step 1: the tutorial's chat. Both keyboards are typed in advance, but
  // each line still waits its turn: hear, then speak, then hear...
  log("Turn-based (seed 004, example 3): each side waits for the other.");
  {
    await using server = startTurnServer({
      port: 0,
      input: scriptedKeyboard(["hello!", "fine, thanks"]).lines,
      log: prefixed(log, "server"),
    });
    await runTurnClient({
      port: server.addr.port,
      input: scriptedKeyboard(["hi", "how are you?", "esc"]).lines,
      log: prefixed(log, "client"),
    });
    await server.ending;
  }

  // Step 2: the full-duplex chat. Each client reads its keyboard and its
  // socket at the same time, so nobody waits for a turn.
  log("");
  log("Full duplex: three clients, one relay server; anyone speaks at any time.");
  const server = startChatServer({ port: 0, log: prefixed(log, "server") });
  const { port } = server.addr;
  const join = (name: string) => {
    const keyboard = scriptedKeyboard();
    const screen = watched(prefixed(log, name));
    const chat = runChatClient({ port, name, input: keyboard.lines, echo: true, log: screen.log });
    chat.then(
      () => screen.end(new Error(`${name}'s chat ended before the line the demo waits for`)),
      (err) => screen.end(err instanceof Error ? err : new Error(String(err))),
    );
    return { keyboard, screen, chat };
  };
  try {
    const alice = join("alice");
    await alice.screen.seen(/^\* welcome/);
    const bob = join("bob");
    await alice.screen.seen(/\* bob joined/);

    alice.keyboard.type("hi bob");
    await bob.screen.seen(/alice: hi bob/);
    // Two lines in a row: with turns, the second would wait for alice's answer.
    bob.keyboard.type("hi alice");
    bob.keyboard.type("two lines in a row: no turns here");
    await alice.screen.seen(/bob: two lines in a row/);

    const carol = join("carol");
    await bob.screen.seen(/\* carol joined/);
    carol.keyboard.type("hello, both of you");
    await alice.screen.seen(/carol: hello/);
    await bob.screen.seen(/carol: hello/);

    // Leaving: /quit, Ctrl+D, and the server closing.
    alice.keyboard.type("/quit");
    await alice.chat;
    await bob.screen.seen(/\* alice left/);
    bob.keyboard.end(); // Ctrl+D
    await bob.chat;
    await carol.screen.seen(/\* bob left/);
    await server.close();
    await carol.chat;
  } finally {
    await server.close();
  }
}

const USAGE = `Lesson 07: chat, turn-based (the tutorial's) and full duplex (many people, one relay)

Usage:
  deno task 07                          narrated demo, with scripted keyboards
  deno task 07 turn-server [options]    the tutorial's server: one client, take turns; esc leaves
  deno task 07 turn-client [options]    the tutorial's client: speak first, then take turns
  deno task 07 server [options]         the relay: everyone hears everyone; until Ctrl+C
  deno task 07 client NAME [options]    join as NAME; type any time; /quit or Ctrl+D leaves

Options:
  --host H            address to bind or connect to (default ${LOOPBACK})
  --port P            port (default ${DEFAULT_PORT})
  --max-line N        longest line in bytes (default ${DEFAULT_MAX_LINE})
  --max-members N     server: how many people at once (default ${DEFAULT_MAX_MEMBERS})
  --max-pending N     server: bytes that may wait for one slow member (default ${DEFAULT_MAX_PENDING})
  -h, --help          show this help

${limitsUsage('"* the server is full: try again later" and a close')}`;

/** The command line: the demo, `turn-server`, `turn-client`, `server` or `client`. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    "max-line": { type: "string" },
    "max-members": { type: "string" },
    "max-pending": { type: "string" },
    ...LIMIT_FLAGS,
  });
  const [command, ...rest] = positionals;
  const host = values.host ?? LOOPBACK;
  const port = portFlag(values.port, DEFAULT_PORT);
  const maxLine = intFlag("--max-line", values["max-line"], DEFAULT_MAX_LINE, {
    min: 1,
    max: 16 * 1024 * 1024,
  });
  const log: Log = (line) => console.log(line);
  if (command !== "client" && rest.length > 0) {
    throw new UsageError(`${command ?? "the demo"} takes no arguments, got "${rest[0]}"`);
  }

  if (command === undefined) return await demo(log);
  if (command === "turn-server") {
    const input = keyboardLines();
    const server = startTurnServer({ host, port, maxLine, input, prompt: true, log });
    try {
      await serveUntilCtrlC(server, log);
      await server.ending; // a broken conversation is an error, not a quiet exit
    } finally {
      await input.cancel(); // stop waiting for a line nobody will read
    }
    return;
  }
  if (command === "turn-client") {
    const input = keyboardLines();
    try {
      await runTurnClient({ host, port, maxLine, input, prompt: true, log });
    } finally {
      await input.cancel(); // stop waiting for a line nobody will read
    }
    return;
  }
  if (command === "server") {
    const { graceMs, ...limits } = limitsFromFlags(values);
    const server = startChatServer({
      ...limits,
      host,
      port,
      maxLine,
      maxMembers: intFlag("--max-members", values["max-members"], DEFAULT_MAX_MEMBERS, {
        min: 1,
        max: 10_000,
      }),
      maxPending: intFlag("--max-pending", values["max-pending"], DEFAULT_MAX_PENDING, {
        min: 1,
        max: 1024 * 1024 * 1024,
      }),
      log,
    });
    return await serveUntilCtrlC(server, log, { graceMs });
  }
  if (command === "client") {
    const [name, ...extra] = rest;
    if (name === undefined) throw new UsageError("client needs a name: deno task 07 client alice");
    if (extra.length > 0) throw new UsageError(`client takes one name, got "${extra[0]}" too`);
    await runChatClient({ host, port, name, maxLine, input: keyboardLines(), log });
    return;
  }
  throw new UsageError(
    `unknown command "${command}": expected turn-server, turn-client, server or client`,
  );
}

if (import.meta.main) await runMain(() => main(Deno.args));
