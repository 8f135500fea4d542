/**
 * The UDP server loop lessons 04 and 06 share, once lesson 04 has shown the
 * bare one on its page:
 *
 * ```ts ignore
 * for await (const [data, addr] of socket) await socket.send(reply(data), addr);
 * ```
 *
 * plus what the tutorial leaves out: an error with one datagram (a reply too
 * big to send, a bug in the handler) costs that datagram only, not the
 * server; every datagram arrives whole, however long (Deno's `receive()`
 * without a buffer cuts an IPv6 datagram at 65,507 bytes); and `close()` lets
 * the reply being sent go out. There are no connections to accept and no
 * clients to keep apart: one socket receives every datagram with its
 * sender's address, and a reply is one datagram sent back to that address.
 *
 * @module
 */

import { formatAddr, netAddr } from "./addr.ts";
import { isClosedError } from "./errors.ts";
import { type Log, silent } from "./log.ts";
import { MAX_UDP_PAYLOAD_IPV6, raceTimeout } from "./udp.ts";

/** Handles one datagram. If it throws, only that datagram is dropped (and logged). */
export type DatagramHandler = (data: Uint8Array, sender: Deno.NetAddr) => Promise<void>;

/** A running UDP server: what a test, the demo and the command line need. */
export interface UdpServer extends AsyncDisposable {
  /** The address actually bound (port 0 becomes the port the kernel chose). */
  readonly addr: Deno.NetAddr;
  /**
   * Stops receiving, gives the datagram being answered up to `graceMs`
   * (default 0) to get its reply out, closes the socket, and resolves once
   * the loop has ended.
   */
  close(graceMs?: number): Promise<void>;
  /** Resolves once the server has stopped, whoever stopped it. */
  readonly finished: Promise<void>;
}

/** Options for {@linkcode serveUdp}. */
export interface ServeUdpOptions {
  /** Where the server reports a dropped datagram or a failed receive. */
  log?: Log;
}

/**
 * Receives datagrams on `socket` until `close()`, calling `handler` for each,
 * one at a time. Nothing a datagram does can stop the loop: an error while
 * handling one is logged and the loop goes back to `receive()`.
 *
 * @example An echo server
 * ```ts
 * import { serveUdp } from "./udp_server.ts";
 * import { bindUdp, udpRequest } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * const socket = bindUdp({ port: 0 });
 * await using server = serveUdp(socket, async (data, sender) => {
 *   await socket.send(data, sender);
 * });
 * const reply = await udpRequest(new TextEncoder().encode("ping"), { port: server.addr.port });
 * assert.equal(new TextDecoder().decode(reply), "ping");
 * ```
 */
export function serveUdp(
  socket: Deno.DatagramConn,
  handler: DatagramHandler,
  options: ServeUdpOptions = {},
): UdpServer {
  const log = options.log ?? silent;
  let closing = false;
  let current: Promise<void> = Promise.resolve();

  // Python: while True: data, addr = s.recvfrom(1024); ...
  async function receiveLoop(): Promise<void> {
    while (!closing) {
      let data: Uint8Array, from: Deno.Addr;
      try {
        // One receive() returns one whole datagram and the address it came from.
        [data, from] = await socket.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));
      } catch (err) {
        if (closing || isClosedError(err)) return; // close() was called
        log(`receive failed: ${messageOf(err)}`);
        continue;
      }
      if (closing) return; // arrived as close() began: not answered
      const sender = netAddr(from);
      // Promise.try: a handler that throws before its first await is caught too.
      current = Promise.try(() => handler(data, sender)).catch((err) => {
        if (!(closing && isClosedError(err))) {
          log(`Datagram from ${formatAddr(sender)} dropped: ${messageOf(err)}`);
        }
      });
      await current;
    }
  }

  const finished = receiveLoop();
  let stopping: Promise<void> | undefined;
  const close = (graceMs = 0): Promise<void> =>
    stopping ??= (async () => {
      closing = true;
      if (graceMs > 0) await raceTimeout(current, graceMs);
      socket.close(); // the pending receive() fails; the loop sees it and ends
      await finished;
    })();
  return { addr: netAddr(socket.addr), close, finished, [Symbol.asyncDispose]: () => close() };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
