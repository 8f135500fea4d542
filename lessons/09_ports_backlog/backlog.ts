/**
 * # 09 · Step 4: the backlog, measured
 *
 * The blog post «Socket概念…黏包现象» calls `listen(5)` the 半连接池 (the
 * half-open pool) and says it lets five clients run at once and makes the
 * sixth fail. Both parts are wrong on Linux. A listening socket has two
 * queues (listen(2), tcp(7)):
 *
 * - the SYN queue holds *half-open* connections: a SYN arrived and was
 *   answered with SYN-ACK, the client's final ACK has not come yet (ss
 *   shows them as SYN-RECV). This is what 半连接 means. Its length is
 *   bounded too; past that, with `net.ipv4.tcp_syncookies` = 1 (the
 *   default), Linux answers with a SYN cookie and keeps no state at all,
 *   and only without cookies does `net.ipv4.tcp_max_syn_backlog` decide
 *   which SYNs to drop.
 * - the accept queue holds *finished* handshakes waiting for `accept()`.
 *   The backlog bounds this one (capped at `net.core.somaxconn`); Linux
 *   lets backlog + 1 wait. The kernel does the whole handshake by itself:
 *   `accept()` only takes a finished connection off the queue.
 *
 * Clients the server has accepted are in no queue, so they never count.
 * With the accept queue full, Linux does not refuse: it drops the next SYN
 * without a word (counted in `TcpExtListenOverflows`), and the client's
 * kernel sends it again after 1 s, 3 s, 7 s... If a final ACK arrives while
 * the queue is full (the SYN came when there was room), that ACK is dropped
 * too: the client already thinks it is connected, the server sends SYN-ACK
 * again later, and the connection moves over once there is room; only with
 * `net.ipv4.tcp_abort_on_overflow` = 1 would it answer with a reset. (Deno's
 * documentation says such connections "will be refused": not on Linux.)
 *
 * Run alone: deno run --allow-net=127.0.0.1 --allow-run=ss,nstat lessons/09_ports_backlog/backlog.ts
 *
 * @module
 */

import { type Log, silent } from "../../lib/log.ts";
import { traced, tracedListener } from "../../lib/trace.ts";
import { counter, tcpSocketsOnPort } from "./kernel.ts";

/** The tutorial's `listen(5)`. */
export const TUTORIAL_BACKLOG = 5;

/** How long a client waits for its handshake before it counts as dropped. */
export const DEFAULT_BACKLOG_TIMEOUT_MS = 300;

/** Options for {@linkcode measureBacklog}. */
export interface BacklogOptions {
  /** Python's `listen(n)`, Deno's `tcpBacklog`. Default 5; `null`: Deno's default (511). */
  backlog?: number | null;
  /** How many clients try to connect, one after another. Default backlog + 3. */
  clients?: number;
  /** How long each waits for its handshake. Default 300 ms. */
  timeoutMs?: number;
  /** Narrates each client's fate. */
  log?: Log;
}

/** What happened when more clients connected than the backlog holds. */
export interface BacklogResult {
  /** The backlog asked for (`null`: Deno's default). */
  backlog: number | null;
  /** How many clients tried. */
  clients: number;
  /** How many finished the handshake although nobody called `accept()`. */
  connected: number;
  /** How many got no answer within the timeout (their SYN was dropped). */
  timedOut: number;
  /** How many were refused (a reset: what the tutorial expects for the sixth client). */
  refused: number;
  /** The timeout each client had. */
  timeoutMs: number;
  /** The accept queue's length as `ss` reports it (undefined: ss not allowed). */
  queued: number | undefined;
  /** The backlog the kernel applied, as `ss` reports it (undefined: ss not allowed). */
  limit: number | undefined;
  /** How much the machine's `TcpExtListenOverflows` rose meanwhile (undefined: nstat not allowed). */
  overflows: number | undefined;
  /** What the first client sent before it was accepted, read after `accept()`. */
  sentBeforeAccept: string;
  /** Whether a new client got in at once after the server accepted the queue. */
  connectedAfterAccept: boolean;
}

/**
 * Listens with a backlog, connects clients one after another while nobody
 * calls `accept()`, and counts what happens to each. Then the server
 * accepts them all, and one more client tries.
 */
export async function measureBacklog(options: BacklogOptions = {}): Promise<BacklogResult> {
  const log = options.log ?? silent;
  const backlog = options.backlog === undefined ? TUTORIAL_BACKLOG : options.backlog;
  const clients = options.clients ?? (backlog ?? 511) + 3;
  const timeoutMs = options.timeoutMs ?? DEFAULT_BACKLOG_TIMEOUT_MS;
  const overflowsBefore = await counter("TcpExtListenOverflows");
  // Python: s.bind(('127.0.0.1', 0)); s.listen(5)
  using listener = Deno.listen({
    hostname: "127.0.0.1",
    port: 0,
    tcpBacklog: backlog ?? undefined,
  });
  const { port } = listener.addr;
  const waiting: Deno.TcpConn[] = [];
  const accepted: Deno.TcpConn[] = [];
  let timedOut = 0;
  let refused = 0;
  try {
    for (let i = 1; i <= clients; i++) {
      const outcome = await tryConnect(port, timeoutMs);
      if (typeof outcome !== "string") {
        waiting.push(outcome);
        log(`client ${i}: connected (queued; nobody has called accept())`);
      } else if (outcome === "refused") {
        refused++;
        log(`client ${i}: refused (the kernel answered the SYN with a reset)`);
      } else {
        timedOut++;
        log(`client ${i}: no answer within ${timeoutMs} ms (the SYN was dropped, not refused)`);
      }
    }
    const listening = (await tcpSocketsOnPort(port))?.find((s) => s.state === "LISTEN");
    const overflowsAfter = await counter("TcpExtListenOverflows");

    // A queued connection is a whole connection: its bytes wait in the kernel.
    const encoder = new TextEncoder();
    if (waiting.length > 0) await waiting[0].write(encoder.encode("sent before accept()"));

    // Python: conn, addr = s.accept(), once per waiting client.
    for (let i = 0; i < waiting.length; i++) accepted.push(await listener.accept());
    const buffer = new Uint8Array(64);
    const n = accepted.length > 0 ? await accepted[0].read(buffer) : null;

    // Served clients do not count: with the queue empty, a new client gets in.
    const late = await tryConnect(port, timeoutMs);
    const connectedAfterAccept = typeof late !== "string";
    if (connectedAfterAccept) accepted.push(await listener.accept(), late);
    return {
      backlog,
      clients,
      connected: waiting.length,
      timedOut,
      refused,
      timeoutMs,
      queued: listening?.recvQ,
      limit: listening?.sendQ,
      overflows: overflowsAfter === undefined || overflowsBefore === undefined
        ? undefined
        : overflowsAfter - overflowsBefore,
      sentBeforeAccept: new TextDecoder().decode(buffer.subarray(0, n ?? 0)),
      connectedAfterAccept,
    };
  } finally {
    // The server's side first: whoever closes first keeps TIME_WAIT (step 3),
    // and on the server's side that is its one port, not the clients' ports.
    for (const conn of [...accepted, ...waiting]) conn.close();
  }
}

/** Connects with a deadline: the connection, or `refused`, or `timed out`. */
export async function tryConnect(port: number, timeoutMs: number): Promise<Deno.TcpConn | string> {
  try {
    // Python: socket.create_connection(('127.0.0.1', port), timeout=0.3)
    return await Deno.connect({
      hostname: "127.0.0.1",
      port,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) return "refused";
    if (err instanceof DOMException && err.name === "TimeoutError") return "timed out";
    throw err;
  }
}

/**
 * With the accept queue full (backlog 0: one fits), starts one more client,
 * accepts one queued connection `acceptAfterMs` later, and returns how long
 * the new client's connect took in all: it gets in only when its kernel
 * sends the SYN again, about 1 s after the first (the initial RTO, RFC 6298).
 */
export async function measureSynRetry(acceptAfterMs = 100): Promise<number> {
  // With --capture, tracedListener keeps every packet to this port, even the
  // SYN nobody answers: the learner sees `client → server SYN`, no SYN-ACK,
  // then the same SYN again about 1 s later, and only then the handshake.
  using listener = tracedListener(
    Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 }),
  );
  const { port } = listener.addr;
  using _queued = traced(await Deno.connect({ hostname: "127.0.0.1", port }), "client");
  const started = performance.now();
  const late = Deno.connect({ hostname: "127.0.0.1", port, signal: AbortSignal.timeout(10_000) });
  await new Promise((resolve) => setTimeout(resolve, acceptAfterMs));
  using _accepted = traced(await listener.accept(), "server");
  using _late = traced(await late, "client");
  const ms = performance.now() - started;
  (await listener.accept()).close();
  return ms;
}

/** The backlog Linux applies for `requested` (`null`: Deno's default), as ss shows it. */
export async function effectiveBacklog(requested: number | null): Promise<number | undefined> {
  using listener = Deno.listen({
    hostname: "127.0.0.1",
    port: 0,
    tcpBacklog: requested ?? undefined,
  });
  const rows = await tcpSocketsOnPort(listener.addr.port);
  return rows?.find((row) => row.state === "LISTEN")?.sendQ;
}

if (import.meta.main) {
  console.log(await measureBacklog({ log: console.log }));
  console.log("listen(100000) became", await effectiveBacklog(100_000), "(net.core.somaxconn)");
  console.log("a client that met a full queue got in after", await measureSynRetry(), "ms");
}
