/**
 * # Exercise 04b · A client that stops waiting: a timeout and retries
 *
 * Lesson 04, parts 2 and 3. The tutorial's client sends a name and waits in
 * `recv()` for ever: if the datagram or its reply is lost (even on loopback,
 * when a receive buffer is full), or no server listens (UDP says nothing),
 * it never returns. This client waits at most `timeoutMs` for each reply,
 * sends the name again, and gives up after `tries` sends.
 *
 * Check it:  deno task verify 04b        Stuck?  deno task hint 04b
 *
 * @module
 */

import {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TRIES,
  type UdpHelloClientOptions,
} from "../../lessons/04_udp_hello.ts";
import { TimeoutError } from "../../lib/errors.ts";
import { HELLO_PORT, TUTORIAL_NAMES } from "../../lib/hello.ts";
import { raceTimeout } from "../../lib/udp.ts";

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
      // TODO(04b): send `name` to `to`, then wait for the reply at most
      // `timeoutMs`; with no reply by then, send it again, up to `tries`
      // sends in all, and then throw a TimeoutError. Push each reply's text
      // onto `replies`. When it works, a server that drops the first datagram
      // still answers the second try, and a server that never answers makes
      // the client fail after `tries` × `timeoutMs`, not hang.
    }
  } finally {
    socket.close(); // Python: s.close(); a receive() still waiting fails now
    await pending?.catch(() => {});
  }
  return replies;
}
