/**
 * # 04 · UDP hello: datagrams, no connection
 *
 * The tutorial's UDP server and client (seed 003, seed 004). There is no
 * `listen()`, no `accept()` and no connection: the server's one socket
 * receives datagrams from anyone (`recvfrom`) and answers each to the address
 * it came from (`sendto`). Each datagram arrives whole or not at all, so UDP
 * never merges or splits messages; but nothing tells the client a datagram
 * was lost, so our client waits with a timeout and asks again.
 *
 * Run the narrated demo:            deno task 04
 * Or, as in the tutorial, two terminals:
 *   deno task 04 server             (Ctrl+C to stop; --quiet only prints)
 *   deno task 04 client             (or: deno task 04 client Alice Bob)
 *
 * @module
 */

import { formatAddr, LOOPBACK, netAddr } from "../lib/addr.ts";
import {
  helpRequested,
  intFlag,
  parseFlags,
  portFlag,
  runMain,
  serveUntilCtrlC,
} from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { HELLO_PORT, helloReply, TUTORIAL_NAMES } from "../lib/hello.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import type { RunningServer } from "../lib/server.ts";
import { listenTcp } from "../lib/tcp.ts";
import { bindUdp, udpRequest } from "../lib/udp.ts";
import { sendReply, serveUdp } from "../lib/udp_server.ts";

/** The tutorial's port. A TCP server may hold 9999 at the same time. */
export const DEFAULT_PORT = HELLO_PORT;

/** How long the client waits for each reply unless told: 1 s. */
export const DEFAULT_TIMEOUT_MS = 1000;

/** How many times the client sends each name before giving up. */
export const DEFAULT_TRIES = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options for {@linkcode startUdpHelloServer}. */
export interface UdpHelloServerOptions {
  /** Address to bind. Default 127.0.0.1 (Deno's own default is 0.0.0.0). */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** Only print what arrives, answer nothing: the tutorial's receive-only server. */
  quiet?: boolean;
  /** Where the server narrates. */
  log?: Log;
}

/**
 * Binds a UDP socket and answers every datagram with `Hello, <text>!`, until
 * `close()`. Resolves nothing per client: there are no clients, only
 * datagrams, each with a return address.
 *
 * @example
 * ```ts
 * import { runUdpHelloClient, startUdpHelloServer } from "./04_udp_hello.ts";
 * import assert from "node:assert/strict";
 *
 * const server = startUdpHelloServer({ port: 0 });
 * const replies = await runUdpHelloClient({ port: server.addr.port, names: ["Ada"] });
 * assert.deepEqual(replies, ["Hello, Ada!"]);
 * await server.close();
 * ```
 */
export function startUdpHelloServer(options: UdpHelloServerOptions = {}): RunningServer {
  const log = options.log ?? silent;
  // Python: s = socket.socket(AF_INET, SOCK_DGRAM); s.bind(('127.0.0.1', 9999))
  const socket = bindUdp({ host: options.host, port: options.port ?? DEFAULT_PORT });
  const addr = netAddr(socket.addr);
  log(`Bind UDP on ${formatAddr(addr)}...`);
  // Python: while True: data, addr = s.recvfrom(1024); ...
  // serveUdp receives each datagram and hands it to handleDatagram; an error
  // with one datagram is logged and never stops the server.
  const quiet = options.quiet ?? false;
  return serveUdp(socket, (data, sender) => handleDatagram(socket, data, sender, quiet, log), {
    log,
  });
}

/**
 * Answers one datagram: log who sent it, then (unless quiet) send
 * `Hello, <text>!` back to that address.
 */
export async function handleDatagram(
  socket: Deno.DatagramConn,
  data: Uint8Array,
  sender: Deno.NetAddr,
  quiet: boolean,
  log: Log,
): Promise<void> {
  const text = decoder.decode(data);
  if (quiet) {
    log(`Received from ${formatAddr(sender)}: ${text}`);
    return;
  }
  log(`Received from ${formatAddr(sender)}.`);
  await sendReply(socket, encoder.encode(helloReply(text)), sender, log);
}

/** Options for {@linkcode runUdpHelloClient}. */
export interface UdpHelloClientOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
  /** What to send, one datagram each. Default: Michael, Tracy, Sarah. */
  names?: readonly string[];
  /** How long to wait for each reply. Default 1000 ms. */
  timeoutMs?: number;
  /** How many times to send each name. Default 3. */
  tries?: number;
  /** Where the client narrates. */
  log?: Log;
}

/**
 * The tutorial's client: for each name, `sendto()` then `recv()`. Unlike the
 * tutorial, it does not wait forever: after `timeoutMs` with no reply it
 * sends again, and after `tries` sends it fails with one clear error.
 */
export async function runUdpHelloClient(options: UdpHelloClientOptions = {}): Promise<string[]> {
  const log = options.log ?? silent;
  const port = options.port ?? DEFAULT_PORT;
  const replies: string[] = [];
  for (const name of options.names ?? TUTORIAL_NAMES) {
    log(`→ ${name}`);
    // Python: s.sendto(data, ('127.0.0.1', 9999)); print(s.recv(1024).decode())
    const reply = await udpRequest(encoder.encode(name), {
      host: options.host,
      port,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      tries: options.tries ?? DEFAULT_TRIES,
      hint: "is the server running? start it with: deno task 04 server",
      onRetry: (attempt) => log(`  no reply yet; sending ${name} again (try ${attempt})`),
    });
    const text = decoder.decode(reply);
    log(`← ${text}`);
    replies.push(text);
  }
  return replies;
}

/**
 * The narrated demo: the tutorial's exchange, a TCP socket sharing the UDP
 * port, and what a client sees when nobody answers.
 */
export async function demo(log: Log): Promise<void> {
  // Step 1: a TCP listener on a free port, so that we can show below that a
  // UDP socket can hold the same port number at the same time.
  using tcp = listenTcp({ port: 0 });
  const { port } = tcp.addr;

  // Step 2: bind the UDP server on that same port number.
  const server = startUdpHelloServer({ port, log: prefixed(log, "server") });
  try {
    // Step 3: the tutorial's client. No connect(), no handshake: just datagrams.
    await runUdpHelloClient({ port, log: prefixed(log, "client") });

    // TCP port N and UDP port N are different ports: the kernel keeps one
    // table per protocol, so both binds succeeded.
    log("");
    log(
      `A TCP listener holds port ${port} too: TCP and UDP ports are separate ` +
        `(the tutorial's 9999 for both).`,
    );
  } finally {
    await server.close();
  }

  // Step 4: a receive-only server (--quiet) answers nothing. UDP has no
  // connection to fail, so the client only learns it from the silence.
  log("");
  const quiet = startUdpHelloServer({ port: 0, quiet: true, log: prefixed(log, "quiet") });
  try {
    await runUdpHelloClient({
      port: quiet.addr.port,
      names: ["anyone there?"],
      timeoutMs: 100,
      tries: 2,
      log: prefixed(log, "client"),
    });
  } catch (err) {
    log(`client gives up: ${err instanceof Error ? err.message : err}`);
  } finally {
    await quiet.close();
  }
}

const USAGE = `Lesson 04: UDP hello server and client (the tutorial's recvfrom/sendto)

Usage:
  deno task 04                      narrated demo: server and client in one process
  deno task 04 server [options]     answer datagrams until Ctrl+C
  deno task 04 client [options] [NAME...]
                                    send each NAME (default: Michael Tracy Sarah), print the replies

Options:
  --host H          address to bind or send to (default ${LOOPBACK})
  --port P          port (default ${DEFAULT_PORT})
  --quiet           server: print what arrives, answer nothing
  --timeout-ms N    client: wait N ms for each reply (default ${DEFAULT_TIMEOUT_MS})
  --tries N         client: send each name up to N times (default ${DEFAULT_TRIES})
  -h, --help        show this help`;

/** The command line: `server`, `client`, or the demo. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    quiet: { type: "boolean" },
    "timeout-ms": { type: "string" },
    tries: { type: "string" },
  });
  const [command, ...rest] = positionals;
  const host = values.host ?? LOOPBACK;
  const port = portFlag(values.port, DEFAULT_PORT);
  const log: Log = (line) => console.log(line);

  if (command === undefined) return await demo(log);
  if (command === "server") {
    if (rest.length > 0) throw new UsageError(`server takes no arguments, got "${rest[0]}"`);
    const server = startUdpHelloServer({ host, port, quiet: values.quiet, log });
    return await serveUntilCtrlC(server, log);
  }
  if (command === "client") {
    const replies = await runUdpHelloClient({
      host,
      port,
      names: rest.length > 0 ? rest : TUTORIAL_NAMES,
      timeoutMs: intFlag("--timeout-ms", values["timeout-ms"], DEFAULT_TIMEOUT_MS, {
        min: 1,
        max: 600_000,
      }),
      tries: intFlag("--tries", values.tries, DEFAULT_TRIES, { min: 1, max: 100 }),
    });
    for (const reply of replies) console.log(reply);
    return;
  }
  throw new UsageError(`unknown command "${command}": expected server or client`);
}

if (import.meta.main) await runMain(() => main(Deno.args));
