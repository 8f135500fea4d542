/**
 * A TCP server loop: accept connections and serve each one concurrently.
 *
 * The tutorial starts a thread per client (`threading.Thread(target=tcplink)`)
 * because its `recv()` blocks the thread that calls it. Deno's reads don't
 * block: `await conn.read()` hands control back to the event loop until the
 * kernel has bytes. So we start each connection's handler and do *not* await
 * it; the accept loop goes straight back to `accept()`, and one thread serves
 * every client, switching between them whenever one is waiting.
 *
 * @module
 */

import { describeAddr, netAddr } from "./addr.ts";
import { isClosedError, isPeerGoneError, LessonError } from "./errors.ts";
import { type Log, silent } from "./log.ts";
import { watchConn, type WatchedConn } from "./watched_conn.ts";

/** Serves one accepted connection. The server closes `conn` when it returns. */
export type ConnectionHandler = (conn: Deno.TcpConn) => Promise<void>;

/** A running server of any kind: what `close()`-and-wait code needs. */
export interface RunningServer {
  /** The address actually bound (port 0 becomes the port the kernel chose). */
  readonly addr: Deno.NetAddr;
  /** Stops the server; resolves when everything it started has finished. */
  close(): Promise<void>;
  /** Resolves once the server has stopped, whoever stopped it. */
  readonly finished: Promise<void>;
}

/** A running TCP server. */
export interface TcpServer extends RunningServer, AsyncDisposable {
  /** How many connections are open now. */
  readonly connections: number;
  /**
   * Stops accepting, gives open connections up to `graceMs` to finish
   * (default 0), closes the rest, and resolves when every handler returned.
   */
  close(graceMs?: number): Promise<void>;
}

/** How many connections a server holds at once unless told: 1,000 (`--max-connections`). */
export const DEFAULT_MAX_CONNECTIONS = 1_000;

/** How long a connection may do nothing before it is closed, unless told: 5 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/** Options for {@linkcode serveTcp}. */
export interface ServeTcpOptions {
  /** Where the server reports a failed connection. */
  log?: Log;
  /**
   * At most this many connections at once (default 1,000). Each one costs a
   * file descriptor and some memory, and the process has a fixed number of
   * descriptors (`ulimit -n`): past the limit a new client is refused, with
   * the words of `refuse` if given, then closed. Never a hang.
   */
  maxConnections?: number;
  /**
   * What a client turned away by {@linkcode maxConnections} is told before
   * the close: a line of text, an HTTP `503`. Must not take long (see
   * `refuseWith` in `limits.ts`). Default: nothing, just the close.
   */
  refuse?: (conn: Deno.Conn) => Promise<void>;
  /**
   * Close a connection whose handler has started no read or write for this
   * long (default 5 minutes; 0: never). A client that connects and says
   * nothing would otherwise hold its socket for ever.
   */
  idleTimeoutMs?: number;
  /**
   * When `close(graceMs)` is given a grace period, make every read return end
   * of stream, as if each client had finished: a request-reply handler then
   * finishes the reply it is writing and returns, instead of waiting for a
   * next request through the whole grace period. Leave it off for protocols
   * that still talk while closing (a chat server says goodbye first).
   */
  endReadsOnClose?: boolean;
}

/**
 * Accepts connections from `listener` until closed, running `handler` for
 * each one without waiting for it to finish. An error in one connection is
 * logged and closes only that connection; the server keeps serving.
 *
 * @example An echo server, one client, then a clean stop
 * ```ts
 * import { serveTcp } from "./server.ts";
 * import { connectTcp, listenTcp } from "./tcp.ts";
 * import { readChunk, writeAll } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
 *   for (let chunk; (chunk = await readChunk(conn, 1024)) !== null;) {
 *     await writeAll(conn, chunk);
 *   }
 * });
 * {
 *   using conn = await connectTcp({ port: server.addr.port });
 *   await writeAll(conn, new TextEncoder().encode("ping"));
 *   const reply = await readChunk(conn, 1024);
 *   assert.equal(new TextDecoder().decode(reply!), "ping");
 * }
 * await server.close();
 * ```
 */
export function serveTcp(
  listener: Deno.TcpListener,
  handler: ConnectionHandler,
  options: ServeTcpOptions = {},
): TcpServer {
  const server = serveListener(listener, handler, options);
  return {
    addr: netAddr(listener.addr),
    get connections() {
      return server.connections;
    },
    close: (graceMs) => server.close(graceMs),
    finished: server.finished,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** A running server over any stream listener: TCP, or a Unix domain socket. */
export interface StreamServer extends AsyncDisposable {
  /** How many connections are open now. */
  readonly connections: number;
  /** See {@linkcode TcpServer.close}. */
  close(graceMs?: number): Promise<void>;
  /** Resolves once the server has stopped, whoever stopped it. */
  readonly finished: Promise<void>;
}

/**
 * The accept loop behind {@linkcode serveTcp}, for any kind of stream
 * listener: `Deno.listen` over TCP or over a Unix domain socket hands out
 * connections with the same `read`/`write`/`close`, so one loop serves both.
 * Failed connections are logged with {@linkcode describeAddr}.
 */
export function serveListener<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  handler: (conn: C) => Promise<void>,
  options: ServeTcpOptions = {},
): StreamServer {
  const log = options.log ?? silent;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const open = new Map<C, Served<C>>();
  const refusing = new Set<C>();
  const running = new Set<Promise<void>>();
  let closing = false;

  // One connection's life: run the handler, report what went wrong, close.
  async function serveOne(conn: C): Promise<void> {
    const served: Served<C> = { watched: watchConn(conn), seen: -1, quietChecks: 0, idle: false };
    open.set(conn, served);
    try {
      await handler(served.watched.conn);
      if (served.idle) log(idleLine(conn, idleTimeoutMs));
    } catch (err) {
      if (served.idle) log(idleLine(conn, idleTimeoutMs));
      else if (!(closing && isClosedError(err))) {
        log(describeFailure(describeAddr(conn.remoteAddr), err));
      }
    } finally {
      open.delete(conn);
      closeQuietly(conn);
    }
  }

  // Past the limit: say why (if the protocol has words for it), then close.
  // A flood of refusals gets no words: only the close, at once.
  async function refuseOne(conn: C): Promise<void> {
    log(
      `Refused ${
        describeAddr(conn.remoteAddr)
      }: ${maxConnections} connections are open, the limit (--max-connections).`,
    );
    refusing.add(conn);
    try {
      if (options.refuse && refusing.size <= maxConnections) await options.refuse(conn);
    } catch (err) {
      if (!isPeerGoneError(err) && !isClosedError(err)) {
        log(`refusing failed: ${err instanceof Error ? err.message : err}`);
      }
    } finally {
      refusing.delete(conn);
      closeQuietly(conn);
    }
  }

  // The idle timeout: a few times per period, close every connection that
  // started no read or write since the last checks covering a whole period.
  function closeIdle(): void {
    for (const [conn, served] of open) {
      const activity = served.watched.activity;
      if (activity !== served.seen) {
        served.seen = activity;
        served.quietChecks = 0;
      } else if (!served.idle && ++served.quietChecks >= IDLE_CHECKS) {
        served.idle = true;
        closeQuietly(conn); // the handler's pending read fails; serveOne logs why
      }
    }
  }
  const idleTimer = idleTimeoutMs > 0
    ? setInterval(closeIdle, Math.ceil(idleTimeoutMs / IDLE_CHECKS))
    : undefined;

  function track(done: Promise<void>): void {
    running.add(done);
    done.finally(() => running.delete(done));
  }

  // Python: while True: sock, addr = s.accept(); Thread(...).start()
  async function acceptLoop(): Promise<void> {
    while (!closing) {
      let conn: C;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (closing) return; // close() closed the listener under us
        // A client that reset before we accepted it: not our problem.
        if (isPeerGoneError(err)) continue;
        log(`accept failed: ${err instanceof Error ? err.message : err}`);
        continue;
      }
      if (open.size >= maxConnections) {
        track(refuseOne(conn));
        continue;
      }
      track(serveOne(conn)); // not awaited: that is the concurrency
    }
  }

  const accepting = acceptLoop();
  let closed: Promise<void> | undefined;
  let markFinished!: () => void;
  const finished = new Promise<void>((resolve) => markFinished = resolve);

  async function shutdown(graceMs: number): Promise<void> {
    closing = true;
    closeQuietly(listener);
    await accepting;
    if (graceMs > 0 && running.size > 0) {
      if (options.endReadsOnClose) {
        for (const served of open.values()) served.watched.endReads();
      }
      await settleWithin([...running], graceMs);
    }
    for (const conn of open.keys()) closeQuietly(conn);
    for (const conn of refusing) closeQuietly(conn);
    await Promise.all(running);
    clearInterval(idleTimer);
    markFinished();
  }

  return {
    get connections() {
      return open.size;
    },
    close(graceMs = 0) {
      closed ??= shutdown(graceMs);
      return closed;
    },
    finished,
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

/** What the server knows about one connection it serves. */
interface Served<C extends Deno.Conn> {
  /** The connection as the handler sees it, with its reads and writes counted. */
  watched: WatchedConn<C>;
  /** The activity count at the last idle check. */
  seen: number;
  /** How many idle checks in a row found no new activity. */
  quietChecks: number;
  /** Set when the idle timeout closed it. */
  idle: boolean;
}

/**
 * How many checks the idle timeout makes per period: a connection is closed
 * after 4 quiet checks, so between 1 and 1.25 periods after its last read or
 * write, never sooner.
 */
const IDLE_CHECKS = 4;

function idleLine(conn: Deno.Conn, ms: number): string {
  return `Connection from ${
    describeAddr(conn.remoteAddr)
  } closed: idle for ${ms} ms (--idle-timeout-ms).`;
}

/** One log line for a connection that failed: peer gone, limit hit, or a bug. */
function describeFailure(peer: string, err: unknown): string {
  if (isPeerGoneError(err)) return `Connection from ${peer} was reset by the peer.`;
  if (err instanceof LessonError) return `Connection from ${peer} dropped: ${err.message}.`;
  const message = err instanceof Error ? err.message : String(err);
  return `Connection from ${peer} failed: ${message}`;
}

/** Closes a socket that may already be closed. */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch (err) {
    if (!(err instanceof Deno.errors.BadResource)) throw err;
  }
}

/** Waits for all `promises` to settle, or for `ms` to pass, whichever is first. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([Promise.allSettled(promises), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
