/**
 * UDP: datagrams instead of a stream. Each `send` is one datagram and each
 * `receive` returns exactly one whole datagram, so UDP never merges or splits
 * messages the way TCP does. In exchange it promises nothing else: a datagram
 * can be lost, duplicated, or overtaken by a later one, and nobody tells you.
 * A client that waits for a reply must therefore stop waiting (a timeout) and
 * ask again (retries).
 *
 * Deno's datagram API is unstable: run with `--unstable-net`, or set
 * `"unstable": ["net"]` in deno.json as this project does.
 *
 * @module
 */

import { formatAddr, LOOPBACK } from "./addr.ts";
import { LessonError, TimeoutError } from "./errors.ts";
import { explainNetError } from "./tcp.ts";

/**
 * The largest UDP payload IPv4 can carry: an IP packet is at most 65,535
 * bytes, less 20 for the IPv4 header and 8 for the UDP header.
 */
export const MAX_UDP_PAYLOAD = 65_535 - 20 - 8;

/** Options for {@linkcode bindUdp}. */
export interface BindUdpOptions {
  /** Address to bind. Default `127.0.0.1` (Deno's own default is `0.0.0.0`: every interface). */
  host?: string;
  /** Port to bind; `0` asks the kernel for any free port. */
  port?: number;
  /** Replaces the hint shown when the port is taken. */
  hint?: string;
}

/**
 * Python's `s = socket(AF_INET, SOCK_DGRAM); s.bind((host, port))`. There is
 * no `listen()` or `accept()`: a bound UDP socket receives datagrams from
 * anyone.
 *
 * @example
 * ```ts
 * import { bindUdp } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * const socket = bindUdp({ port: 0 });
 * assert.equal((socket.addr as Deno.NetAddr).hostname, "127.0.0.1");
 * socket.close();
 * ```
 */
export function bindUdp(options: BindUdpOptions = {}): Deno.DatagramConn {
  const hostname = options.host ?? LOOPBACK;
  const port = options.port ?? 0;
  try {
    return Deno.listenDatagram({ transport: "udp", hostname, port });
  } catch (err) {
    throw explainNetError(err, { action: "listen", hostname, port, hint: options.hint });
  }
}

/**
 * Python's `s.sendto(data, addr)`. Refuses a payload that cannot fit one
 * datagram instead of letting the kernel fail with EMSGSIZE.
 */
export async function sendDatagram(
  socket: Deno.DatagramConn,
  payload: Uint8Array,
  to: { hostname: string; port: number },
): Promise<void> {
  if (payload.length > MAX_UDP_PAYLOAD) {
    throw new LessonError(
      `${payload.length} bytes do not fit one UDP datagram (at most ${MAX_UDP_PAYLOAD})`,
      "send less, or use TCP",
    );
  }
  await socket.send(payload, { transport: "udp", hostname: to.hostname, port: to.port });
}

/** Options for {@linkcode udpRequest}. */
export interface UdpRequestOptions {
  /** The server's host. Default `127.0.0.1`. */
  host?: string;
  /** The server's port. */
  port: number;
  /** How long to wait for a reply to each try. Default 1000 ms. */
  timeoutMs?: number;
  /** How many times to send before giving up. Default 3. */
  tries?: number;
  /** Replaces the hint shown when no reply comes, e.g. `start the server first: deno task 04 server`. */
  hint?: string;
  /** Called before each retry (not before the first send), with its number. */
  onRetry?: (attempt: number) => void;
}

/**
 * Sends `payload` to a UDP server and resolves to its reply, sending again if
 * no reply comes within the timeout. Each request gets its own socket (its own
 * port), so a late reply to an earlier request can never be taken for the
 * answer to this one; datagrams from any address but the server's are
 * ignored.
 *
 * @example Ask an echo server
 * ```ts
 * import { bindUdp, udpRequest } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * const server = bindUdp({ port: 0 });
 * const serving = (async () => {
 *   const [data, from] = await server.receive();
 *   await server.send(data, from);
 * })();
 * const port = (server.addr as Deno.NetAddr).port;
 * const reply = await udpRequest(new TextEncoder().encode("ping"), { port });
 * assert.equal(new TextDecoder().decode(reply), "ping");
 * await serving;
 * server.close();
 * ```
 */
export async function udpRequest(
  payload: Uint8Array,
  options: UdpRequestOptions,
): Promise<Uint8Array> {
  const hostname = options.host ?? LOOPBACK;
  const { port } = options;
  const timeoutMs = options.timeoutMs ?? 1000;
  const tries = options.tries ?? 3;
  // Bind where the reply can reach us: loopback for a loopback server (least
  // privilege: --allow-net=127.0.0.1 suffices), every interface otherwise.
  const local = hostname.startsWith("127.") || hostname === "localhost"
    ? LOOPBACK
    : hostname.includes(":")
    ? "::"
    : "0.0.0.0";
  const socket = bindUdp({ host: local, port: 0 });
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  try {
    for (let attempt = 1; attempt <= tries; attempt++) {
      if (attempt > 1) options.onRetry?.(attempt);
      await sendDatagram(socket, payload, { hostname, port });
      const deadline = Date.now() + timeoutMs;
      while (true) {
        // Reuse a receive() still waiting from the last try: one at a time.
        pending ??= socket.receive();
        const got = await raceTimeout(pending, deadline - Date.now());
        if (got === undefined) break; // timed out: send again
        pending = undefined;
        const [data, from] = got;
        if (isFrom(from, hostname, port)) return data;
      }
    }
  } catch (err) {
    throw explainNetError(err, { action: "connect", hostname, port, hint: options.hint });
  } finally {
    // Closing the socket cancels a receive() still waiting; that is expected.
    pending?.catch(() => {});
    socket.close();
  }
  throw new TimeoutError(
    `no reply from ${formatAddr({ hostname, port })} after ${tries} ${
      tries === 1 ? "try" : "tries"
    } of ${timeoutMs} ms`,
    options.hint ?? "is the server running? UDP gives no error when nobody listens",
  );
}

/** True when a datagram came from the server we asked. */
function isFrom(from: Deno.Addr, hostname: string, port: number): boolean {
  if (from.transport !== "udp" || from.port !== port) return false;
  // A name such as "localhost" arrives as an address: only compare literals.
  const literal = /^[\d.]+$/.test(hostname) || hostname.includes(":");
  return !literal || from.hostname === hostname;
}

/**
 * Waits for `promise` at most `ms` milliseconds: its value, or `undefined` if
 * time ran out first. The promise itself is left running.
 */
export async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
