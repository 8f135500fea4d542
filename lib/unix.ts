/**
 * Unix domain sockets: Python's `socket(AF_UNIX, SOCK_STREAM)`. A stream
 * socket like TCP (same `read`, `write`, `close`), but its address is a path
 * in the file system instead of an IP address and a port, and its bytes never
 * leave the kernel: no IP, no checksums, no acknowledgements, no congestion
 * control. Only processes on this machine can reach it, and the file's owner
 * and mode decide which ones.
 *
 * The file is what makes Unix sockets different to manage:
 *
 * - `bind()` creates it, and fails if anything already sits at that path.
 * - A server that crashes (or is killed with `kill -9`) leaves it behind: a
 *   *stale* socket, a file nobody listens on. Connecting to it is refused;
 *   binding it again says "address in use". {@linkcode listenUnix} checks
 *   whether a server still answers there, and removes the file only if none
 *   does.
 * - Python never removes the file (`os.unlink(path)` is up to you); Deno
 *   removes it when the listener closes. {@linkcode serveUnix} makes sure it
 *   is gone either way.
 *
 * Deno guards a Unix socket twice: it is a file (`--allow-read` and
 * `--allow-write` on its path) and a way to talk to other programs
 * (`--allow-net=unix:<absolute path>`, one rule per socket, no wildcards).
 *
 * @module
 */

import {
  AddressInUseError,
  ConnectionRefusedError,
  LessonError,
  PermissionError,
  UsageError,
} from "./errors.ts";
import { type Log, silent } from "./log.ts";
import { mainScript } from "./tcp.ts";
import { serveListener, type ServeTcpOptions, type StreamServer } from "./server.ts";

/** Where a Unix socket was going when it failed, and what to tell the person. */
export interface UnixErrorContext {
  /** `listen` for a server's bind, `connect` for a client. */
  action: "listen" | "connect";
  /** The socket's path, as given. */
  path: string;
  /** Replaces the default hint. */
  hint?: string;
}

/**
 * The permission flags Deno needs to listen on or connect to `path`: read and
 * write on its folder (to create, probe and remove the file) and a
 * `unix:` network rule naming the socket by its absolute path. A relative
 * path is written with `$PWD`, which both a shell and `deno task` expand.
 *
 * @example
 * ```ts
 * import { unixPermissionFlags } from "./unix.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   unixPermissionFlags(".tmp/hello.sock"),
 *   "--allow-read=.tmp --allow-write=.tmp --allow-net=unix:$PWD/.tmp/hello.sock",
 * );
 * ```
 */
export function unixPermissionFlags(path: string): string {
  const dir = parentDir(path);
  const absolute = path.startsWith("/") ? path : `$PWD/${path.replace(/^\.\//, "")}`;
  return `--allow-read=${dir} --allow-write=${dir} --allow-net=unix:${absolute}`;
}

/** The folder a path is in: `.tmp` for `.tmp/x.sock`, `.` for `x.sock`. */
function parentDir(path: string): string {
  const at = path.lastIndexOf("/");
  if (at === -1) return ".";
  return at === 0 ? "/" : path.slice(0, at);
}

/**
 * Turns one of Deno's errors on a Unix socket into a typed
 * {@linkcode LessonError} that says what happened. Errors it does not know
 * are returned unchanged.
 *
 * @example A client whose server is not running
 * ```ts
 * import { explainUnixError } from "./unix.ts";
 * import { formatError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = explainUnixError(new Deno.errors.NotFound("No such file or directory"), {
 *   action: "connect",
 *   path: ".tmp/hello.sock",
 * });
 * assert.equal(
 *   formatError(err),
 *   "error: there is no socket at .tmp/hello.sock (start the server first)",
 * );
 * ```
 */
export function explainUnixError(err: unknown, ctx: UnixErrorContext): unknown {
  const { path } = ctx;
  const options = { cause: err };
  if (err instanceof Deno.errors.NotFound && ctx.action === "connect") {
    return new ConnectionRefusedError(
      `there is no socket at ${path}`,
      ctx.hint ?? "start the server first",
      options,
    );
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(
      `nothing is listening on ${path}`,
      ctx.hint ?? "a socket file with no server behind it: start the server again",
      options,
    );
  }
  if (err instanceof Deno.errors.AddrInUse) {
    return new AddressInUseError(
      `${path} is already in use`,
      ctx.hint ?? "another server running? choose another --path",
      options,
    );
  }
  if (err instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      `Deno was not given permission to use the socket ${path}`,
      `run it with that permission: deno run ${unixPermissionFlags(path)} ${mainScript()} ...`,
      options,
    );
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new PermissionError(
      `the system refused to ${ctx.action} on ${path}`,
      "a socket file obeys file permissions: check its owner and mode with ls -l",
      options,
    );
  }
  if (err instanceof TypeError && /SUN_LEN/.test(err.message)) {
    // The kernel's sockaddr_un holds at most 108 bytes of (absolute) path.
    return new UsageError(
      `the socket path ${path} is too long: the kernel takes about 100 bytes at most`,
      "choose a shorter --path, e.g. under /tmp",
      options,
    );
  }
  return err;
}

/**
 * What is at a socket path right now: nothing (`missing`), a socket file with
 * a server accepting on it (`live`), a socket file nobody listens on, left by
 * a server that did not close (`stale`), or something else that is never ours
 * to delete (`not-a-socket`).
 */
export type SocketFileState = "missing" | "live" | "stale" | "not-a-socket";

/**
 * Looks at `path` and, if it is a socket file, knocks: a connection that is
 * accepted means a server is alive there; one that is refused means the file
 * is stale.
 */
export async function probeSocketFile(path: string): Promise<SocketFileState> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    throw explainUnixError(err, { action: "listen", path });
  }
  if (!info.isSocket) return "not-a-socket";
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
    return "live";
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) return "stale";
    if (err instanceof Deno.errors.NotFound) return "missing";
    throw explainUnixError(err, { action: "listen", path });
  }
}

/** Options for {@linkcode listenUnix}. */
export interface ListenUnixOptions {
  /** The socket file to create. Its folder is created if missing. */
  path: string;
  /** Replaces the hint shown when a live server already holds the path. */
  hint?: string;
  /** Where to say that a stale socket file was removed. */
  log?: Log;
}

/**
 * Python's `socket(AF_UNIX)` + `bind(path)` + `listen()`. If a socket file
 * is already at `path`, this knocks first: a live server there is an
 * {@linkcode AddressInUseError}; a stale file (its server crashed) is removed,
 * with a log line, and the bind is tried again. A path that holds anything
 * other than a socket is never deleted.
 *
 * @example A stale socket file is cleared; a live one is not
 * ```ts
 * import { listenUnix } from "./unix.ts";
 * import assert from "node:assert/strict";
 *
 * // The project's tests may use this one socket path (see the test task).
 * const path = ".tmp/08_demo.sock";
 * const lines: string[] = [];
 * const listener = await listenUnix({ path, log: (line) => lines.push(line) });
 * // A live server holds the path: a second bind is refused, the file kept.
 * await assert.rejects(() => listenUnix({ path }), /is in use: a server is listening on it/);
 * listener.close(); // Deno removes the socket file here
 * assert.deepEqual(lines, []);
 * ```
 */
export async function listenUnix(options: ListenUnixOptions): Promise<Deno.UnixListener> {
  const { path } = options;
  const log = options.log ?? silent;
  for (let attempt = 1;; attempt++) {
    try {
      return Deno.listen({ transport: "unix", path });
    } catch (err) {
      if (attempt > 2) throw explainUnixError(err, { action: "listen", path, hint: options.hint });
      if (err instanceof Deno.errors.NotFound) {
        // The folder is missing (a fresh checkout has no .tmp/): make it.
        await Deno.mkdir(parentDir(path), { recursive: true });
        continue;
      }
      if (!(err instanceof Deno.errors.AddrInUse)) {
        throw explainUnixError(err, { action: "listen", path, hint: options.hint });
      }
      await clearStaleSocket(path, options.hint, log);
    }
  }
}

/** Bind failed with "address in use": remove the file if it is stale, else explain. */
async function clearStaleSocket(path: string, hint: string | undefined, log: Log): Promise<void> {
  const state = await probeSocketFile(path);
  if (state === "live") {
    throw new AddressInUseError(
      `${path} is in use: a server is listening on it`,
      hint ?? "stop that server, or choose another --path",
    );
  }
  if (state === "not-a-socket") {
    throw new LessonError(
      `${path} exists and is not a socket`,
      "remove it yourself, or choose another --path",
    );
  }
  if (state === "stale") {
    // Python: os.unlink(path), what the tutorial's server should do on exit.
    await Deno.remove(path);
    log(`Removed a stale socket file at ${path}: nothing was listening (a server that crashed?).`);
  }
}

/** Options for {@linkcode connectUnix}. */
export interface ConnectUnixOptions {
  /** The server's socket file. */
  path: string;
  /** Replaces the hint shown when no server is there, e.g. `start the server first: deno task 08 server`. */
  hint?: string;
}

/**
 * Python's `socket(AF_UNIX)` + `connect(path)`. There is no handshake on the
 * wire: the kernel links the two sockets directly, or refuses at once.
 */
export async function connectUnix(options: ConnectUnixOptions): Promise<Deno.UnixConn> {
  const { path } = options;
  try {
    return await Deno.connect({ transport: "unix", path });
  } catch (err) {
    throw explainUnixError(err, { action: "connect", path, hint: options.hint });
  }
}

/** A running server on a Unix domain socket. */
export interface UnixServer extends StreamServer {
  /** The socket file it listens on. */
  readonly path: string;
}

/**
 * Serves `listener` with `handler`, exactly as {@linkcode serveListener}
 * does for TCP, and removes the socket file once the server has stopped.
 *
 * @example An echo server and a client on a socket file, then a clean stop
 * ```ts
 * import { connectUnix, listenUnix, serveUnix } from "./unix.ts";
 * import { readChunk, writeAll } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const path = ".tmp/08_demo.sock";
 * const server = serveUnix(await listenUnix({ path }), async (conn) => {
 *   for (let chunk; (chunk = await readChunk(conn, 1024)) !== null;) {
 *     await writeAll(conn, chunk);
 *   }
 * });
 * {
 *   using conn = await connectUnix({ path: server.path });
 *   await writeAll(conn, new TextEncoder().encode("ping"));
 *   assert.equal(new TextDecoder().decode((await readChunk(conn, 1024))!), "ping");
 * }
 * await server.close();
 * await assert.rejects(() => Deno.lstat(path), Deno.errors.NotFound); // file removed
 * ```
 */
export function serveUnix(
  listener: Deno.UnixListener,
  handler: (conn: Deno.UnixConn) => Promise<void>,
  options: ServeTcpOptions = {},
): UnixServer {
  const path = listener.addr.path;
  const server = serveListener(listener, handler, options);
  const finished = server.finished.then(() => removeSocketFile(path));
  let closed: Promise<void> | undefined;
  return {
    path,
    get connections() {
      return server.connections;
    },
    close(graceMs?: number) {
      closed ??= server.close(graceMs).then(() => finished);
      return closed;
    },
    finished,
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

/**
 * Deletes the socket file at `path` if one is still there: Deno already
 * removes it when its listener closes, Python never does. Anything that is
 * not a socket is left alone.
 */
export async function removeSocketFile(path: string): Promise<void> {
  try {
    if ((await Deno.lstat(path)).isSocket) await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
