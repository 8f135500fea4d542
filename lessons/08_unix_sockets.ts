/**
 * # 08 · Unix domain sockets: the hello server without TCP/IP
 *
 * Follows the AF_UNIX family of the unsigned blog post «Socket概念…黏包现象»
 * (and 呆贝斯's «Socket网络编程学习笔记»): sockets for processes on one
 * machine. Lesson 03's server and client run here unchanged, on a path
 * instead of a host and port. The blog post says such a socket "calls the
 * file system underneath to fetch its data". It does not: the socket file
 * is only a name to find the server by and a permission gate (its mode
 * decides who may connect); the bytes go from one socket's kernel buffer
 * to the other's and never touch the file (unix(7)). Part 3 shows it.
 *
 * Run it:  deno task 08                  (the narrated demo)
 *          deno task 08 server           (on .tmp/08_hello.sock, then in another terminal)
 *          deno task 08 client Alice Bob
 *
 * Deno guards a socket twice: as a file (`--allow-read`/`--allow-write` on
 * its folder) and as a peer (`--allow-net=unix:<absolute path>`, one rule
 * per socket); the task grants both for .tmp/08_hello.sock and
 * .tmp/08_demo.sock.
 *
 * @module
 */

import { describeAddr } from "../lib/addr.ts";
import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { explainPeerGone } from "../lib/errors.ts";
import { TUTORIAL_NAMES } from "../lib/hello.ts";
import { refuseWith } from "../lib/limits.ts";
import { type Log, silent } from "../lib/log.ts";
import { serve, type Server } from "../lib/serve.ts";
import { traced } from "../lib/trace.ts";
import {
  BUSY,
  DELAY_MS_FLAG,
  handleHelloConnection,
  type HelloOptions,
  talkHello,
} from "./03_tcp_hello.ts";
import { demo } from "./08_unix_sockets/demo.ts";
import { clearStaleSocket, explained } from "./08_unix_sockets/socket_file.ts";

/** The socket `server` and `client` use unless told `--path`. */
export const DEFAULT_PATH = ".tmp/08_hello.sock";

/** The socket the demo (and the tests) use, so a running server is not disturbed. */
export const DEMO_PATH = ".tmp/08_demo.sock";

// ── 1. The server ───────────────────────────────────────────────────────────

/** Python's `socket(AF_UNIX)`, `bind(path)` and `listen()`, in one call. */
export function listenUnix(path: string = DEFAULT_PATH): Deno.UnixListener {
  // Python: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  //         s.bind('.tmp/08_hello.sock'); s.listen(5)
  // bind() creates the socket file; it fails if anything is at that path.
  return Deno.listen({ transport: "unix", path });
}

/**
 * Serves lesson 03's hello protocol on a Unix listener: lesson 03's own
 * handler, unchanged, because a Unix stream socket has the same `read`,
 * `write` and `close` as a TCP one. `serve()` (lib/serve.ts) is lesson 03's
 * accept loop with its limits; Unix listeners hand it connections like TCP
 * ones.
 */
export function serveHello(
  listener: Deno.UnixListener,
  options: UnixHelloServerOptions = {},
): Server<Deno.UnixAddr> {
  return serve(listener, (conn) => handleHelloConnection(conn, options), {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    refuse: refuseWith(new TextEncoder().encode(BUSY)),
    endReadsOnClose: true,
  });
}

// ── 2. The client ───────────────────────────────────────────────────────────

/**
 * Lesson 03's client over a Unix socket: read the greeting, send each name
 * and wait for its reply, send `exit`. Resolves to everything received.
 *
 * @example
 * ```ts
 * import { DEMO_PATH, runUnixHelloClient, startUnixHelloServer } from "./08_unix_sockets.ts";
 * import assert from "node:assert/strict";
 *
 * await using _server = await startUnixHelloServer({ path: DEMO_PATH });
 * const replies = await runUnixHelloClient({ path: DEMO_PATH, names: ["Ada"] });
 * assert.deepEqual(replies, ["Welcome!", "Hello, Ada!"]);
 * ```
 */
export async function runUnixHelloClient(
  options: { path?: string; names?: readonly string[]; log?: Log } = {},
): Promise<string[]> {
  const log = options.log ?? silent;
  // Python: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  //         s.connect('.tmp/08_hello.sock')
  // No handshake on a wire: the kernel links the two sockets, or refuses at once.
  using conn = traced(
    await Deno.connect({ transport: "unix", path: options.path ?? DEFAULT_PATH }),
    "client",
  );
  // The client bound no path of its own: it has no name, and needs none.
  log(`Connected from ${describeAddr(conn.localAddr)} to ${describeAddr(conn.remoteAddr)}.`);
  // From here on the conversation is lesson 03's, word for word. A Unix
  // stream socket has no message boundaries either: this works only because
  // the client waits for each reply and each reply fits one 1024-byte read
  // (a longer name is refused before sending; lesson 05 adds framing).
  try {
    return await talkHello(conn, options.names ?? TUTORIAL_NAMES, log);
  } catch (err) {
    // One difference: writing to a server that has closed fails at once
    // here (EPIPE), where TCP takes the bytes and only the next read ends.
    throw explainPeerGone(
      err,
      "the server closed the connection in the middle of the conversation",
      "was it stopped? start it again: deno task 08 server",
    );
  }
}

// ── 3. Where the bytes go ───────────────────────────────────────────────────

/** What {@linkcode bytesBypassTheFile} saw. */
export interface BypassedFile {
  /** Bytes the client wrote that the server had not read yet. */
  queued: number;
  /** The socket file's size meanwhile: `ls -l` shows 0. */
  fileSize: number;
  /** Bytes the server read after the file was deleted. */
  readAfterDelete: number;
  /** The server's answer after the file was deleted, as the client read it. */
  answerAfterDelete: string;
  /** What a new client got once the file was gone. */
  newClient: string;
}

/**
 * The blog post's "through the file system", tested. The client writes 64
 * KiB the server has not read: they wait in the kernel, and the file stays
 * 0 bytes. Then the file is deleted, and the conversation goes on: the
 * open connection never used it. Only a new client, which needs the name
 * to find the server, fails.
 */
export async function bytesBypassTheFile(path: string): Promise<BypassedFile> {
  using listener = listenUnix(path);
  using client = await Deno.connect({ transport: "unix", path });
  using server = await listener.accept();
  const queued = await client.write(new Uint8Array(64 * 1024).fill(0x78));
  const fileSize = (await Deno.lstat(path)).size;

  // Python: os.unlink('.tmp/08_demo.sock')
  await Deno.remove(path);
  const buffer = new Uint8Array(queued);
  let readAfterDelete = 0;
  for (let n; readAfterDelete < queued && (n = await server.read(buffer)) !== null;) {
    readAfterDelete += n;
  }
  await server.write(new TextEncoder().encode("still here"));
  const n = await client.read(buffer);
  const answerAfterDelete = new TextDecoder().decode(buffer.subarray(0, n ?? 0));

  let newClient = "connected";
  try {
    using _late = await Deno.connect({ transport: "unix", path });
  } catch (err) {
    newClient = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return { queued, fileSize, readAfterDelete, answerAfterDelete, newClient };
}

// ── 4. What the tutorial leaves out ─────────────────────────────────────────
//
// The tutorial's server never removes its socket file (Python does not;
// os.unlink is up to you), and one that crashes cannot: the next bind() of
// the path fails with "Address already in use" although nobody listens.
// A server that strangers' programs reach also needs lesson 03's limits.
// So the server below, when bind() fails, knocks on the file first: a live
// server there is left alone, a stale file is removed and the bind tried
// again (lessons/08_unix_sockets/socket_file.ts). The limits are lesson
// 03's, through serve(). Deno removes the file when the listener closes.

/** Options for {@linkcode startUnixHelloServer}. */
export interface UnixHelloServerOptions extends HelloOptions {
  /** The socket file to create. Default `.tmp/08_hello.sock`. */
  path?: string;
  /** At most this many clients at once (default 1,000). */
  maxConnections?: number;
  /** Close a connection silent for this long (default 5 minutes; 0: never). */
  idleTimeoutMs?: number;
}

/** Lesson 03's server on a Unix socket, clearing a stale file first. */
export async function startUnixHelloServer(
  options: UnixHelloServerOptions = {},
): Promise<Server<Deno.UnixAddr>> {
  const path = options.path ?? DEFAULT_PATH;
  const log = options.log ?? silent;
  let listener: Deno.UnixListener;
  try {
    listener = listenUnix(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true }); // no .tmp/ yet
    } else if (err instanceof Deno.errors.AddrInUse) {
      await clearStaleSocket(path, log); // throws if a live server holds the path
    } else throw err;
    listener = listenUnix(path);
  }
  log(`Listening on ${describeAddr(listener.addr)}. Waiting for connection...`);
  return serveHello(listener, { ...options, log });
}

// ── The command line ────────────────────────────────────────────────────────

const PATH_FLAG = {
  path: {
    type: "string",
    default: DEFAULT_PATH,
    value: "P",
    help: "the socket file (elsewhere needs --allow-net=unix:<absolute path>)",
  },
} as const;
const START_SERVER = "start the server first: deno task 08 server";

/** `deno task 08 [server | client]`: see `--help`. */
export const cli: LessonCli = {
  id: "08",
  title: "the lesson 03 hello server and client over a Unix domain socket",
  demo,
  commands: {
    server: command({
      summary: "serve on the socket file until Ctrl+C",
      flags: {
        ...PATH_FLAG,
        "delay-ms": DELAY_MS_FLAG,
      },
      limits: { refusal: `a "Busy: ..." line and a close` },
      run: ({ flags, limits, log }) =>
        explained(
          { action: "listen", path: flags.path },
          () =>
            startUnixHelloServer({ path: flags.path, delayMs: flags["delay-ms"], log, ...limits }),
        ),
    }),
    client: command({
      summary: "greet the server with each NAME (default: Michael Tracy Sarah)",
      args: "[NAME...]",
      flags: PATH_FLAG,
      run: async ({ flags, args, log }) => {
        const names = args.length > 0 ? args : TUTORIAL_NAMES;
        const ctx = { action: "connect", path: flags.path, hint: START_SERVER } as const;
        for (
          const reply of await explained(ctx, () => runUnixHelloClient({ path: flags.path, names }))
        ) {
          log(reply);
        }
      },
    }),
  },
  epilogue: `With socat: socat - UNIX-CONNECT:.tmp/08_hello.sock (then type a name).
Python: s = socket.socket(socket.AF_UNIX); s.connect('.tmp/08_hello.sock').`,
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
