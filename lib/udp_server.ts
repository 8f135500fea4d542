/**
 * A UDP server loop: receive a datagram, handle it, go back to receiving.
 *
 * The UDP counterpart of `serveTcp`. There are no connections to accept and
 * no clients to keep apart: one socket receives every datagram with its
 * sender's address (Python's `data, addr = s.recvfrom(1024)`), and a reply is
 * one datagram sent back to that address (`s.sendto(reply, addr)`).
 *
 * @module
 */

import { formatAddr, netAddr } from "./addr.ts";
import { isClosedError } from "./errors.ts";
import { type Log, silent } from "./log.ts";
import type { RunningServer } from "./server.ts";
import { MAX_UDP_PAYLOAD } from "./udp.ts";

/** Handles one datagram. If it throws, only that datagram is dropped (and logged). */
export type DatagramHandler = (data: Uint8Array, sender: Deno.NetAddr) => Promise<void>;

/** Options for {@linkcode serveUdp}. */
export interface ServeUdpOptions {
  /** Where the server reports a dropped datagram or a failed receive. */
  log?: Log;
}

/**
 * Receives datagrams on `socket` until `close()`, calling `handler` for each,
 * one at a time. Nothing a datagram does can stop the loop: an error while
 * handling one is logged and the loop goes back to `receive()`. `close()`
 * closes the socket; the pending `receive()` then fails and the loop ends.
 *
 * @example An echo server
 * ```ts
 * import { serveUdp } from "./udp_server.ts";
 * import { bindUdp, udpRequest } from "./udp.ts";
 * import assert from "node:assert/strict";
 *
 * const socket = bindUdp({ port: 0 });
 * const server = serveUdp(socket, async (data, sender) => {
 *   await socket.send(data, sender);
 * });
 * const reply = await udpRequest(new TextEncoder().encode("ping"), { port: server.addr.port });
 * assert.equal(new TextDecoder().decode(reply), "ping");
 * await server.close();
 * ```
 */
export function serveUdp(
  socket: Deno.DatagramConn,
  handler: DatagramHandler,
  options: ServeUdpOptions = {},
): RunningServer {
  const log = options.log ?? silent;
  const finished = receiveLoop(socket, handler, log);
  let closing: Promise<void> | undefined;
  return {
    addr: netAddr(socket.addr),
    close() {
      closing ??= (async () => {
        socket.close(); // the pending receive() fails; the loop sees it and ends
        await finished;
      })();
      return closing;
    },
    finished,
  };
}

/** Python's `while True: data, addr = s.recvfrom(1024)`, and what to do with each. */
async function receiveLoop(
  socket: Deno.DatagramConn,
  handler: DatagramHandler,
  log: Log,
): Promise<void> {
  while (true) {
    let data: Uint8Array, from: Deno.Addr;
    try {
      // One receive() returns one whole datagram and the address it came from.
      [data, from] = await socket.receive();
    } catch (err) {
      if (isClosedError(err)) return; // close() was called
      log(`receive failed: ${err instanceof Error ? err.message : err}`);
      continue;
    }
    const sender = netAddr(from);
    try {
      await handler(data, sender);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      log(`Datagram from ${formatAddr(sender)} dropped: ${why}`);
    }
  }
}

/**
 * Python's `s.sendto(reply, addr)`, for a server: a reply too big for one
 * datagram is logged and not sent, and a failed send is logged; neither
 * stops the server.
 */
export async function sendReply(
  socket: Deno.DatagramConn,
  reply: Uint8Array,
  to: Deno.NetAddr,
  log: Log,
): Promise<void> {
  if (reply.length > MAX_UDP_PAYLOAD) {
    log(
      `Reply to ${formatAddr(to)} would be ${reply.length} bytes, ` +
        `more than one datagram holds (${MAX_UDP_PAYLOAD}); not sent.`,
    );
    return;
  }
  try {
    await socket.send(reply, to);
  } catch (err) {
    if (isClosedError(err)) return;
    log(`Could not answer ${formatAddr(to)}: ${err instanceof Error ? err.message : err}`);
  }
}
