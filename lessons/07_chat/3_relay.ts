/**
 * # 07 · Step 3: the relay, one server for many people
 *
 * Step 2's client talks to a server that reads every member's lines at once
 * (one loop per connection, as lesson 03 served many clients) and writes
 * each line to all the others, with the sender's name in front. The
 * protocol, in UTF-8 lines ending with `\n` (at most 64 KiB):
 *
 *     client → server   its name (first line), then one line per message; /quit leaves
 *     server → client   * welcome, NAME! here: A, B      (to the newcomer)
 *                       * NAME joined                    (to the others)
 *                       NAME: TEXT                       (a message, to the others)
 *                       * NAME left                      (to everyone, the leaver included)
 *                       * server left                    (the server is closing)
 *                       * WHY                            (a refusal, then the server hangs up)
 *
 * @module
 */

import { describeAddr } from "../../lib/addr.ts";
import { isClosedError, isPeerGoneError, LessonError, UsageError } from "../../lib/errors.ts";
import { writeAll } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine } from "../../lib/lines.ts";
import { type Log, silent } from "../../lib/log.ts";
import { refuseWith } from "../../lib/limits.ts";
import { closeQuietly, serve, type Server } from "../../lib/serve.ts";
import { traced } from "../../lib/trace.ts";
import { CHAT_PORT, linesFrom } from "../07_chat.ts";
import { type BothWaysOptions, type BothWaysResult, QUIT, talkBothWays } from "./2_full_duplex.ts";
import {
  DEFAULT_MAX_MEMBERS,
  DEFAULT_MAX_PENDING,
  type Outbox,
  outbox,
  UNCHECKED,
} from "./4_backpressure.ts";
import { MAX_NAME_LENGTH, nameProblem, withoutControls } from "./5_control_characters.ts";

/**
 * The relay server. Each connection is one member; every line a member
 * sends goes to all the others as `NAME: TEXT`. Its `close(graceMs)` says
 * `* server left` to everyone first and gives them `graceMs` (default 1 s)
 * to hang up.
 *
 * @example Two members; bob hears alice
 * ```ts
 * import { runChatClient, startChatServer } from "./3_relay.ts";
 * import { scriptedKeyboard } from "./keyboard.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startChatServer({ port: 0 });
 * const port = server.addr.port;
 * const bob = scriptedKeyboard();
 * const bobJoined = Promise.withResolvers<void>();
 * const onLine = (line: string) => line.startsWith("* welcome") && bobJoined.resolve();
 * const bobChat = runChatClient({ port, name: "bob", input: bob.lines, onLine });
 * await bobJoined.promise;
 * const alice = scriptedKeyboard(["hi bob"]);
 * alice.end(); // Ctrl+D right after one line
 * await runChatClient({ port, name: "alice", input: alice.lines });
 * bob.end();
 * assert.deepEqual((await bobChat).received, [
 *   "* welcome, bob! nobody else is here yet",
 *   "* alice joined",
 *   "alice: hi bob",
 *   "* alice left",
 *   "* bob left",
 * ]);
 * ```
 */
export function startChatServer(options: ChatServerOptions = {}): ChatServer {
  const { host = "127.0.0.1", port = CHAT_PORT, log = silent, maxLine = DEFAULT_MAX_LINE } =
    options;
  const { maxMembers = DEFAULT_MAX_MEMBERS, maxPending = DEFAULT_MAX_PENDING } = options;
  const { clean = withoutControls } = options;
  const members = new Map<string, Outbox>(); // by name, in the order they joined
  let closing = false;

  /** Sends `line` to every member except `except`. Never waits: see step 4. */
  function broadcast(line: string, except?: string): void {
    for (const [name, member] of members) if (name !== except) member.send(line);
  }

  // One member's life: name, join, relay each line, leave.
  async function serveMember(conn: Deno.TcpConn): Promise<void> {
    const peer = describeAddr(conn.remoteAddr);
    // Python: conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1).
    // Lets the kernel notice a member whose machine died: step 4 says when.
    conn.setKeepAlive(true);
    const lines = linesFrom(conn, maxLine);
    let first: IteratorResult<string, void>;
    try {
      first = await lines.next(); // the name
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

    const member = outbox(conn, maxPending, () => {
      log(`${name} is not reading: more than ${maxPending} bytes wait for them; hanging up.`);
      closeQuietly(conn);
    });
    const here = [...members.keys()];
    members.set(name, member);
    log(`${name} joined from ${peer}.`);
    member.send(
      `* welcome, ${name}! ${here.length ? `here: ${here.join(", ")}` : "nobody else is here yet"}`,
    );
    broadcast(`* ${name} joined`, name);

    let why = "";
    try {
      // Python (a thread per member): while True: data = conn.recv(1024) ...
      for await (const line of lines) {
        if (line === QUIT) break; // or the end of stream: Ctrl+D sent a FIN
        if (line.trim() === "") continue;
        const text = clean(line); // step 5: no control characters on anyone's terminal
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
  async function refuse(conn: Deno.Conn, peer: string, problem: string): Promise<void> {
    log(`${peer} refused: ${problem}`);
    await writeAll(conn, encodeLine(`* ${problem}`, UNCHECKED));
  }

  // Python: s.bind(('127.0.0.1', 9999)); s.listen(); then lesson 03's accept loop.
  const listener = Deno.listen({ hostname: host, port });
  const server = serve(listener, serveMember, {
    log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    refuse: refuseWith(encodeLine("* the server is full: try again later")),
    // No endReadsOnClose: closing, the server says "* server left" first.
  });
  log(`Chat server on ${describeAddr(server.addr)}. Members type /quit or Ctrl+D to leave.`);

  let closed: Promise<void> | undefined;
  async function shutdown(graceMs: number): Promise<void> {
    closing = true;
    log("Closing: telling everyone.");
    for (const member of members.values()) {
      member.send("* server left");
      member.hangUp(); // they see the line, then end of stream, and hang up
    }
    await server.close(graceMs);
  }

  return {
    addr: server.addr,
    get connections() {
      return server.connections;
    },
    get members() {
      return [...members.keys()];
    },
    finished: server.finished,
    close: (graceMs = 1000) => closed ??= shutdown(graceMs),
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

/**
 * Step 2's two loops, as a member of the relay: connect, send our name,
 * then speak and hear at once until one side leaves.
 */
export async function runChatClient(options: ChatClientOptions): Promise<BothWaysResult> {
  const problem = nameProblem(options.name);
  if (problem !== undefined) throw new UsageError(problem);
  // Python: s = socket.socket(); s.connect(('127.0.0.1', 9999))
  const { host = "127.0.0.1", port = CHAT_PORT } = options;
  using conn = traced(await Deno.connect({ hostname: host, port }), "client");
  await writeAll(conn, encodeLine(options.name));
  // We accept a line as long as anyone may send, plus a name in front.
  const maxLineIn = Math.max(options.maxLine ?? DEFAULT_MAX_LINE, DEFAULT_MAX_LINE) +
    MAX_NAME_LENGTH + 2;
  return await talkBothWays(conn, { maxLineIn, ...options });
}

/** Options for {@linkcode startChatServer}. */
export interface ChatServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** The longest line a member may send. Default 64 KiB. */
  maxLine?: number;
  /** How many people may be in the chat at once. Default 100. */
  maxMembers?: number;
  /** How many bytes may wait to be sent to one member. Default 1 MiB (step 4). */
  maxPending?: number;
  /** At most this many connections at once (`lib/serve.ts`; default 1,000). */
  maxConnections?: number;
  /** Close a connection silent for this long (default 5 minutes; 0: never; step 4). */
  idleTimeoutMs?: number;
  /** Where the server narrates. */
  log?: Log;
  /** What a line becomes before it is relayed. Default `withoutControls` (step 5). */
  clean?: (line: string) => string;
}

/** The relay: lib/serve.ts's `Server`, plus who is in the chat. */
export interface ChatServer extends Server {
  /** The names in the chat now, in the order they joined. */
  readonly members: string[];
}

/** Options for {@linkcode runChatClient}: step 2's, plus where to connect. */
export interface ChatClientOptions extends Omit<BothWaysOptions, "maxLineIn"> {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
}
