/**
 * # 08 · Unix domain sockets: the hello server without TCP/IP
 *
 * Seeds 001 and 003 name two socket families: `AF_INET` (the network) and
 * `AF_UNIX` (processes on one machine, through a file). This lesson runs the
 * lesson 03 hello protocol over `AF_UNIX`: the very same connection handler,
 * because a Unix stream socket reads and writes like a TCP one. What changes
 * is the address (a path instead of host and port), who can reach it (only
 * this machine, and only users the file's mode lets in), what is left behind
 * (a socket file) and the cost of a round trip (measured below, and in
 * `bench/unix_vs_tcp_bench.ts`).
 *
 * Run the narrated demo:            deno task 08
 * Or two terminals:
 *   deno task 08 server             (Ctrl+C to stop; the socket is .tmp/08_hello.sock)
 *   deno task 08 client             (or: deno task 08 client Alice Bob)
 *
 * Permissions: Deno treats a Unix socket as a file and as a network peer, so
 * the task grants read and write on `.tmp/` only (the folder holding the
 * sockets) and `--allow-net=unix:$PWD/.tmp/<name>.sock` for exactly the two
 * sockets this lesson uses (Deno 2.9 wants one absolute path per socket, no
 * wildcard; `deno task` sets `$PWD` to the project folder), plus 127.0.0.1
 * for the demo's TCP comparison. A socket elsewhere (`--path /tmp/x.sock`)
 * needs its own flags: the error message prints them.
 *
 * @module
 */

import { describeAddr } from "../lib/addr.ts";
import { helpRequested, intFlag, parseFlags, runMain, serveUntilCtrlC } from "../lib/cli.ts";
import { explainPeerGone, formatError, UsageError } from "../lib/errors.ts";
import { TUTORIAL_NAMES } from "../lib/hello.ts";
import { readChunk } from "../lib/io.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { serveTcp } from "../lib/server.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { connectUnix, listenUnix, serveUnix, type UnixServer } from "../lib/unix.ts";
import {
  BUSY,
  handleHelloConnection,
  runHelloClient,
  startHelloServer,
  talkHello,
} from "./03_tcp_hello.ts";
import {
  LIMIT_FLAGS,
  limitsFromFlags,
  limitsUsage,
  refuseWith,
  type ServerLimitOptions,
} from "../lib/limits.ts";

/** The socket `server` and `client` use unless told `--path`. */
export const DEFAULT_PATH = ".tmp/08_hello.sock";

/** The socket the demo (and the tests) use, so a running server is not disturbed. */
export const DEMO_PATH = ".tmp/08_demo.sock";

/** Options for {@linkcode startUnixHelloServer}. Limits: see `lib/limits.ts`. */
export interface UnixHelloServerOptions extends ServerLimitOptions {
  /** The socket file to create. Default `.tmp/08_hello.sock`. */
  path?: string;
  /** Wait this long after each read before answering (lesson 03's `--delay-ms`). */
  delayMs?: number;
  /** How to wait `delayMs`; tests pass a wrapper to hold a reply in flight. */
  sleep?: (ms: number) => Promise<void>;
  /** Where the server narrates. */
  log?: Log;
}

/**
 * The lesson 03 server on a Unix domain socket. Only the first line differs
 * from lesson 03: the handler is lesson 03's `handleHelloConnection`,
 * unchanged.
 *
 * @example
 * ```ts
 * import { DEMO_PATH, runUnixHelloClient, startUnixHelloServer } from "./08_unix_sockets.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = await startUnixHelloServer({ path: DEMO_PATH });
 * const replies = await runUnixHelloClient({ path: DEMO_PATH, names: ["Ada"] });
 * assert.deepEqual(replies, ["Welcome!", "Hello, Ada!"]);
 * ```
 */
export async function startUnixHelloServer(
  options: UnixHelloServerOptions = {},
): Promise<UnixServer> {
  const log = options.log ?? silent;
  const path = options.path ?? DEFAULT_PATH;
  // Python: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  //         s.bind('.tmp/08_hello.sock'); s.listen()
  // bind() creates the socket file; a stale one from a crashed run is removed.
  const listener = await listenUnix({ path, log });
  log(`Listening on ${describeAddr(listener.addr)}. Waiting for connection...`);
  // The same accept loop and the same handler as over TCP.
  return serveUnix(
    listener,
    (conn) => handleHelloConnection(conn, { delayMs: options.delayMs, sleep: options.sleep, log }),
    {
      log,
      // The same limits as over TCP (see lesson 03).
      maxConnections: options.maxConnections,
      idleTimeoutMs: options.idleTimeoutMs,
      refuse: refuseWith(new TextEncoder().encode(BUSY)),
      endReadsOnClose: true,
    },
  );
}

/** Options for {@linkcode runUnixHelloClient}. */
export interface UnixHelloClientOptions {
  /** The server's socket file. Default `.tmp/08_hello.sock`. */
  path?: string;
  /** What to send, one at a time. Default: Michael, Tracy, Sarah. */
  names?: readonly string[];
  /** Where the client narrates. */
  log?: Log;
}

/**
 * Lesson 03's client over a Unix socket: read the greeting, send each name
 * and wait for its reply, then send `exit`. Resolves to everything received.
 * A Unix stream socket is a byte stream like TCP, with no message
 * boundaries, so this works only because it waits for each reply.
 */
export async function runUnixHelloClient(options: UnixHelloClientOptions = {}): Promise<string[]> {
  const log = options.log ?? silent;
  const path = options.path ?? DEFAULT_PATH;
  // Python: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
  using conn = await connectUnix({ path, hint: "start the server first: deno task 08 server" });
  // The client never bound a path of its own: it has no name, and needs none.
  log(`Connected from ${describeAddr(conn.localAddr)} to ${describeAddr(conn.remoteAddr)}.`);

  // From here on, the conversation is lesson 03's, word for word.
  try {
    return await talkHello(conn, options.names ?? TUTORIAL_NAMES, log);
  } catch (err) {
    // The server stopped mid-conversation: one line, not a stack trace.
    throw explainPeerGone(
      err,
      "the server reset the connection in the middle of the conversation",
      "was it stopped? start it again: deno task 08 server",
    );
  }
}

/**
 * Leaves a stale socket file at `path`, as a server killed with `kill -9`
 * would: a socket file with nobody listening on it. (A server binds, a
 * second name for its file is made with a hard link, the server closes and
 * Deno removes the first name; the second is moved back into place.)
 */
export async function leaveStaleSocket(path: string): Promise<void> {
  const spare = `${path}.crashed`;
  const listener = await listenUnix({ path });
  try {
    await Deno.link(path, spare);
  } finally {
    listener.close();
  }
  await Deno.rename(spare, path);
}

/** How long `rounds` hello round trips took over each transport. */
export interface RoundTripTimes {
  /** Round trips timed. */
  rounds: number;
  /** Milliseconds over TCP on 127.0.0.1. */
  tcpMs: number;
  /** Milliseconds over the Unix socket. */
  unixMs: number;
}

/**
 * Times the same conversation (`rounds` names, each waiting for its reply)
 * against the lesson 03 server on 127.0.0.1 and the lesson 08 server on
 * `path`. A rough, single measurement: `deno bench` does it properly.
 */
export async function timeRoundTrips(path: string, rounds: number): Promise<RoundTripTimes> {
  const names = Array.from({ length: rounds }, (_, i) => `n${i}`);
  await using tcp = startHelloServer({ port: 0 });
  await using _unix = await startUnixHelloServer({ path });
  const tcpMs = await timed(() => runHelloClient({ port: tcp.addr.port, names }));
  const unixMs = await timed(() => runUnixHelloClient({ path, names }));
  return { rounds, tcpMs, unixMs };
}

/**
 * Times `rounds` connections opened and closed, over TCP on 127.0.0.1 and
 * over the Unix socket at `path`, against servers that accept each one and
 * hang up at once. The client waits for that hang-up before closing, so the
 * server's side closes first and TCP's TIME_WAIT stays on the server's port
 * instead of using up the clients' ephemeral ports.
 */
export async function timeConnects(path: string, rounds: number): Promise<RoundTripTimes> {
  const hangUp = () => Promise.resolve();
  await using tcp = serveTcp(listenTcp({ port: 0 }), hangUp);
  await using _unix = serveUnix(await listenUnix({ path }), hangUp);
  const connectAndClose = async (connect: () => Promise<Deno.Conn>) => {
    using conn = await connect();
    await readChunk(conn, 1); // null: the server hung up
  };
  const tcpMs = await timed(async () => {
    for (let i = 0; i < rounds; i++) {
      await connectAndClose(() => connectTcp({ port: tcp.addr.port }));
    }
  });
  const unixMs = await timed(async () => {
    for (let i = 0; i < rounds; i++) await connectAndClose(() => connectUnix({ path }));
  });
  return { rounds, tcpMs, unixMs };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** What `ls -l` shows for a socket file: `s` and its permission bits. */
export function socketMode(info: Deno.FileInfo): string {
  const bits = info.mode ?? 0;
  const rwx = "rwxrwxrwx".split("").map((c, i) => (bits & (1 << (8 - i)) ? c : "-")).join("");
  return `${info.isSocket ? "s" : "-"}${rwx}`;
}

/**
 * The narrated demo: the hello protocol over a socket file, the file's life
 * (created, removed, left stale by a crash), a second server refused, and
 * TCP on 127.0.0.1 versus a Unix socket, measured.
 */
export async function demo(log: Log): Promise<void> {
  const path = DEMO_PATH;
  const serverLog = prefixed(log, "server");
  const clientLog = prefixed(log, "client");

  // Step 1: lesson 03's server and client, over a path instead of a port.
  {
    await using server = await startUnixHelloServer({ path, log: serverLog });
    await runUnixHelloClient({ path, log: clientLog });

    // Step 2: the address is a file. connect() needs write permission on it
    // (man 7 unix), so its mode decides which users may connect.
    const info = await Deno.lstat(path);
    log("");
    log(`While the server runs, ${path} is a socket file: ${socketMode(info)} (ls -l).`);

    // Step 3: one path, one server. The second one knocks first (the
    // server's log shows that short connection), finds a live server, and
    // gives up without touching the file.
    try {
      await using _second = await startUnixHelloServer({ path });
    } catch (err) {
      log(`A second server on the same path: ${formatError(err)}`);
      log("(It knocked first: the connection the server saw come and go.)");
    }
    const replies = await runUnixHelloClient({ path, names: ["still there?"] });
    log(`The first server goes on: ${replies.join(" ")} (${server.path})`);
  }

  // Step 4: a clean close removes the file (Deno does it; Python leaves it).
  log(`After close(): ${await describeFile(path)} (Deno removes it; Python needs os.unlink).`);

  // Step 5: a crash leaves the file behind. Clients are refused at once
  // (no timeout: the kernel knows nobody listens), and a new server removes
  // the stale file instead of failing with "address in use".
  log("");
  await leaveStaleSocket(path);
  log(`Simulated a crashed server: ${await describeFile(path)}.`);
  try {
    await runUnixHelloClient({ path });
  } catch (err) {
    log(`A client now: ${formatError(err)}`);
  }
  {
    await using _server = await startUnixHelloServer({ path, log: serverLog });
    const replies = await runUnixHelloClient({ path, names: ["again"] });
    log(`A client after the restart: ${replies.join(" ")}`);
  }

  // Step 6: the same conversation over TCP on 127.0.0.1 and over the Unix
  // socket. Loopback TCP still runs the whole TCP/IP stack (headers,
  // checksums, ACKs, congestion control); the Unix socket copies bytes from
  // one socket's buffer to the other's.
  log("");
  log("One rough measurement each (deno bench bench/unix_vs_tcp_bench.ts does it properly):");
  logTimes(log, "hello round trips on one connection", await timeRoundTrips(path, 2_000));
  logTimes(log, "connections opened and closed", await timeConnects(path, 500));
  log("A round trip in Deno is mostly the cost of the calls themselves, so the gap is small;");
  log("connecting is where the Unix socket wins clearly: no handshake, no FIN, no TIME_WAIT.");
  log("Pick a Unix socket when both ends are on one machine (a database, a local daemon):");
  log("no port to collide, file permissions for access control, less work per connection.");
  log("Pick TCP as soon as the peer may be elsewhere, or speaks only TCP (a browser).");
}

/** Two lines: the TCP and the Unix time for one measurement. */
function logTimes(log: Log, what: string, times: RoundTripTimes): void {
  const per = (ms: number) => `${((ms / times.rounds) * 1000).toFixed(1)} µs each`;
  log(`  ${times.rounds} ${what}:`);
  log(`    TCP 127.0.0.1: ${times.tcpMs.toFixed(0).padStart(4)} ms, ${per(times.tcpMs)}`);
  log(`    Unix socket:   ${times.unixMs.toFixed(0).padStart(4)} ms, ${per(times.unixMs)}`);
}

/** `a socket file (srwxr-xr-x)`, `no file`, or what else is there. */
async function describeFile(path: string): Promise<string> {
  try {
    const info = await Deno.lstat(path);
    return info.isSocket ? `${path} is a socket file (${socketMode(info)})` : `${path} is a file`;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return `${path} is gone`;
    throw err;
  }
}

const USAGE = `Lesson 08: the lesson 03 hello server and client over a Unix domain socket

Usage:
  deno task 08                      narrated demo: server and clients in one process
  deno task 08 server [options]     serve on the socket file until Ctrl+C
  deno task 08 client [options] [NAME...]
                                    greet the server with each NAME (default: Michael Tracy Sarah)

Options:
  --path P        the socket file (default ${DEFAULT_PATH}); another path needs
                  deno run --allow-read=DIR --allow-write=DIR --allow-net=unix:/abs/path/P
  --delay-ms N    server: wait N ms after each read, like the tutorial's time.sleep(1)
  -h, --help      show this help

${limitsUsage(`a "Busy: ..." line and a close`)}`;

/** The command line: `server`, `client`, or the demo. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    path: { type: "string" },
    "delay-ms": { type: "string" },
    ...LIMIT_FLAGS,
  });
  const [command, ...rest] = positionals;
  const path = values.path ?? DEFAULT_PATH;
  const log: Log = (line) => console.log(line);

  if (command === undefined) return await demo(log);
  if (command === "server") {
    if (rest.length > 0) throw new UsageError(`server takes no arguments, got "${rest[0]}"`);
    const delayMs = intFlag("--delay-ms", values["delay-ms"], 0, { min: 0, max: 60_000 });
    const { graceMs, ...limits } = limitsFromFlags(values);
    const server = await startUnixHelloServer({ path, delayMs, log, ...limits });
    return await serveUntilCtrlC(server, log, { graceMs });
  }
  if (command === "client") {
    const names = rest.length > 0 ? rest : TUTORIAL_NAMES;
    for (const reply of await runUnixHelloClient({ path, names })) console.log(reply);
    return;
  }
  throw new UsageError(`unknown command "${command}": expected server or client`);
}

if (import.meta.main) await runMain(() => main(Deno.args));
