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

/** Options for {@linkcode serveTcp}. */
export interface ServeTcpOptions {
  /** Where the server reports a failed connection. */
  log?: Log;
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
  const open = new Set<C>();
  const running = new Set<Promise<void>>();
  let closing = false;

  // One connection's life: run the handler, report what went wrong, close.
  async function serveOne(conn: C): Promise<void> {
    try {
      await handler(conn);
    } catch (err) {
      if (!(closing && isClosedError(err))) {
        log(describeFailure(describeAddr(conn.remoteAddr), err));
      }
    } finally {
      open.delete(conn);
      closeQuietly(conn);
    }
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
      open.add(conn);
      const done = serveOne(conn); // not awaited: that is the concurrency
      running.add(done);
      done.finally(() => running.delete(done));
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
    if (graceMs > 0 && running.size > 0) await settleWithin([...running], graceMs);
    for (const conn of open) closeQuietly(conn);
    await Promise.all(running);
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
