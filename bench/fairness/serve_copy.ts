// A copy of lib/serve.ts for issue 17's experiments (bench/fairness/): change this one, not lib/.
/**
 * The server loop every stream lesson shares, once lesson 03 has shown the
 * bare one on its page:
 *
 * ```ts ignore
 * for await (const conn of listener) handle(conn); // not awaited: the next accept() starts at once
 * ```
 *
 * plus what the tutorial leaves out, each a few lines below: a limit on how
 * many connections are open at once, an idle timeout, and a close that lets
 * open conversations finish. It serves `Deno.listen` over TCP and over a
 * Unix domain socket alike: both hand out connections with the same
 * `read`/`write`/`close`.
 *
 * @module
 */

import { describeAddr } from "../../lib/addr.ts";
import { isClosedError, isPeerGoneError, LessonError } from "../../lib/errors.ts";
import { type Log, silent } from "../../lib/log.ts";
import { traced } from "../../lib/trace.ts";
import { WatchedConn } from "./watched_conn_copy.ts";

/** A running server: what a test, the demo and the command line need. */
export interface Server<A extends Deno.Addr = Deno.NetAddr> extends AsyncDisposable {
  /** The address actually bound (port 0 becomes the port the kernel chose). */
  readonly addr: A;
  /** How many connections are open now. */
  readonly connections: number;
  /**
   * Stops accepting, gives open conversations up to `graceMs` to finish
   * (default 0), closes the rest, and resolves when every handler returned.
   */
  close(graceMs?: number): Promise<void>;
  /** Resolves once the server has stopped, whoever stopped it. */
  readonly finished: Promise<void>;
}

/** How many connections a server holds at once unless told: 1,000 (`--max-connections`). */
export const DEFAULT_MAX_CONNECTIONS = 1_000;

/** How long a connection may do nothing before it is closed, unless told: 5 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/** Options for {@linkcode serve}. */
export interface ServeOptions {
  /** Where the server reports a connection that failed or was closed for a limit. */
  log?: Log;
  /**
   * At most this many connections at once (default 1,000). Each costs a file
   * descriptor, and a process has a fixed number (`ulimit -n`): past the
   * limit a new client gets the words of `refuse`, if any, then a close.
   */
  maxConnections?: number;
  /** What a client over {@linkcode maxConnections} is told before the close. Must be quick. */
  refuse?: (conn: Deno.Conn) => Promise<void>;
  /**
   * Close a connection whose handler started no read or write for this long
   * (default 5 minutes; 0: never). A client that connects and says nothing
   * would otherwise hold its socket for ever.
   */
  idleTimeoutMs?: number;
  /**
   * On `close(graceMs)` with a grace period, make every read return end of
   * stream, as if each client had finished: a request-reply handler finishes
   * the reply it is writing and returns. Leave it off for protocols that
   * still talk while closing (a chat server says goodbye first).
   */
  endReadsOnClose?: boolean;
}

/**
 * Accepts connections until closed and runs `handler` for each one without
 * waiting for it: the tutorial's thread per client. An error in one
 * connection is logged and closes only that connection. The server closes
 * each connection when its handler returns.
 *
 * @example An echo server, one client, then a clean stop
 * ```ts
 * import { serve } from "./serve_copy.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * await using server = serve(listener, async (conn) => {
 *   const buffer = new Uint8Array(1024);
 *   for (let n; (n = await conn.read(buffer)) !== null;) await conn.write(buffer.subarray(0, n));
 * });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await client.write(new TextEncoder().encode("ping"));
 * const reply = new Uint8Array(16);
 * const n = await client.read(reply);
 * assert.equal(new TextDecoder().decode(reply.subarray(0, n!)), "ping");
 * ```
 */
export function serve<C extends Deno.Conn<A>, A extends Deno.Addr>(
  listener: Deno.Listener<C, A>,
  handler: (conn: C) => Promise<void>,
  options: ServeOptions = {},
): Server<A> {
  const log = options.log ?? silent;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const open = new Map<WatchedConn<C>, Idle>();
  const running = new Set<Promise<void>>();
  let refusing = 0;
  let closing = false;

  // One connection's life: run the handler, report what went wrong, close.
  async function serveOne(conn: C): Promise<void> {
    const watched = new WatchedConn(traced(conn, "server"));
    const idle: Idle = { seen: -1, quietChecks: 0, closed: false };
    open.set(watched, idle);
    try {
      await handler(watched.asConn());
    } catch (err) {
      if (!idle.closed && !(closing && isClosedError(err))) log(describeFailure(conn, err));
    } finally {
      if (idle.closed) log(idleLine(conn, idleTimeoutMs));
      open.delete(watched);
      watched[Symbol.dispose]();
    }
  }

  // Past the limit: say why (if the protocol has words for it), then close.
  // A flood of refusals gets no words, only the close, at once.
  async function refuseOne(conn: C): Promise<void> {
    log(
      `Refused ${
        describeAddr(conn.remoteAddr)
      }: ${maxConnections} connections are open, the limit (--max-connections).`,
    );
    refusing++;
    try {
      if (options.refuse && refusing <= maxConnections) await options.refuse(conn);
    } catch (err) {
      if (!isPeerGoneError(err) && !isClosedError(err)) log(`refusing failed: ${messageOf(err)}`);
    } finally {
      refusing--;
      closeQuietly(conn);
    }
  }

  // The idle timeout: a few times per period, close every connection that
  // started no read or write since the last IDLE_CHECKS checks. Its pending
  // read then fails, and serveOne logs why.
  function closeIdle(): void {
    for (const [watched, idle] of open) {
      if (watched.activity !== idle.seen) {
        idle.seen = watched.activity;
        idle.quietChecks = 0;
      } else if (!idle.closed && ++idle.quietChecks >= IDLE_CHECKS) {
        idle.closed = true;
        closeQuietly(watched);
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

  // Python: while True: sock, addr = s.accept(); threading.Thread(target=tcplink, ...).start()
  async function acceptLoop(): Promise<void> {
    while (!closing) {
      let conn: C;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (closing) return; // close() closed the listener under us
        if (!isPeerGoneError(err)) log(`accept failed: ${messageOf(err)}`); // a reset before accept: not ours
        continue;
      }
      if (open.size >= maxConnections) track(refuseOne(conn));
      else track(serveOne(conn)); // not awaited: that is the concurrency
    }
  }

  const accepting = acceptLoop();
  const finished = Promise.withResolvers<void>();
  let closed: Promise<void> | undefined;

  async function shutdown(graceMs: number): Promise<void> {
    closing = true;
    closeQuietly(listener);
    await accepting;
    if (graceMs > 0 && running.size > 0) {
      if (options.endReadsOnClose) { for (const watched of open.keys()) watched.endReads(); }
      await settleWithin([...running], graceMs);
    }
    for (const watched of open.keys()) closeQuietly(watched);
    await Promise.all(running);
    clearInterval(idleTimer);
    finished.resolve();
  }

  return {
    addr: listener.addr,
    get connections() {
      return open.size;
    },
    close(graceMs = 0) {
      return closed ??= shutdown(graceMs);
    },
    finished: finished.promise,
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

/** What the idle timeout knows about one connection. */
interface Idle {
  /** The activity count at the last check. */
  seen: number;
  /** How many checks in a row found no new activity. */
  quietChecks: number;
  /** Set when the idle timeout closed it. */
  closed: boolean;
}

/**
 * How many checks the idle timeout makes per period: a connection is closed
 * after 4 quiet checks in a row, so between 1 and 1.25 periods after its last
 * read or write, never sooner.
 */
const IDLE_CHECKS = 4;

function idleLine(conn: Deno.Conn, ms: number): string {
  return `Connection from ${
    describeAddr(conn.remoteAddr)
  } closed: idle for ${ms} ms (--idle-timeout-ms).`;
}

/** One log line for a connection that failed: peer gone, limit hit, or a bug. */
function describeFailure(conn: Deno.Conn, err: unknown): string {
  const peer = describeAddr(conn.remoteAddr);
  if (isPeerGoneError(err)) return `Connection from ${peer} was reset by the peer.`;
  if (err instanceof LessonError) return `Connection from ${peer} dropped: ${err.message}.`;
  return `Connection from ${peer} failed: ${messageOf(err)}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
