/**
 * # 03 · TCP hello server: many clients, one thread
 *
 * Follows Liao Xuefeng's Python tutorial, "TCP编程" (also in 呆贝斯's
 * "Socket网络编程学习笔记"): a server that greets each client with
 * `Welcome!`, answers every name with `Hello, <name>!` and hangs up on
 * `exit`, and the client that sends it three names. Python starts a thread
 * per client so that one slow client cannot block the others; Deno serves
 * them all from one thread, because a read with nothing to return yet hands
 * the thread back to the event loop instead of blocking it. That thread is
 * quick but not always fair: with more than about 128 clients talking at
 * once, Deno 2.9 finishes at most 128 reads per turn of its event loop and
 * lets late ones be overtaken, so a few clients can wait a second or more
 * while the rest are answered within a millisecond (bench/fairness/FINDINGS.md).
 *
 * Run it:  deno task 03                    (the narrated demo)
 *          deno task 03 server             (then, in another terminal)
 *          deno task 03 client Alice Bob
 *
 * @module
 */

import { describeAddr } from "../lib/addr.ts";
import { command, type Flag, type LessonCli, runLesson } from "../lib/cli.ts";
import { LimitError, ProtocolError, UsageError } from "../lib/errors.ts";
import { HELLO_PORT, helloReply, TUTORIAL_NAMES } from "../lib/hello.ts";
import { writeAll } from "../lib/io.ts";
import { type Log, silent } from "../lib/log.ts";
import { traced } from "../lib/trace.ts";
import { demo } from "./03_tcp_hello/demo.ts";
import { BUSY, startHelloServer } from "./03_tcp_hello/limits.ts";

/** The greeting the server sends as soon as a client connects: 8 bytes. */
export const WELCOME = "Welcome!";

/** How many bytes one read asks for: the tutorial's `recv(1024)`. */
export const READ_SIZE = 1024;

const encoder = new TextEncoder();

// ── 1. The server ───────────────────────────────────────────────────────────

/** Python's `socket()`, `bind()` and `listen(5)`, in one call. */
export function listenLikeTheTutorial(port = HELLO_PORT): Deno.TcpListener {
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  //         s.bind(('127.0.0.1', 9999)); s.listen(5)
  return Deno.listen({ hostname: "127.0.0.1", port });
}

/**
 * The tutorial's accept loop: a handler per client. Once the listener is
 * closed, it waits for the conversations still open, then returns.
 */
export async function acceptLikeTheTutorial(
  listener: Deno.TcpListener,
  options: HelloOptions = {},
): Promise<void> {
  const open = new Set<Promise<void>>();
  // Python: while True: sock, addr = s.accept()
  for await (const conn of listener) {
    // Python: threading.Thread(target=tcplink, args=(sock, addr)).start()
    // We start the handler and do not await it: the loop is back in
    // accept() at once, and every client is served from this one thread.
    const client = traced(conn, "server"); // --trace: the one place it sees this connection
    const handler = handleHelloConnection(client, options)
      .catch((err) => options.log?.(`${describeAddr(conn.remoteAddr)} failed: ${err}`))
      .finally(() => (client.close(), open.delete(handler)));
    open.add(handler);
  }
  await Promise.all(open);
}

/** Options for {@linkcode handleHelloConnection} and {@linkcode startHelloServer}. */
export interface HelloOptions {
  /** Where the server narrates. */
  log?: Log;
  /** Wait this long after each read before answering: the tutorial's `time.sleep(1)`. */
  delayMs?: number;
  /** How to wait `delayMs`; tests pass one that shows the waits overlap. */
  sleep?: (ms: number) => Promise<void>;
}

/** The tutorial's `tcplink(sock, addr)`: serves one client until `exit` or end of stream. */
export async function handleHelloConnection(
  conn: Deno.Conn,
  options: HelloOptions = {},
): Promise<void> {
  const log = options.log ?? silent;
  const peer = describeAddr(conn.remoteAddr);
  log(`Accept new connection from ${peer}...`);

  // Python: sock.send(b'Welcome!'). write() copies bytes into the kernel's
  // send buffer and resolves to how many it took: maybe fewer than offered,
  // when that buffer is full (the demo shows it). 8 bytes always fit; for
  // anything longer we use writeAll, Python's sendall(): a loop of write()
  // calls, `while (bytes.length) bytes = bytes.subarray(await conn.write(bytes))`.
  await conn.write(encoder.encode(WELCOME));

  const buffer = new Uint8Array(READ_SIZE); // one buffer, refilled by every read
  // A character can be cut between two reads (张 is 3 bytes): `stream: true`
  // keeps the cut bytes for the next read instead of printing U+FFFD.
  const decoder = new TextDecoder();
  while (true) {
    // Python: data = sock.recv(1024). We get what has arrived, 1 to 1024
    // bytes, or null once the client has closed its side (Python's b'').
    // A client that resets the connection (RST) makes read() throw
    // Deno.errors.ConnectionReset, as Python raises ConnectionResetError.
    const n = await conn.read(buffer);

    // Python: time.sleep(1). Only this client waits; the others go on.
    if (options.delayMs) await (options.sleep ?? sleep)(options.delayMs);

    // Python: if not data or data.decode('utf-8') == 'exit': break
    if (n === null) break;
    const text = decoder.decode(buffer.subarray(0, n), { stream: true });
    if (text === "exit") break;

    // Python: sock.send(('Hello, %s!' % data.decode('utf-8')).encode('utf-8'))
    await writeAll(conn, encoder.encode(helloReply(text)));
  }
  // Python: sock.close(), done by whoever called us: the kernel sends FIN,
  // and the client's next read returns end of stream.
  log(`Connection from ${peer} closed.`);
}

/** Waits `ms` milliseconds without blocking anyone else. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ── 2. The client ───────────────────────────────────────────────────────────

/**
 * The tutorial's client: connect, read the greeting, send each name and wait
 * for its reply, send `exit`. Resolves to everything received, greeting first.
 *
 * @example
 * ```ts
 * import { runHelloClient, startHelloServer } from "./03_tcp_hello.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startHelloServer({ port: 0 });
 * const replies = await runHelloClient({ port: server.addr.port, names: ["Ada"] });
 * assert.deepEqual(replies, ["Welcome!", "Hello, Ada!"]);
 * ```
 */
export async function runHelloClient(
  options: { host?: string; port?: number; names?: readonly string[]; log?: Log } = {},
): Promise<string[]> {
  // Python: s = socket.socket(AF_INET, SOCK_STREAM); s.connect(('127.0.0.1', 9999))
  // Deno.connect resolves once the handshake (SYN, SYN-ACK, ACK) is done.
  using conn = traced(
    await Deno.connect({ hostname: options.host ?? "127.0.0.1", port: options.port ?? HELLO_PORT }),
    "client",
  );
  return await talkHello(conn, options.names ?? TUTORIAL_NAMES, options.log);
}

/**
 * The conversation over an open connection (TCP here, a Unix socket in
 * lesson 08). This protocol has no framing: it works only because the client
 * waits for each reply before sending the next name, and takes one read as
 * one reply. So a name whose reply would not fit one 1024-byte read is
 * refused here; lesson 05 puts boundaries on the wire instead.
 */
export async function talkHello(
  conn: Deno.Conn,
  names: readonly string[],
  log: Log = silent,
): Promise<string[]> {
  for (const name of names) checkName(name);
  const buffer = new Uint8Array(READ_SIZE);
  const decoder = new TextDecoder();
  async function receive(what: string): Promise<string> {
    // Python: s.recv(1024).decode('utf-8')
    const n = await conn.read(buffer);
    if (n === null) {
      throw new ProtocolError(
        `the server closed the connection before ${what}`,
        "was it stopped? is a hello server (lesson 03 or 08) listening there?",
      );
    }
    return decoder.decode(buffer.subarray(0, n));
  }

  const replies = [await receive("the greeting")];
  log(`← ${replies[0]}`);
  if (replies[0] === BUSY) throw new LimitError("the server is full", "try again later");
  for (const name of names) {
    // Python: s.send(data); print(s.recv(1024).decode('utf-8'))
    log(`→ ${name}`);
    await writeAll(conn, encoder.encode(name));
    replies.push(await receive(`the reply to ${name}`));
    log(`← ${replies.at(-1)}`);
  }
  // Python: s.send(b'exit'); s.close()
  log("→ exit");
  await writeAll(conn, encoder.encode("exit"));
  return replies;
}

/** A name the protocol can carry: not `exit`, not empty, its reply within one read. */
function checkName(name: string): void {
  if (name === "exit") throw new UsageError(`"exit" is not a name: it ends the conversation`);
  if (name === "") throw new UsageError("an empty name sends no bytes, so no reply would come");
  const bytes = encoder.encode(helloReply(name)).length;
  if (bytes > READ_SIZE) {
    throw new LimitError(
      `the reply to a ${
        bytes - 8
      }-byte name would be ${bytes} bytes, more than one ${READ_SIZE}-byte read`,
      "this protocol has no message boundaries; lesson 05 adds them",
    );
  }
}

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
//
// A connection limit, an idle timeout and a graceful close: the server the
// command line runs, in lessons/03_tcp_hello/limits.ts.

export { BUSY, type HelloServerOptions, startHelloServer } from "./03_tcp_hello/limits.ts";

// ── The command line ────────────────────────────────────────────────────────

/** `--delay-ms`: the tutorial's `time.sleep(1)` (lesson 08's server takes it too). */
export const DELAY_MS_FLAG = {
  type: "int",
  default: 0,
  min: 0,
  max: 60_000,
  help: "wait N ms after each read, like the tutorial's time.sleep(1)",
} as const satisfies Flag;

/** `deno task 03 [server | client]`: see `--help`. */
export const cli: LessonCli = {
  id: "03",
  title: "TCP hello server and client (the tutorial's threaded server, on async I/O)",
  defaultPort: HELLO_PORT,
  demo,
  commands: {
    server: command({
      summary: "serve until Ctrl+C",
      flags: { "delay-ms": DELAY_MS_FLAG },
      limits: { refusal: `a "Busy: ..." line and a close` },
      run: ({ host, port, flags, limits, log }) =>
        startHelloServer({ host, port, delayMs: flags["delay-ms"], log, ...limits }),
    }),
    client: command({
      summary: "greet the server with each NAME (default: Michael Tracy Sarah)",
      args: "[NAME...]",
      run: async ({ host, port, args, log }) => {
        const names = args.length > 0 ? args : TUTORIAL_NAMES;
        for (const reply of await runHelloClient({ host, port, names })) log(reply);
      },
    }),
  },
  epilogue: `With nc: nc 127.0.0.1 9999, then type a name. nc sends the newline too, so the
reply is "Hello, Michael\\n!" and "exit" + Enter does not end the conversation:
this protocol has no framing (lesson 05).`,
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
