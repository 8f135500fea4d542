/**
 * # 03 · TCP hello server: many clients, one thread
 *
 * The tutorial's server (seed 003, seed 000): it greets each client with
 * `Welcome!`, answers every name with `Hello, <name>!`, and hangs up on
 * `exit`. Python starts a thread per client so one slow client cannot block
 * the others; Deno serves them all from one thread, because a read that has
 * nothing to return yet gives the thread back to the event loop instead of
 * blocking it.
 *
 * Run the narrated demo:            deno task 03
 * Or, as in the tutorial, two terminals:
 *   deno task 03 server             (Ctrl+C to stop)
 *   deno task 03 client             (or: deno task 03 client Alice Bob)
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
import { explainPeerGone, LimitError, ProtocolError, UsageError } from "../lib/errors.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { serveTcp, type TcpServer } from "../lib/server.ts";
import {
  LIMIT_FLAGS,
  limitsFromFlags,
  limitsUsage,
  refuseWith,
  type ServerLimitOptions,
} from "../lib/limits.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { HELLO_PORT, helloReply, TUTORIAL_NAMES } from "../lib/hello.ts";

/** The tutorial's port: 9999, shared with the UDP lesson (UDP and TCP ports are separate). */
export const DEFAULT_PORT = HELLO_PORT;

/** The greeting the server sends as soon as a client connects: 8 bytes. */
export const WELCOME = "Welcome!";

/** What a client gets instead of `Welcome!` when `--max-connections` are already open. */
export const BUSY = "Busy: too many connections. Try again later.";

/** How many bytes one read asks for: the tutorial's `recv(1024)`. */
export const READ_SIZE = 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options for {@linkcode startHelloServer}. Limits: see `lib/limits.ts`. */
export interface HelloServerOptions extends ServerLimitOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** Wait this long after each read before answering: the tutorial's `time.sleep(1)`. */
  delayMs?: number;
  /** How to wait `delayMs`; tests pass a wrapper to watch the waits overlap. */
  sleep?: (ms: number) => Promise<void>;
  /** Where the server narrates. */
  log?: Log;
}

/** Waits `ms` milliseconds without blocking anyone else. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Speed, measured with `deno task bench:load` (2 busy cores, medians of 5–7
// runs alternating with a Node `net` server and Python's thread per client):
// - One read buffer per connection instead of a new 1 KiB array per read
//   (what readChunk makes): +8–30% round trips/s at 100 clients (0.90× →
//   1.04× Node's), +3–19% at 1,000. Less garbage for the collector to sweep.
// - At 1,000 clients the slowest 1% of round trips still wait 150–250 ms
//   (Node: 20–45 ms). Not in this file: our write() takes under 2 ms at p99;
//   the time passes between the client's bytes reaching the kernel and our
//   read() finishing. Each pending read() is one Deno "op", and with 1,000 of
//   them waiting the runtime serves them unevenly: Deno's own node:net runs
//   the Node server with a p99 of ~50 ms. No help, measured: a bigger listen
//   backlog, encoding replies into a reused buffer, reading the next name
//   while the reply is being written, yielding after each reply, turning
//   Nagle off with conn.setNoDelay(true) (p99 348 ms against 388 ms: noise).

/**
 * Serves one client: the body of the tutorial's `tcplink(sock, addr)`.
 * Returns when the client sends `exit` or closes its side.
 */
export async function handleHelloConnection(
  conn: Deno.Conn,
  options: Omit<HelloServerOptions, "host" | "port"> = {},
): Promise<void> {
  const log = options.log ?? silent;
  // describeAddr, not netAddr: lesson 08 runs this same handler over a Unix
  // domain socket, whose peer has a path (or no name at all), not a port.
  const peer = describeAddr(conn.remoteAddr);
  log(`Accept new connection from ${peer}...`);

  // Python: sock.send(b'Welcome!'). Writing only copies the bytes into the
  // kernel's send buffer; the kernel sends them when it can.
  await writeAll(conn, encoder.encode(WELCOME));

  // One buffer for this connection, filled again by every read: read() copies
  // what the kernel holds into the array we pass and says how many bytes that
  // was. (A new array per read is garbage to collect: see "Speed" above.)
  const buffer = new Uint8Array(READ_SIZE);

  while (true) {
    // Python: data = sock.recv(1024). We get whatever has arrived, at most
    // 1024 bytes; `null` means the client closed its side (Python's b'').
    // A client that resets the connection (RST) also reads as `null` in Deno,
    // where Python's recv() would raise ConnectionResetError.
    const n = await conn.read(buffer);
    const data = n === null ? null : buffer.subarray(0, n);

    // Python: time.sleep(1). Here only this client waits; the others go on.
    if (options.delayMs) await (options.sleep ?? sleep)(options.delayMs);

    // Python: if not data or data.decode('utf-8') == 'exit': break
    if (data === null) break;
    const text = decoder.decode(data);
    if (text === "exit") break;

    // Python: sock.send(('Hello, %s!' % data.decode('utf-8')).encode('utf-8'))
    await writeAll(conn, encoder.encode(helloReply(text)));
  }

  // Python: sock.close(). The server closes the socket when we return; the
  // kernel then sends FIN, and the client's next read returns end of stream.
  log(`Connection from ${peer} closed.`);
}

/**
 * Python's `bind()` + `listen()` + the `while True: accept()` loop: starts the
 * server and returns at once. `close()` stops it.
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
export function startHelloServer(options: HelloServerOptions = {}): TcpServer {
  const log = options.log ?? silent;
  // Python: s.bind(('127.0.0.1', 9999)); s.listen(5)
  const listener = listenTcp({ host: options.host, port: options.port ?? DEFAULT_PORT });
  log(`Listening on ${formatAddr(netAddr(listener.addr))}. Waiting for connection...`);
  // Python: while True: sock, addr = s.accept(); threading.Thread(...).start()
  // serveTcp calls the handler for each connection without awaiting it.
  return serveTcp(listener, (conn) => handleHelloConnection(conn, options), {
    log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    // A client over the limit reads this where it expects Welcome!, then EOF.
    refuse: refuseWith(encoder.encode(BUSY)),
    // On close(graceMs): a client mid-reply gets its reply, then end of stream.
    endReadsOnClose: true,
  });
}

/** Options for {@linkcode runHelloClient}. */
export interface HelloClientOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
  /** What to send, one at a time. Default: Michael, Tracy, Sarah. */
  names?: readonly string[];
  /** Where the client narrates what it sends and receives. */
  log?: Log;
}

/**
 * The tutorial's client: connect, then {@linkcode talkHello}. Resolves to
 * everything received, greeting first.
 */
export async function runHelloClient(options: HelloClientOptions = {}): Promise<string[]> {
  const log = options.log ?? silent;
  const port = options.port ?? DEFAULT_PORT;
  // Python: s = socket.socket(AF_INET, SOCK_STREAM); s.connect(('127.0.0.1', 9999))
  using conn = await connectTcp({
    host: options.host,
    port,
    hint: "start the server first: deno task 03 server",
  });
  log(`Connected from ${formatAddr(conn.localAddr)} to ${formatAddr(conn.remoteAddr)}.`);
  try {
    return await talkHello(conn, options.names ?? TUTORIAL_NAMES, log);
  } catch (err) {
    // The server stopped or crashed mid-conversation: its kernel answered
    // our next bytes with a reset. One line, not a stack trace.
    throw explainPeerGone(
      err,
      "the server reset the connection in the middle of the conversation",
      "was it stopped? start it again: deno task 03 server",
    );
  }
}

/**
 * The tutorial's conversation over an open connection (TCP here, a Unix
 * socket in lesson 08): read the greeting, send each name and wait for its
 * reply, then send `exit`. Resolves to everything received, greeting first.
 *
 * Waiting for each reply before sending the next name is what makes this
 * protocol work at all: it has no framing, so two names sent back to back
 * could arrive as one read (`MichaelTracy`). Lesson 05 shows that happening.
 */
export async function talkHello(
  conn: Deno.Conn,
  names: readonly string[],
  log: Log = silent,
): Promise<string[]> {
  // Python: print(s.recv(1024).decode('utf-8'))
  const replies = [await receiveReply(conn, "the greeting")];
  log(`← ${replies[0]}`);
  if (replies[0] === BUSY) throw new LimitError("the server is full", "try again later");

  for (const name of names) {
    if (name === "exit") throw new UsageError(`"exit" is not a name: it ends the conversation`);
    // Python: s.send(data); print(s.recv(1024).decode('utf-8'))
    log(`→ ${name}`);
    await writeAll(conn, encoder.encode(name));
    const reply = await receiveReply(conn, `the reply to ${name}`);
    log(`← ${reply}`);
    replies.push(reply);
  }

  // Python: s.send(b'exit'); s.close()
  log("→ exit");
  await writeAll(conn, encoder.encode("exit"));
  return replies;
}

/** One read, as the tutorial's client does; end of stream is an error here. */
async function receiveReply(conn: Deno.Conn, what: string): Promise<string> {
  const data = await readChunk(conn, READ_SIZE);
  if (data === null) {
    throw new ProtocolError(
      `the server closed the connection before sending ${what}`,
      "was the server stopped? is a hello server (lesson 03 or 08) listening there?",
    );
  }
  return decoder.decode(data);
}

/**
 * The narrated demo: one client as in the tutorial, a UTF-8 name, then three
 * clients at once against a slow server, showing they wait together rather
 * than in turn.
 */
export async function demo(log: Log): Promise<void> {
  // Step 1: a server on a free port (port 0: the kernel picks one).
  const serverLog = prefixed(log, "server");
  {
    await using server = startHelloServer({ port: 0, log: serverLog });
    const port = server.addr.port;

    // Step 2: the tutorial's client, then one with a name that is not ASCII:
    // UTF-8 turns 张三 into 6 bytes, and the server decodes them back.
    await runHelloClient({ port, log: prefixed(log, "client") });
    await runHelloClient({ port, names: ["张三"], log: prefixed(log, "client") });
  }

  // Step 3: the tutorial's time.sleep, three clients at once. With a thread
  // (or, here, a coroutine) per client, they sleep at the same time.
  const delayMs = 50;
  log("");
  log(`Three clients at once; the server waits ${delayMs} ms after every read.`);
  await using slow = startHelloServer({ port: 0, delayMs });
  const started = performance.now();
  const clients = ["A", "B", "C"].map((label) =>
    runHelloClient({ port: slow.addr.port, names: [`client ${label}`] })
  );
  for (const replies of await Promise.all(clients)) log(replies.join(" "));
  const ms = performance.now() - started;
  log(
    `Each client waited ${delayMs} ms for its reply; all three finished in ${ms.toFixed(0)} ms, ` +
      `not ${3 * delayMs} ms: nobody waited for anybody else.`,
  );
}

const USAGE = `Lesson 03: TCP hello server and client (the tutorial's threaded server, on async I/O)

Usage:
  deno task 03                      narrated demo: server and clients in one process
  deno task 03 server [options]     serve until Ctrl+C
  deno task 03 client [options] [NAME...]
                                    greet the server with each NAME (default: Michael Tracy Sarah)

Options:
  --host H        address to bind or connect to (default ${LOOPBACK})
  --port P        port (default ${DEFAULT_PORT})
  --delay-ms N    server: wait N ms after each read, like the tutorial's time.sleep(1)
  -h, --help      show this help

${limitsUsage(`a "Busy: ..." line and a close`)}`;

/** The command line: `server`, `client`, or the demo. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    "delay-ms": { type: "string" },
    ...LIMIT_FLAGS,
  });
  const [command, ...rest] = positionals;
  const host = values.host ?? LOOPBACK;
  const port = portFlag(values.port, DEFAULT_PORT);
  const log: Log = (line) => console.log(line);

  if (command === undefined) return await demo(log);
  if (command === "server") {
    if (rest.length > 0) throw new UsageError(`server takes no arguments, got "${rest[0]}"`);
    const delayMs = intFlag("--delay-ms", values["delay-ms"], 0, { min: 0, max: 60_000 });
    const { graceMs, ...limits } = limitsFromFlags(values);
    const server = startHelloServer({ host, port, delayMs, log, ...limits });
    return await serveUntilCtrlC(server, log, { graceMs });
  }
  if (command === "client") {
    const names = rest.length > 0 ? rest : TUTORIAL_NAMES;
    for (const reply of await runHelloClient({ host, port, names })) console.log(reply);
    return;
  }
  throw new UsageError(`unknown command "${command}": expected server or client`);
}

if (import.meta.main) await runMain(() => main(Deno.args));
