/**
 * Listening and connecting over TCP, with loopback defaults and errors a
 * person can act on.
 *
 * Python's server needs three calls, `socket()`, `bind()` and `listen()`;
 * `Deno.listen` makes all three. Python's client is `socket()` and
 * `connect()`; `Deno.connect` does both, and resolves once the kernel has
 * finished the three-way handshake (SYN, SYN-ACK, ACK).
 *
 * @module
 */

import { bracketIpv6, formatAddr, LOOPBACK } from "./addr.ts";
import {
  AddressInUseError,
  ConnectionRefusedError,
  HostNotFoundError,
  LessonError,
  PermissionError,
  TimeoutError,
} from "./errors.ts";

/** Where a socket was going when it failed, and what to tell the person. */
export interface NetErrorContext {
  /** `listen` for a server's bind, `connect` for a client. */
  action: "listen" | "connect";
  /** The address asked for. */
  hostname: string;
  /** The port asked for. */
  port: number;
  /** Replaces the default hint, e.g. `start the server first: deno task 03 server`. */
  hint?: string;
}

/**
 * Turns one of Deno's socket errors into a typed {@linkcode LessonError} whose
 * message says what happened in words. Errors it does not know are returned
 * unchanged.
 *
 * @example
 * ```ts
 * import { explainNetError } from "./tcp.ts";
 * import { formatError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = explainNetError(new Deno.errors.AddrInUse("os error 98"), {
 *   action: "listen",
 *   hostname: "127.0.0.1",
 *   port: 9999,
 * });
 * assert.equal(
 *   formatError(err),
 *   "error: port 9999 is already in use (another server running? choose --port)",
 * );
 * ```
 */
export function explainNetError(err: unknown, ctx: NetErrorContext): unknown {
  const where = formatAddr(ctx);
  const options = { cause: err };
  if (err instanceof Deno.errors.AddrInUse) {
    return new AddressInUseError(
      `port ${ctx.port} is already in use`,
      ctx.hint ?? "another server running? choose --port",
      options,
    );
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(
      `nothing is listening on ${where}`,
      ctx.hint ?? "start the server first",
      options,
    );
  }
  if (err instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      `Deno was not given permission to use the network at ${where}`,
      `run it with that permission: deno run --allow-net=${
        bracketIpv6(ctx.hostname)
      } ${mainScript()} ...`,
      options,
    );
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new PermissionError(
      `the system refused to ${ctx.action} on ${where}`,
      ctx.port < 1024 && ctx.action === "listen"
        ? "ports below 1024 need administrator rights: choose a port from 1024 up"
        : "check firewall rules and privileges",
      options,
    );
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return new LessonError(
      `${ctx.hostname} is not an address of this machine`,
      "use 127.0.0.1, or an address `ip addr` lists",
      options,
    );
  }
  if (err instanceof Deno.errors.TimedOut) {
    return new TimeoutError(
      `no answer from ${where}`,
      "is the host reachable? is a firewall dropping packets?",
      options,
    );
  }
  if (err instanceof Error && /lookup address|name resolution|not known/i.test(err.message)) {
    return new HostNotFoundError(
      `host not found: ${ctx.hostname}`,
      "check the spelling, or use an IP address",
      options,
    );
  }
  return err;
}

/** The running script as a learner would type it (`lessons/03_tcp_hello.ts`). */
export function mainScript(): string {
  const path = decodeURIComponent(new URL(Deno.mainModule).pathname);
  const at = path.lastIndexOf("/lessons/");
  return at === -1 ? path : path.slice(at + 1);
}

/** Options for {@linkcode listenTcp}. */
export interface ListenTcpOptions {
  /** Address to bind. Default `127.0.0.1`: only this machine can connect. */
  host?: string;
  /** Port to bind; `0` asks the kernel for any free port. */
  port?: number;
  /** Python's `listen(n)`: how many finished handshakes may wait for `accept()`. */
  backlog?: number;
  /** Replaces the hint shown when the port is taken. */
  hint?: string;
}

/**
 * Python's `socket()` + `bind()` + `listen()`: opens a TCP listening socket.
 * Binds 127.0.0.1 unless told otherwise, so nothing outside this machine can
 * reach a lesson's server by accident.
 *
 * @example Bind any free port on loopback
 * ```ts
 * import { listenTcp } from "./tcp.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = listenTcp({ port: 0 });
 * assert.equal(listener.addr.hostname, "127.0.0.1");
 * assert.ok(listener.addr.port > 0);
 * ```
 */
export function listenTcp(options: ListenTcpOptions = {}): Deno.TcpListener {
  const hostname = options.host ?? LOOPBACK;
  const port = options.port ?? 0;
  try {
    return Deno.listen({
      transport: "tcp",
      hostname,
      port,
      tcpBacklog: options.backlog,
    });
  } catch (err) {
    throw explainNetError(err, { action: "listen", hostname, port, hint: options.hint });
  }
}

/** Options for {@linkcode connectTcp}. */
export interface ConnectTcpOptions {
  /** Host name or address. Default `127.0.0.1`. */
  host?: string;
  /** Port to connect to. */
  port: number;
  /** Give up after this long without a finished handshake. Default 10 s. */
  timeoutMs?: number;
  /** Replaces the hint shown when nothing listens, e.g. `start the server first: deno task 03 server`. */
  hint?: string;
}

/** How long {@linkcode connectTcp} waits for a handshake unless told. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Python's `socket()` + `connect((host, port))`: opens a TCP connection.
 * Resolves once the three-way handshake is done; fails with a typed error if
 * nothing listens (the kernel answered the SYN with a reset), the name does
 * not resolve, or no answer comes within the timeout (SYNs lost or dropped).
 *
 * @example
 * ```ts
 * import { connectTcp, listenTcp } from "./tcp.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = listenTcp({ port: 0 });
 * using conn = await connectTcp({ port: listener.addr.port });
 * using accepted = await listener.accept();
 * assert.equal(accepted.remoteAddr.port, conn.localAddr.port);
 * ```
 */
export async function connectTcp(options: ConnectTcpOptions): Promise<Deno.TcpConn> {
  const hostname = options.host ?? LOOPBACK;
  const { port } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return await Deno.connect({ transport: "tcp", hostname, port, signal: abort.signal });
  } catch (err) {
    if (abort.signal.aborted) {
      throw new TimeoutError(
        `no answer from ${formatAddr({ hostname, port })} within ${timeoutMs} ms`,
        "is the host reachable? raise --timeout-ms",
        { cause: err },
      );
    }
    throw explainNetError(err, { action: "connect", hostname, port, hint: options.hint });
  } finally {
    clearTimeout(timer);
  }
}
