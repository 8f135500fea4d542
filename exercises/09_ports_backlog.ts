/**
 * # Exercise 09 · Ports, addresses and the backlog: what the kernel really does
 *
 * Fill in the five TODOs below, each an experiment that checks one of the
 * tutorials' claims against the kernel: a taken port refuses a second bind,
 * TCP and UDP share a port number, a restarted server binds again at once
 * (`SO_REUSEADDR`), and what `listen(5)` really limits (two TODOs). Reading
 * `ss`, the address probes, privileged ports, the demo and the flags are
 * done for you. Check your work with:
 *
 *   deno task verify 09        (the same tests as lessons/09_ports_backlog.ts)
 *   deno task hint 09          (one more hint each time you ask)
 *
 * Stuck for good? lessons/09_ports_backlog.ts is the worked answer. (The
 * demo also runs exercise 03's hello server over IPv6, with [::1] allowed.)
 *
 * Permissions: 127.0.0.1 and 127.0.0.2 (two loopback addresses), 0.0.0.0
 * (every interface: binding it is the point of one step), [::1] (IPv6
 * loopback), and `--allow-run=ss` to ask Linux for its socket table (queue
 * lengths, TIME-WAIT): Deno refuses to read /proc without `--allow-all`, and
 * `ss` only reports. A step whose permission is missing (the tour grants only
 * 127.0.0.1) is skipped with a note saying which flag it needs.
 *
 * @module
 */

// Until the TODOs are filled in, some imports and helpers are unused, some
// variables are assigned only once and some async functions have nothing to
// await: that is expected.
// deno-lint-ignore-file no-unused-vars prefer-const require-await

import { bracketIpv6, formatAddr } from "../lib/addr.ts";
import {
  helpRequested,
  intFlag,
  parseFlags,
  portFlag,
  runMain,
  serveUntilCtrlC,
} from "../lib/cli.ts";
import {
  AddressInUseError,
  ConnectionRefusedError,
  formatError,
  TimeoutError,
  UsageError,
} from "../lib/errors.ts";
import { HELLO_PORT, TUTORIAL_NAMES } from "../lib/hello.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { closeQuietly, serveTcp } from "../lib/server.ts";
import { connectTcp, explainNetError, listenTcp } from "../lib/tcp.ts";
import { bindUdp } from "../lib/udp.ts";
import { runHelloClient, startHelloServer } from "./03_tcp_hello.ts";
import { todo } from "./_todo.ts";

/** The tutorial's `listen(5)`. */
export const TUTORIAL_BACKLOG = 5;

/** How long a backlog client waits for its handshake before counting as dropped. */
export const DEFAULT_BACKLOG_TIMEOUT_MS = 300;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ── Reading what the kernel reports ─────────────────────────────────────────

/** One TCP socket as `ss -tan` lists it. */
export interface SocketRow {
  /** `LISTEN`, `ESTAB`, `TIME-WAIT`, ... */
  state: string;
  /** A listener: connections waiting in the accept queue. Others: bytes not yet read. */
  recvQ: number;
  /** A listener: the backlog the kernel applied. Others: bytes not yet acknowledged. */
  sendQ: number;
  /** Local address, as ss prints it (`127.0.0.1:9999`, `[::1]:9999`). */
  local: string;
  /** The local port. */
  localPort: number;
}

/**
 * Parses `ss -Htan` output (no header line). For a listening socket, ss
 * reports the accept queue's length (Recv-Q) and its limit (Send-Q).
 *
 * @example
 * ```ts ignore
 * import { parseSs } from "./09_ports_backlog.ts";
 * import assert from "node:assert/strict";
 *
 * const [row] = parseSs("LISTEN 2      5      127.0.0.1:9999      0.0.0.0:*\n");
 * assert.deepEqual(row, {
 *   state: "LISTEN",
 *   recvQ: 2,
 *   sendQ: 5,
 *   local: "127.0.0.1:9999",
 *   localPort: 9999,
 * });
 * ```
 */
export function parseSs(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split("\n")) {
    const [state, recvQ, sendQ, local] = line.trim().split(/\s+/);
    if (local === undefined) continue;
    const localPort = Number(local.slice(local.lastIndexOf(":") + 1));
    rows.push({ state, recvQ: Number(recvQ), sendQ: Number(sendQ), local, localPort });
  }
  return rows;
}

/**
 * The TCP sockets on local port `port`, as the kernel reports them through
 * `ss` (Linux's socket statistics tool). Deno lets no program read /proc
 * without `--allow-all`, so the lesson asks `ss` instead, with
 * `--allow-run=ss`. `undefined` when that is not allowed or ss is missing.
 */
export async function tcpSocketsOnPort(port: number): Promise<SocketRow[] | undefined> {
  if (Deno.permissions.querySync({ name: "run", command: "ss" }).state !== "granted") {
    return undefined;
  }
  try {
    const command = new Deno.Command("ss", {
      args: ["-Htan", "sport", "=", `:${port}`],
      stdout: "piped",
      stderr: "null",
    });
    const { success, stdout } = await command.output();
    return success ? parseSs(decoder.decode(stdout)) : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** True if this process may use `host` on the network (asks Deno, never prompts). */
export function netAllowed(host: string): boolean {
  return Deno.permissions.querySync({ name: "net", host: bracketIpv6(host) }).state === "granted";
}

/** The note for a step that was skipped for lack of a permission. */
function needs(flag: string): string {
  return `skipped: needs ${flag} (deno task 09 grants it)`;
}

// ── 1. A port that is taken ─────────────────────────────────────────────────

/** What binding a taken port says. */
export interface PortTaken {
  /** The port both sockets asked for. */
  port: number;
  /** Deno's own error: `AddrInUse: Address already in use (os error 98)`. */
  denoError: string;
  /** The project's one line for it. */
  lessonError: string;
}

/**
 * Binds a free port, then binds it again while the first socket holds it.
 * Python: `s2.bind(('127.0.0.1', port))` → `OSError: [Errno 98] Address already in use`.
 */
export function bindTakenPort(): PortTaken {
  using first = listenTcp({ port: 0 });
  const { port } = first.addr;
  // TODO 1: bind `port` again while `first` still holds it, and report how it fails.
  //   Python: s2 = socket.socket(); s2.bind(('127.0.0.1', port))
  //           → OSError: [Errno 98] Address already in use
  //   Deno:   using _second = listenTcp({ port });   // Deno.listen underneath
  //           It throws AddressInUseError (lib/errors.ts); rethrow any other error. Return
  //           { port, denoError, lessonError: formatError(err) }, where denoError is Deno's own
  //           error, kept as err.cause: `${err.cause.name}: ${err.cause.message}` ("" if
  //           err.cause is not an Error).
  //   If the second bind succeeds, this kernel did not refuse it:
  //           throw new Error(`port ${port} was bound twice: this kernel does not refuse it`);
  todo("09", "bind the held port a second time and return both error lines (bindTakenPort)");
}

// ── 2. TCP and UDP on one port ──────────────────────────────────────────────

/** What each socket received on the shared port. */
export interface SharedPort {
  /** The port number both sockets hold. */
  port: number;
  /** What arrived over a TCP connection to that port. */
  tcpReceived: string;
  /** What arrived as a UDP datagram to that port. */
  udpReceived: string;
}

/**
 * Binds TCP and UDP on the same port number and shows both receive: the
 * kernel keeps one port table per protocol (seed 003's 9999 for both).
 */
export async function shareTcpAndUdpPort(): Promise<SharedPort> {
  using tcp = listenTcp({ port: 0 });
  const { port } = tcp.addr;
  // TODO 2: bind a UDP socket on the same port number, then send to each and read what came.
  //   Python (seed 003): the TCP server and the UDP server both bind(('127.0.0.1', 9999)).
  //   Deno:   const udp = bindUdp({ port });         // no "address in use": UDP has its own ports
  //           const sender = bindUdp({ port: 0 });   // a second UDP socket to send from
  //           Over TCP: using client = await connectTcp({ port });
  //                     using accepted = await tcp.accept();
  //                     await writeAll(client, encoder.encode("over TCP"));
  //           Over UDP: await sender.send(encoder.encode("over UDP"),
  //                       { transport: "udp", hostname: "127.0.0.1", port });   // sendto
  //                     const [datagram] = await udp.receive();                // recvfrom
  //           const chunk = await readChunk(accepted, 64);
  //           return { port, tcpReceived: decoder.decode(chunk ?? new Uint8Array()),
  //                    udpReceived: decoder.decode(datagram) };
  //   Close `sender` and `udp` in a finally: the tests fail on a socket left open.
  todo("09", "bind UDP on the TCP port and show that both receive (shareTcpAndUdpPort)");
}

// ── 3. Restarting right after a connection closed ───────────────────────────

/** What a restart on the same port found. */
export interface Restart {
  /** The server's port. */
  port: number;
  /** Sockets on that port in TIME_WAIT when the new server bound (undefined: ss not allowed). */
  timeWait: number | undefined;
  /** Whether the new listener could bind the port at once. */
  rebound: boolean;
  /** The error line if it could not. */
  error?: string;
}

/**
 * A server accepts a connection and hangs up first, then stops; a new server
 * binds the same port at once. The side that closes first keeps the
 * connection in TIME_WAIT (60 s on Linux) so late packets of the old
 * connection cannot be taken for a new one. Without `SO_REUSEADDR` that
 * leftover blocks `bind()`: the tutorial's "Address already in use" after a
 * restart, and its `setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)` fix. Deno sets
 * that option on every listener it creates.
 */
export async function restartAfterClose(): Promise<Restart> {
  let port: number;
  {
    using listener = listenTcp({ port: 0 });
    port = listener.addr.port;
    using client = await connectTcp({ port });
    // Python: conn.close(), the server side first: it sends FIN, and once the
    // client's FIN comes back, the server's side enters TIME_WAIT.
    (await listener.accept()).close();
    await readChunk(client, 1); // null: the client sees the server's FIN
  } // the client closes, then the listener: the server has "stopped"
  // Python: os.system(f"ss -tan sport = :{port}")
  const timeWait = (await tcpSocketsOnPort(port))?.filter((s) => s.state === "TIME-WAIT").length;
  // TODO 3: the restart: bind the same port again, at once, while the old connection waits.
  //   Python: server = socket.socket()
  //           server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
  //           server.bind(('127.0.0.1', port))
  //   Deno:   using _again = listenTcp({ port });   // Deno sets SO_REUSEADDR on every listener
  //           return { port, timeWait, rebound: true };
  //   If it throws AddressInUseError (no SO_REUSEADDR), that is the tutorial's problem:
  //           return { port, timeWait, rebound: false, error: formatError(err) };
  //   Rethrow any other error.
  todo("09", "bind the port again right after the old server stopped (restartAfterClose)");
}

// ── 4. The backlog ──────────────────────────────────────────────────────────

/** Options for {@linkcode measureBacklog}. */
export interface BacklogOptions {
  /** Python's `listen(n)`, Deno's `tcpBacklog`. Default 5; `null` for Deno's own default (511). */
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
  /** What the first client sent before it was accepted, read after `accept()`. */
  sentBeforeAccept: string;
  /** Whether a new client got in at once after the server accepted the queue. */
  connectedAfterAccept: boolean;
}

/**
 * Listens with a backlog, then connects clients one after another while
 * nobody calls `accept()`, and counts what happens. On Linux the first
 * backlog + 1 complete their handshake (the kernel does it; `accept()` only
 * takes finished connections off the queue); every later SYN is dropped
 * without an answer, so those clients time out instead of being refused.
 * Then the server accepts them all, and a new client gets in at once: the
 * backlog limits waiting connections, not served ones.
 */
export async function measureBacklog(options: BacklogOptions = {}): Promise<BacklogResult> {
  const log = options.log ?? silent;
  const backlog = options.backlog === undefined ? TUTORIAL_BACKLOG : options.backlog;
  const clients = options.clients ?? (backlog ?? 511) + 3;
  const timeoutMs = options.timeoutMs ?? DEFAULT_BACKLOG_TIMEOUT_MS;
  // Python: s.listen(5)
  using listener = listenTcp({ port: 0, backlog: backlog ?? undefined });
  const { port } = listener.addr;
  const waiting: Deno.TcpConn[] = [];
  const accepted: Deno.TcpConn[] = [];
  let timedOut = 0;
  let refused = 0;
  try {
    for (let i = 1; i <= clients; i++) {
      // TODO 4: connect client i while nobody calls accept(), and count what happened.
      //   Python: for i in range(clients):
      //               socket.create_connection(('127.0.0.1', port), timeout=0.3)
      //   Deno:   waiting.push(await connectTcp({ port, timeoutMs }));   // the handshake finished
      //           log(`client ${i}: connected (queued; nobody has called accept())`);
      //           ConnectionRefusedError (a reset): refused++ and
      //             log(`client ${i}: refused (the kernel answered the SYN with a reset)`);
      //           TimeoutError (no answer at all): timedOut++ and
      //             log(`client ${i}: no answer within ${timeoutMs} ms (the SYN was dropped, not refused)`);
      //           any other error: throw it. (The tests compare these lines word for word.)
      todo("09", "connect each client and count connected, refused and timed out (measureBacklog)");
    }
    const listening = (await tcpSocketsOnPort(port))?.find((s) => s.state === "LISTEN");
    const queued = listening?.recvQ;
    const limit = listening?.sendQ;

    let connectedAfterAccept = false;
    // TODO 5: show that a queued connection is already whole, then empty the queue and try again.
    //   Python: conn, addr = s.accept(), once per waiting client
    //   Deno:   if (waiting.length > 0) await writeAll(waiting[0], encoder.encode("sent before accept()"));
    //             (nobody accepted it, yet the kernel takes its bytes and keeps them)
    //           for each waiting client: accepted.push(await listener.accept());
    //           const first = accepted.length > 0 ? await readChunk(accepted[0], 64) : null;
    //           Then one more client, with the queue empty:
    //             using _late = await connectTcp({ port, timeoutMs });
    //             accepted.push(await listener.accept());
    //             connectedAfterAccept = true;
    //           A TimeoutError there leaves connectedAfterAccept false; rethrow anything else.
    //   The backlog limits connections waiting for accept(), not the ones being served.
    const first: Uint8Array | null = todo(
      "09",
      "write before accept(), accept the queue, then connect one more client (measureBacklog)",
    );
    return {
      backlog,
      clients,
      connected: waiting.length,
      timedOut,
      refused,
      timeoutMs,
      queued,
      limit,
      sentBeforeAccept: first === null ? "" : decoder.decode(first),
      connectedAfterAccept,
    };
  } finally {
    // The server's side first: whoever closes first keeps the connection in
    // TIME_WAIT, and on the server's side that is the one listening port,
    // not hundreds of the clients' ephemeral ports that others may need.
    for (const conn of [...accepted, ...waiting]) closeQuietly(conn);
  }
}

/**
 * With the accept queue full, starts one more client, accepts one queued
 * connection `acceptAfterMs` later, and returns how long the new client's
 * connect took in all: it gets in only when its SYN is sent again (the first
 * retransmission comes about 1 s after the first SYN on Linux).
 */
export async function measureSynRetry(acceptAfterMs = 100): Promise<number> {
  using listener = listenTcp({ port: 0, backlog: 0 });
  const { port } = listener.addr;
  using _queued = await connectTcp({ port }); // backlog 0: one fits
  const started = performance.now();
  const late = connectTcp({ port, timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, acceptAfterMs));
  using _accepted = await listener.accept();
  using _late = await late;
  const ms = performance.now() - started;
  (await listener.accept()).close();
  return ms;
}

/**
 * The backlog the kernel applies when asked for `requested` (`null`: Deno's
 * default), as `ss` reports it; `undefined` when ss is not allowed.
 */
export async function effectiveBacklog(requested: number | null): Promise<number | undefined> {
  using listener = listenTcp({ port: 0, backlog: requested ?? undefined });
  const rows = await tcpSocketsOnPort(listener.addr.port);
  return rows?.find((row) => row.state === "LISTEN")?.sendQ;
}

// ── 5. Which addresses a bind covers ────────────────────────────────────────

/** What connecting to one address found. */
export interface AddressProbe {
  /** The address the client connected to. */
  via: string;
  /** `accepted`, `refused`, or why it was not tried. */
  outcome: string;
}

/** Binding one address, then connecting through several. */
export interface BindProbe {
  /** The address the server bound. */
  bind: string;
  /** Why the bind itself was not done, if it was not. */
  skipped?: string;
  /** One entry per address tried. */
  probes: AddressProbe[];
}

/**
 * Binds `bindHost` on a free port and tries to connect through each of
 * `viaHosts`. The kernel delivers a SYN to a listener only if the listener's
 * address is the destination address, or the wildcard of the same family
 * (`0.0.0.0` for IPv4, `::` for IPv6); otherwise it answers with a reset
 * (connection refused).
 */
export async function probeBindAddress(bindHost: string, viaHosts: string[]): Promise<BindProbe> {
  if (!netAllowed(bindHost)) {
    return { bind: bindHost, skipped: needs(`--allow-net=${bracketIpv6(bindHost)}`), probes: [] };
  }
  let listener: Deno.TcpListener;
  try {
    listener = listenTcp({ host: bindHost, port: 0 });
  } catch (err) {
    // No IPv6 on this machine (a container without it): report, don't fail.
    return { bind: bindHost, skipped: `unavailable here: ${formatError(err)}`, probes: [] };
  }
  try {
    const probes: AddressProbe[] = [];
    for (const via of viaHosts) {
      probes.push({ via, outcome: await knock(listener, via) });
    }
    return { bind: bindHost, probes };
  } finally {
    listener.close();
  }
}

/** Connects to `listener`'s port through `via`: `accepted` or `refused`, or why not tried. */
async function knock(listener: Deno.TcpListener, via: string): Promise<string> {
  if (!netAllowed(via)) return needs(`--allow-net=${bracketIpv6(via)}`);
  try {
    using _conn = await connectTcp({ host: via, port: listener.addr.port, timeoutMs: 2_000 });
    (await listener.accept()).close();
    return "accepted";
  } catch (err) {
    if (err instanceof ConnectionRefusedError) return "refused";
    return formatError(err);
  }
}

// ── 6. Ports below 1024 ─────────────────────────────────────────────────────

/** What binding a privileged port did here. */
export interface PrivilegedPort {
  /** The port tried. */
  port: number;
  /** `bound` (this process is privileged), `refused`, `taken`, or why not tried. */
  outcome: string;
  /** The project's line when it was refused or taken. */
  line?: string;
}

/**
 * Tries to bind `port` (below 1024) on 127.0.0.1. Linux checks the privilege
 * before it checks whether the port is free, so `taken` also means the
 * privilege check passed.
 */
export function tryPrivilegedPort(port = 80): PrivilegedPort {
  try {
    using _listener = listenTcp({ port });
    return { port, outcome: "bound" };
  } catch (err) {
    const outcome = err instanceof AddressInUseError ? "taken" : "refused";
    return { port, outcome, line: formatError(err) };
  }
}

/**
 * The line a user without privileges gets for `port`: the kernel's EACCES
 * (Deno's `PermissionDenied`) through the project's explanation.
 */
export function unprivilegedBindError(port = 80): string {
  const err = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  return formatError(explainNetError(err, { action: "listen", hostname: "127.0.0.1", port }));
}

// ── The demo ────────────────────────────────────────────────────────────────

/** The measured demo: each claim of the lesson, done and reported. */
export async function demo(log: Log): Promise<void> {
  // Step 1: two sockets, one port.
  const taken = bindTakenPort();
  log(`1. A second bind of port ${taken.port}: Deno says "${taken.denoError}",`);
  log(`   the lessons say: ${taken.lessonError}`);

  // Step 2: TCP and UDP each have their own ports.
  const shared = await shareTcpAndUdpPort();
  log(
    `2. TCP and UDP both bound port ${shared.port}: the TCP socket received ` +
      `"${shared.tcpReceived}", the UDP socket "${shared.udpReceived}".`,
  );

  // Step 3: restart after a connection closed.
  const restart = await restartAfterClose();
  const tw = restart.timeWait === undefined
    ? ` (TIME-WAIT not shown: ${needs("--allow-run=ss")})`
    : `, while ss lists ${restart.timeWait} connection(s) on that port in TIME-WAIT`;
  log(
    restart.rebound
      ? `3. A new server bound port ${restart.port} right after the old one stopped${tw}.`
      : `3. A new server could NOT bind port ${restart.port}${tw}: ${restart.error}`,
  );
  log("   Deno sets SO_REUSEADDR on its listeners (the tutorial's fix): no waiting 60 s.");

  // Step 4: the backlog, with the tutorial's listen(5).
  log(`4. listen(${TUTORIAL_BACKLOG}), nobody calls accept(), 8 clients connect one by one:`);
  const result = await measureBacklog({ clients: 8, log: indented(log) });
  logBacklog(indented(log), result);
  const deflt = await measureBacklog({ backlog: null, clients: 513 });
  log(
    `   Deno's default backlog: ${deflt.connected} of ${deflt.clients} connected, ` +
      `${deflt.timedOut} timed out` +
      (deflt.limit === undefined ? "." : ` (ss: the kernel applied a backlog of ${deflt.limit}).`),
  );
  const capped = await effectiveBacklog(100_000);
  if (capped !== undefined) {
    log(`   listen(100000): ss shows a limit of ${capped}: Linux caps it at net.core.somaxconn.`);
  }
  const retryMs = await measureSynRetry();
  log(
    `   A client that met a full queue got in ${retryMs.toFixed(0)} ms after its first SYN, ` +
      "though the server accepted after 100 ms: it had to wait for its SYN to be sent again.",
  );

  // Step 5: which addresses a bind covers.
  log("5. Bind one address, connect through others (127.0.0.2 is loopback too on Linux):");
  const probes = [
    await probeBindAddress("127.0.0.1", ["127.0.0.1", "127.0.0.2"]),
    await probeBindAddress("0.0.0.0", ["127.0.0.1", "127.0.0.2", "::1"]),
    await probeBindAddress("::1", ["::1", "127.0.0.1"]),
  ];
  for (const probe of probes) {
    const what = probe.skipped ??
      probe.probes.map((p) => `via ${p.via}: ${p.outcome}`).join("; ");
    log(`   bind ${probe.bind.padEnd(9)} → ${what}`);
  }
  log("   Lessons bind 127.0.0.1: only this machine can connect, whatever the firewall says.");
  log("   0.0.0.0 is every IPv4 address of this machine, the network's included.");
  await helloOverIpv6(indented(log));

  // Step 6: ports below 1024.
  const low = tryPrivilegedPort(80);
  log(
    low.outcome === "bound"
      ? "6. Port 80 bound: this process is privileged (root, or CAP_NET_BIND_SERVICE)."
      : low.outcome === "taken"
      ? `6. Port 80 is taken, so the privilege check (made first) passed: ${low.line}`
      : `6. Port 80 refused: ${low.line}`,
  );
  log(`   A user without privileges gets: ${unprivilegedBindError(80)}`);
}

/** Indents every line by three spaces, under a numbered step. */
function indented(log: Log): Log {
  return (line) => log(`   ${line}`);
}

/** The backlog result in two lines. */
function logBacklog(log: Log, r: BacklogResult): void {
  const queue = r.queued === undefined
    ? ""
    : ` (ss: ${r.queued} in the accept queue, limit ${r.limit})`;
  const plusOne = r.backlog !== null && r.connected === r.backlog + 1 ? " = backlog + 1" : "";
  log(
    `${r.connected} connected${plusOne}${queue}; ${r.timedOut} timed out, ${r.refused} refused.`,
  );
  log(
    `After accept(): the first client's "${r.sentBeforeAccept}" was waiting; ` +
      (r.connectedAfterAccept
        ? "a new client connected at once (served clients don't count)."
        : "a new client still could not connect."),
  );
}

/** Lesson 03's server and client on [::1], if IPv6 is there and allowed. */
async function helloOverIpv6(log: Log): Promise<void> {
  if (!netAllowed("::1")) return log(`Lesson 03 over IPv6: ${needs("--allow-net=[::1]")}`);
  let server;
  try {
    server = startHelloServer({ host: "::1", port: 0, log: prefixed(log, "server") });
  } catch (err) {
    return log(`Lesson 03 over IPv6: unavailable here: ${formatError(err)}`);
  }
  await using _server = server;
  await runHelloClient({
    host: "::1",
    port: server.addr.port,
    names: ["IPv6"],
    log: prefixed(log, "client"),
  });
}

const USAGE = `Lesson 09: ports, addresses and the backlog, measured

Usage:
  deno task 09                          the measured demo
  deno task 09 backlog [options]        nobody accepts; clients connect one by one; count
  deno task 09 bind [--host H] [--port P]
                                        hold a port until Ctrl+C (run it twice: the port is taken)
  deno task 09 server [--host H] [--port P]
                                        lesson 03's server, on IPv6 by default ([::1]:${HELLO_PORT})
  deno task 09 client [--host H] [--port P] [NAME...]
                                        lesson 03's client, on IPv6 by default

Options:
  --backlog N       backlog: listen(N) (default ${TUTORIAL_BACKLOG})
  --clients N       backlog: how many clients (default backlog + 3)
  --timeout-ms N    backlog: how long each client waits (default ${DEFAULT_BACKLOG_TIMEOUT_MS})
  --host H          bind: default 127.0.0.1; server and client: default ::1
  --port P          default ${HELLO_PORT}
  -h, --help        show this help`;

/** The command line: the demo, `backlog`, `bind`, `server` or `client`. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    backlog: { type: "string" },
    clients: { type: "string" },
    "timeout-ms": { type: "string" },
  });
  const [command, ...rest] = positionals;
  const port = portFlag(values.port, HELLO_PORT);
  const log: Log = (line) => console.log(line);
  if (command !== undefined && command !== "client" && rest.length > 0) {
    throw new UsageError(`${command} takes no arguments, got "${rest[0]}"`);
  }

  if (command === undefined) return await demo(log);
  if (command === "backlog") {
    const backlog = intFlag("--backlog", values.backlog, TUTORIAL_BACKLOG, { min: 0, max: 4096 });
    const clients = intFlag("--clients", values.clients, backlog + 3, { min: 1, max: 5000 });
    const timeoutMs = intFlag("--timeout-ms", values["timeout-ms"], DEFAULT_BACKLOG_TIMEOUT_MS, {
      min: 1,
      max: 60_000,
    });
    log(`listen(${backlog}); nobody calls accept(); ${clients} clients connect one by one:`);
    return logBacklog(log, await measureBacklog({ backlog, clients, timeoutMs, log }));
  }
  if (command === "bind") {
    const host = values.host ?? "127.0.0.1";
    const server = serveTcp(listenTcp({ host, port }), () => Promise.resolve());
    log(`Holding ${formatAddr({ hostname: host, port })} (TCP). Run the same command in another`);
    log("terminal to see the port taken. Ctrl+C to let it go.");
    return await serveUntilCtrlC(server, log);
  }
  const host = values.host ?? "::1";
  if (command === "server") {
    const server = startHelloServer({ host, port, log });
    return await serveUntilCtrlC(server, log);
  }
  if (command === "client") {
    const names = rest.length > 0 ? rest : TUTORIAL_NAMES;
    let replies: string[];
    try {
      replies = await runHelloClient({ host, port, names });
    } catch (err) {
      if (!(err instanceof ConnectionRefusedError)) throw err;
      throw new ConnectionRefusedError(err.message, "start the server first: deno task 09 server");
    }
    for (const reply of replies) console.log(reply);
    return;
  }
  throw new UsageError(
    `unknown command "${command}": expected backlog, bind, server or client`,
  );
}

if (import.meta.main) await runMain(() => main(Deno.args));
