/**
 * UDP: datagrams instead of a stream. Each `send` is one datagram and each
 * `receive` returns one whole datagram, so UDP never merges or splits
 * messages the way TCP does. In exchange it promises nothing else: a datagram
 * can be lost (even on loopback, when the receiver's buffer is full),
 * duplicated, or overtaken by a later one, and nobody tells the sender. A
 * client that waits for a reply must therefore stop waiting (a timeout) and
 * ask again (retries). Lesson 04 shows the raw `send`/`receive` pair that
 * {@linkcode udpRequest} stands for.
 *
 * Deno's datagram API is unstable: run with `--unstable-net`, or set
 * `"unstable": ["net"]` in deno.json as this project does.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { formatAddr, isLoopback, LOOPBACK } from "./addr.ts";
import { AddressInUseError, HostNotFoundError, LessonError, TimeoutError } from "./errors.ts";
import { explainNetError } from "./explain.ts";
import { tracedDatagram } from "./trace.ts";

/**
 * The largest UDP payload over IPv4: an IPv4 packet is at most 65,535 bytes
 * (a 16-bit length), less 20 for the IPv4 header and 8 for the UDP header.
 */
export const MAX_UDP_PAYLOAD = 65_535 - 20 - 8;

/**
 * The largest UDP payload over IPv6 (without jumbograms, RFC 2675): 65,527.
 * IPv6's 16-bit payload length does not count its own 40-byte header, so
 * only the 8-byte UDP header comes off. Deno's `receive()` without a buffer
 * returns at most 65,507 bytes and cuts a longer datagram without a word;
 * pass a buffer of this size to get every byte.
 */
export const MAX_UDP_PAYLOAD_IPV6 = 65_535 - 8;

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
 * Python's `s = socket(AF_INET, SOCK_DGRAM); s.bind((host, port))`, with
 * Deno's errors put in words. There is no `listen()` or `accept()`: a bound
 * UDP socket receives datagrams from anyone.
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
    const explained = explainNetError(err, { hostname, port });
    if (options.hint && explained instanceof AddressInUseError) {
      throw new AddressInUseError(explained.message, options.hint, { cause: err });
    }
    throw explained;
  }
}

/** Options for {@linkcode udpRequest}. */
export interface UdpRequestOptions {
  /** The server's host: an IP address, or a name to look up. Default `127.0.0.1`. */
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
  /** The local port to ask from (Python: `s.bind(('', port))`). Default 0: any free one. */
  localPort?: number;
  /**
   * Whether a datagram from the server answers this request: a check of a
   * request id the reply echoes. Default: any datagram from the server does.
   */
  accepts?: (reply: Uint8Array) => boolean;
}

/**
 * Sends `payload` to a UDP server and resolves to its reply, sending again if
 * no reply comes within the timeout. Only a datagram from the server's own
 * address and port counts; anything else is ignored.
 *
 * Each call asks from a fresh socket (a fresh port), so a late reply to an
 * earlier call usually finds that port closed and is dropped. Usually, not
 * always: the kernel may hand this call the very port the last one released.
 * Only a request id, checked with `accepts`, rules a stale reply out.
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
  const timeoutMs = options.timeoutMs ?? 1000;
  const tries = options.tries ?? 3;
  const server = {
    transport: "udp" as const,
    hostname: await resolveHost(options.host),
    port: options.port,
  };
  const ipv6 = server.hostname.includes(":");
  const max = ipv6 ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD;
  if (payload.length > max) {
    throw new LessonError(
      `${payload.length} bytes do not fit one UDP datagram (at most ${max})`,
      "send less, or use TCP",
    );
  }
  // Bind where the reply can reach us: loopback for a loopback server (least
  // privilege: --allow-net=127.0.0.1 suffices), every interface otherwise.
  const local = isLoopback(server.hostname) ? (ipv6 ? "::1" : LOOPBACK) : (ipv6 ? "::" : "0.0.0.0");
  const socket = tracedDatagram(
    Deno.listenDatagram({ transport: "udp", hostname: local, port: options.localPort ?? 0 }),
    "client",
  );
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  try {
    for (let attempt = 1; attempt <= tries; attempt++) {
      if (attempt > 1) options.onRetry?.(attempt);
      await socket.send(payload, server);
      const deadline = Date.now() + timeoutMs;
      while (true) {
        // Reuse a receive() still waiting from the last try: one at a time.
        // Its own buffer, big enough that not even an IPv6 reply is cut.
        pending ??= socket.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));
        const got = await raceTimeout(pending, deadline - Date.now());
        if (got === undefined) break; // timed out: send again
        pending = undefined;
        const [data, from] = got;
        if (isReplyFrom(from, server) && (options.accepts?.(data) ?? true)) return data;
      }
    }
  } finally {
    // Closing the socket cancels a receive() still waiting. Deno lets go of
    // the port only once that receive() has failed: wait for it, so that the
    // port is free when this call returns.
    socket.close();
    await pending?.catch(() => {});
  }
  throw new TimeoutError(
    `no reply from ${formatAddr({ hostname: options.host ?? LOOPBACK, port: server.port })} ` +
      `after ${tries} ${tries === 1 ? "try" : "tries"} of ${timeoutMs} ms`,
    options.hint ?? "is the server running? UDP gives no error when nobody listens",
  );
}

/**
 * True when a datagram came from `server`: the same port and the same
 * address. Another host that sends from the server's port number is not the
 * server. Both addresses must be IP literals (Deno reports senders so).
 *
 * @example
 * ```ts
 * import { isReplyFrom } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * const server = { hostname: "127.0.0.1", port: 9999 };
 * assert.ok(isReplyFrom({ transport: "udp", hostname: "127.0.0.1", port: 9999 }, server));
 * assert.ok(!isReplyFrom({ transport: "udp", hostname: "127.0.0.2", port: 9999 }, server));
 * assert.ok(!isReplyFrom({ transport: "udp", hostname: "127.0.0.1", port: 9998 }, server));
 * ```
 */
export function isReplyFrom(from: Deno.Addr, server: { hostname: string; port: number }): boolean {
  if (from.transport !== "udp" || from.port !== server.port) return false;
  const expected = canonicalIp(server.hostname);
  return expected !== undefined && canonicalIp(from.hostname) === expected;
}

/**
 * An IP literal in its one canonical spelling (`127.1` → `127.0.0.1`,
 * `[0:0::1]` → `::1`), or `undefined` for a name.
 */
function canonicalIp(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  try {
    if (bare.includes(":")) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    if (/^[\d.]+$/.test(bare)) return new URL(`http://${bare}/`).hostname;
  } catch {
    // not a valid literal: treated as a name
  }
  return undefined;
}

/**
 * The address to send to: an IP literal as it is; a name looked up once, as
 * Python's `sendto()` does (getaddrinfo, so /etc/hosts counts), so that
 * replies can be checked against one address.
 */
async function resolveHost(host = LOOPBACK): Promise<string> {
  const literal = canonicalIp(host);
  if (literal !== undefined) return literal;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    // Without --allow-net for the name, Deno's getaddrinfo says EPERM.
    const code = (err as { code?: string }).code;
    if (code === "EPERM") throw new Deno.errors.NotCapable(`Requires net access to "${host}"`);
    throw new HostNotFoundError(
      `host not found: ${host}`,
      "check the spelling, or use an IP address",
      {
        cause: err,
      },
    );
  }
}

/**
 * Waits for `promise` at most `ms` milliseconds: its value, or `undefined` if
 * time ran out first. The promise itself is left running.
 *
 * @example
 * ```ts
 * import { raceTimeout } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await raceTimeout(Promise.resolve(7), 1_000), 7);
 * assert.equal(await raceTimeout(new Promise(() => {}), 5), undefined);
 * ```
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
