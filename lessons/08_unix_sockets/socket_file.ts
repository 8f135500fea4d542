/**
 * # 08 · The socket file: what the tutorial leaves out
 *
 * An AF_UNIX socket's address is a path, and `bind()` makes a file there: a
 * name clients can find and whose owner and mode decide who may connect
 * (unix(7)). No data is ever stored in it. Three things follow that the
 * tutorials never mention:
 *
 * - A server that crashes (or is killed with `kill -9`) leaves the file
 *   behind: a *stale* socket. Clients are refused at once (the kernel knows
 *   nobody listens), and a new server's `bind()` fails with "address in
 *   use". Python never removes the file (`os.unlink(path)` is up to you);
 *   Deno removes it when the listener closes, but not after a crash.
 * - The path has a length limit: `sockaddr_un.sun_path` is 108 bytes, one
 *   of them the closing NUL, so 107 bytes of path at most.
 * - Deno guards a Unix socket twice: as a file (`--allow-read`,
 *   `--allow-write`) and as a peer (`--allow-net=unix:<absolute path>`, one
 *   rule per socket, no folders, no wildcards).
 *
 * @module
 */

import {
  AddressInUseError,
  ConnectionLostError,
  ConnectionRefusedError,
  LessonError,
  PermissionError,
} from "../../lib/errors.ts";

/** What is at a socket path: nothing, a live server, a stale file, or something not ours. */
export type SocketFileState = "missing" | "live" | "stale" | "not-a-socket";

/**
 * Looks at `path` and, if it is a socket file, knocks: a connection that is
 * accepted means a server is alive there; one that is refused means the
 * file is stale.
 */
export async function probeSocketFile(path: string): Promise<SocketFileState> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    throw err;
  }
  if (!info.isSocket) return "not-a-socket";
  try {
    // Python: socket.socket(socket.AF_UNIX).connect(path)
    using _knock = await Deno.connect({ transport: "unix", path });
    return "live";
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) return "stale";
    if (err instanceof Deno.errors.NotFound) return "missing";
    throw err;
  }
}

/**
 * Called when `bind()` said "address in use": removes the file if it is
 * stale (and says so), else explains why it stays. A path that holds
 * anything but a socket is never deleted.
 */
export async function clearStaleSocket(path: string, log: (line: string) => void): Promise<void> {
  const state = await probeSocketFile(path);
  if (state === "live") {
    throw new AddressInUseError(
      `${path} is in use: a server is listening on it`,
      "stop that server, or choose another --path",
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

/**
 * Leaves a stale socket file at `path`, as a server killed with `kill -9`
 * would: a server binds, a second name for its file is made with a hard
 * link, the server closes (Deno removes the first name), and the second
 * name is moved back into place.
 */
export async function leaveStaleSocket(path: string): Promise<void> {
  const spare = `${path}.crashed`;
  const listener = Deno.listen({ transport: "unix", path });
  try {
    await Deno.link(path, spare);
  } finally {
    listener.close();
  }
  await Deno.rename(spare, path);
}

/** What `ls -l` shows for a socket file: `s` and its permission bits. */
export function socketMode(info: Deno.FileInfo): string {
  const bits = info.mode ?? 0;
  const rwx = "rwxrwxrwx".split("").map((c, i) => (bits & (1 << (8 - i)) ? c : "-")).join("");
  return `${info.isSocket ? "s" : "-"}${rwx}`;
}

/**
 * The permission flags Deno needs to listen on or connect to `path`: read and
 * write on its folder (to create, probe and remove the file) and a `unix:`
 * rule naming the socket by its absolute path. A relative path is written
 * with `$PWD`, which both a shell and `deno task` expand.
 *
 * @example
 * ```ts
 * import { unixPermissionFlags } from "./socket_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   unixPermissionFlags(".tmp/hello.sock"),
 *   "--allow-read=.tmp --allow-write=.tmp --allow-net=unix:$PWD/.tmp/hello.sock",
 * );
 * ```
 */
export function unixPermissionFlags(path: string): string {
  const at = path.lastIndexOf("/");
  const dir = at === -1 ? "." : at === 0 ? "/" : path.slice(0, at);
  const absolute = path.startsWith("/") ? path : `$PWD/${path.replace(/^\.\//, "")}`;
  return `--allow-read=${dir} --allow-write=${dir} --allow-net=unix:${absolute}`;
}

/**
 * Bytes of path that fit in `sockaddr_un.sun_path`: 108, less the closing
 * NUL. The kernel counts the path it is given: Python passes a relative
 * path as written (it is resolved from the current folder, so only its own
 * bytes count); Deno 2.9, unless run with `--allow-all`, makes it absolute
 * first (for its permission check), so there the absolute path must fit.
 */
export const SUN_PATH_MAX = 107;

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
 * Turns one of Deno's errors on a Unix socket into a {@linkcode LessonError}
 * that says what happened: what the command line does with every error
 * lesson 08 lets rise. Errors it does not know are returned unchanged.
 *
 * @example A client whose server is not running
 * ```ts
 * import { explainUnixError } from "./socket_file.ts";
 * import { formatError } from "../../lib/errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = explainUnixError(new Deno.errors.NotFound("No such file or directory"), {
 *   action: "connect",
 *   path: ".tmp/hello.sock",
 * });
 * assert.equal(formatError(err), "error: there is no socket at .tmp/hello.sock (start the server first)");
 * ```
 */
export function explainUnixError(err: unknown, ctx: UnixErrorContext): unknown {
  const { path } = ctx;
  const options = { cause: err };
  if (err instanceof LessonError) return err;
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
  if (err instanceof Deno.errors.ConnectionReset || err instanceof Deno.errors.BrokenPipe) {
    return new ConnectionLostError(
      `the server on ${path} reset the connection in the middle of the conversation`,
      "was it stopped? start it again",
      options,
    );
  }
  if (err instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      `Deno was not given permission to use the socket ${path}`,
      `run it with that permission: deno run ${
        unixPermissionFlags(path)
      } lessons/08_unix_sockets.ts ...`,
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
    return new LessonError(
      `the socket path ${path} is too long: sockaddr_un holds ${SUN_PATH_MAX} bytes`,
      "Deno counts the absolute path: choose a shorter --path, e.g. under /tmp",
      options,
    );
  }
  return err;
}

/**
 * Runs `run` and puts any socket error it throws in words for `path`: the
 * one place lesson 08's command line translates errors (the shared edge
 * knows hosts and ports, not paths).
 */
export async function explained<T>(ctx: UnixErrorContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw explainUnixError(err, ctx);
  }
}
