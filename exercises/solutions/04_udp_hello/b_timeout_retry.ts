/**
 * # Exercise 04b · A client that stops waiting: a timeout and retries (the reference solution)
 *
 * @module
 */

import {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TRIES,
  type UdpHelloClientOptions,
} from "../../../lessons/04_udp_hello.ts";
import { TimeoutError } from "../../../lib/errors.ts";
import { HELLO_PORT, TUTORIAL_NAMES } from "../../../lib/hello.ts";
import { raceTimeout } from "../../../lib/udp.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends each name, one datagram each; resolves to the replies, in order. */
export async function runUdpHelloClient(options: UdpHelloClientOptions = {}): Promise<string[]> {
  const host = options.host ?? "127.0.0.1";
  const to = { transport: "udp" as const, hostname: host, port: options.port ?? HELLO_PORT };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tries = options.tries ?? DEFAULT_TRIES;
  const replies: string[] = [];
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  // A receive() still waiting when time ran out: reuse it (one at a time).
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  try {
    for (const name of options.names ?? TUTORIAL_NAMES) {
      let reply: Uint8Array | undefined;
      for (let attempt = 1; attempt <= tries && reply === undefined; attempt++) {
        await socket.send(encoder.encode(name), to); // Python: s.sendto(data, addr)
        // Python: s.settimeout(timeout); s.recv(1024), catching socket.timeout
        pending ??= socket.receive();
        const got = await raceTimeout(pending, timeoutMs);
        if (got !== undefined) [pending, reply] = [undefined, got[0]];
      }
      if (reply === undefined) {
        throw new TimeoutError(
          `no reply from ${to.hostname}:${to.port} after ${tries} tries of ${timeoutMs} ms`,
          "is the server running?",
        );
      }
      replies.push(decoder.decode(reply));
    }
  } finally {
    socket.close(); // Python: s.close(); a receive() still waiting fails now
    await pending?.catch(() => {});
  }
  return replies;
}
