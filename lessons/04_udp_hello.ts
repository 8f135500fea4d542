/**
 * # 04 · UDP hello: datagrams, no connection
 *
 * Follows Liao Xuefeng's "UDP编程" (reposted in 呆贝斯's "Socket网络编程学习
 * 笔记"): a server that answers each datagram with `Hello, <text>!` and a
 * client that sends it three names; and the server that only prints what it
 * receives, from the unsigned blog post "Socket概念…黏包现象". No `listen()`,
 * no `accept()`, no connection: one socket receives datagrams from anyone
 * (`recvfrom`) and answers each to the address it came from (`sendto`). A
 * datagram arrives whole or not at all; nothing tells the client it was lost.
 *
 * Run it:  deno task 04                    (the narrated demo)
 *          deno task 04 server             (then, in another terminal)
 *          deno task 04 client Alice Bob
 *
 * @module
 */

import { formatAddr, netAddr } from "../lib/addr.ts";
import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { HELLO_PORT, helloReply, TUTORIAL_NAMES } from "../lib/hello.ts";
import { type Log, silent } from "../lib/log.ts";
import { tracedDatagram } from "../lib/trace.ts";
import { MAX_UDP_PAYLOAD, MAX_UDP_PAYLOAD_IPV6, udpRequest } from "../lib/udp.ts";
import { type DatagramHandler, serveUdp, type UdpServer } from "../lib/udp_server.ts";
import { demo } from "./04_udp_hello/demo.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ── 1. The server ───────────────────────────────────────────────────────────

/** Python's `socket(AF_INET, SOCK_DGRAM)` and `bind()`, in one call. */
export function bindLikeTheTutorial(port = HELLO_PORT, host = "127.0.0.1"): Deno.DatagramConn {
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
  //         s.bind(('127.0.0.1', 9999))
  // Say the address: without it, Deno binds 0.0.0.0, every interface.
  return tracedDatagram(Deno.listenDatagram({ transport: "udp", hostname: host, port }), "server");
}

/**
 * The tutorial's loop: each datagram gets `Hello, <text>!` back, or with
 * `quiet` (the blog post's receive-only server) is only printed. Returns
 * once the socket is closed.
 */
export async function serveLikeTheTutorial(
  socket: Deno.DatagramConn,
  options: { quiet?: boolean; log?: Log } = {},
): Promise<void> {
  const log = options.log ?? silent;
  // Python: while True: data, addr = s.recvfrom(1024)
  // One datagram at a time, with its sender's address; whole up to 65,507
  // bytes (recvfrom(1024) keeps 1,024 and silently drops the rest).
  for await (const [data, addr] of socket) {
    const text = decoder.decode(data);
    if (options.quiet) {
      // Python: print(f'接收到了发送者{addr}发来的消息:', data.decode('utf-8'))
      log(`Received from ${formatAddr(netAddr(addr))}: ${text}`);
      continue;
    }
    // Python: print('Received from %s:%s.' % addr)
    log(`Received from ${formatAddr(netAddr(addr))}.`);
    // Python: s.sendto(b'Hello, %s!' % data, addr): one datagram back.
    await socket.send(encoder.encode(helloReply(text)), addr);
  }
}

// ── 2. The client ───────────────────────────────────────────────────────────

/**
 * The tutorial's client: for each name, one datagram out and one back.
 * Resolves to the replies. It waits for ever for a reply that was lost:
 * part 3 fixes that.
 */
export async function runClientLikeTheTutorial(
  options: { port?: number; names?: readonly string[]; log?: Log } = {},
): Promise<string[]> {
  const port = options.port ?? HELLO_PORT;
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM). Python binds
  // a free port at the first sendto(); Deno wants it said: port 0, any free one.
  const socket = tracedDatagram(
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
    "client",
  );
  const replies: string[] = [];
  try {
    for (const name of options.names ?? TUTORIAL_NAMES) {
      options.log?.(`→ ${name}`);
      // Python: s.sendto(data, ('127.0.0.1', 9999)). No connect(), no handshake.
      await socket.send(encoder.encode(name), { transport: "udp", hostname: "127.0.0.1", port });
      // Python: print(s.recv(1024).decode('utf-8'))
      const [reply] = await socket.receive();
      replies.push(decoder.decode(reply));
      options.log?.(`← ${replies.at(-1)}`);
    }
  } finally {
    socket.close(); // Python: s.close()
  }
  return replies;
}

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
//
// Timeouts and retries. A datagram can be lost, even here on loopback: a
// socket's receive buffer (SO_RCVBUF, 212,992 bytes by default) holds a few
// hundred small datagrams, and whatever arrives while it is full is dropped
// without a word to the sender (./04_udp_hello/loopback_loss.ts: 10,000
// sent, 256 kept). A missing server is just as silent: the kernel answers a
// datagram to a closed port with an ICMP "port unreachable", but Linux passes
// that on only to a *connected* UDP socket (Python: s.connect(addr) then
// s.recv() raises ConnectionRefusedError); an unconnected one, the only kind
// Deno.listenDatagram makes, hears nothing (ip(7), IP_RECVERR). So our client
// waits a while, then asks again: udpRequest (lib/udp.ts) is part 2's
// send/receive pair with a timer raced against receive(), a retry, and a
// check that the reply comes from the server's own address.

/** How long the client waits for each reply unless told: 1 s. */
export const DEFAULT_TIMEOUT_MS = 1000;

/** How many times the client sends each name before giving up. */
export const DEFAULT_TRIES = 3;

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
 * The tutorial's client with a timeout and retries: after `timeoutMs` with
 * no reply it sends the name again, and after `tries` sends it fails with
 * one clear error.
 *
 * @example
 * ```ts
 * import { runUdpHelloClient, startUdpHelloServer } from "./04_udp_hello.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startUdpHelloServer({ port: 0 });
 * const replies = await runUdpHelloClient({ port: server.addr.port, names: ["Ada"] });
 * assert.deepEqual(replies, ["Hello, Ada!"]);
 * ```
 */
export async function runUdpHelloClient(options: UdpHelloClientOptions = {}): Promise<string[]> {
  const log = options.log ?? silent;
  const replies: string[] = [];
  for (const name of options.names ?? TUTORIAL_NAMES) {
    log(`→ ${name}`);
    const reply = await udpRequest(encoder.encode(name), {
      host: options.host,
      port: options.port ?? HELLO_PORT,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      tries: options.tries ?? DEFAULT_TRIES,
      hint: "is the server running? start it with: deno task 04 server",
      onRetry: (attempt) => log(`  no reply yet; sending ${name} again (try ${attempt})`),
    });
    replies.push(decoder.decode(reply));
    log(`← ${replies.at(-1)}`);
  }
  return replies;
}

// A reply must fit one datagram: UDP's length is 16 bits, so 65,507 bytes of payload over IPv4
// (65,535 less 20 for IP, 8 for UDP), 65,527 over IPv6 (its length leaves out its own header).
// A bigger send() fails with EMSGSIZE, "Message too long (os error 90)", which ends part 1's
// loop: answerHello checks first, logs and goes on. Even 65,507 is a loopback figure: on
// Ethernet (MTU 1,500) it leaves as 45 IP fragments, and losing one loses all (RFC 8085 §3.2).
// And no datagram may stop the server: serveUdp (lib/udp_server.ts) is part 1's loop where an
// error costs that datagram only, each arrives whole (receive() with no buffer cuts an IPv6 one
// at 65,507), and close() lets the reply being sent go out.

/** Options for {@linkcode startUdpHelloServer}. */
export interface UdpHelloServerOptions {
  /** Address to bind. Default 127.0.0.1 (Deno's own default is 0.0.0.0). */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** Only print what arrives, answer nothing: the receive-only server. */
  quiet?: boolean;
  /** Where the server narrates. */
  log?: Log;
}

/** The hello server, hardened as above: binds, serves until `close()`, returns at once. */
export function startUdpHelloServer(options: UdpHelloServerOptions = {}): UdpServer {
  const socket = bindLikeTheTutorial(options.port ?? HELLO_PORT, options.host);
  options.log?.(`Bind UDP on ${formatAddr(netAddr(socket.addr))}...`);
  return serveUdp(socket, answerHello(socket, options), { log: options.log });
}

/** What the hardened server does with each datagram on `socket`: answer it, if the reply fits. */
export function answerHello(
  socket: Deno.DatagramConn,
  options: Pick<UdpHelloServerOptions, "quiet" | "log"> = {},
): DatagramHandler {
  const log = options.log ?? silent;
  return async (data, sender) => {
    const text = decoder.decode(data);
    if (options.quiet) return log(`Received from ${formatAddr(sender)}: ${text}`);
    log(`Received from ${formatAddr(sender)}.`);
    const reply = encoder.encode(helloReply(text));
    const max = sender.hostname.includes(":") ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD;
    if (reply.length > max) {
      const why = `would be ${reply.length} bytes, more than one datagram holds (${max})`;
      return log(`Reply to ${formatAddr(sender)} ${why}; not sent.`);
    }
    await socket.send(reply, sender);
  };
}

// TCP and UDP on one port ("UDP的9999端口与TCP的9999端口可以各自绑定"): one table of
// ports per protocol, so TCP 9999 and UDP 9999 are two ports (./04_udp_hello/tcp_and_udp.ts).

// ── The command line ────────────────────────────────────────────────────────

/** `deno task 04 [server | client]`: see `--help`. */
export const cli: LessonCli = {
  id: "04",
  title: "UDP hello server and client (the tutorial's recvfrom/sendto)",
  defaultPort: HELLO_PORT,
  demo,
  commands: {
    server: command({
      summary: "answer datagrams until Ctrl+C",
      flags: { quiet: { type: "boolean", help: "print what arrives, answer nothing" } },
      run: ({ host, port, flags, log }) =>
        startUdpHelloServer({ host, port, quiet: flags.quiet, log }),
    }),
    client: command({
      summary: "send each NAME (default: Michael Tracy Sarah), print the replies",
      args: "[NAME...]",
      flags: {
        "timeout-ms": {
          type: "int",
          default: DEFAULT_TIMEOUT_MS,
          min: 1,
          max: 600_000,
          help: "wait N ms for each reply",
        },
        tries: {
          type: "int",
          default: DEFAULT_TRIES,
          min: 1,
          max: 100,
          help: "send each NAME up to N times",
        },
      },
      run: async ({ host, port, args, flags, log }) => {
        const names = args.length > 0 ? args : TUTORIAL_NAMES;
        const options = { host, port, names, timeoutMs: flags["timeout-ms"], tries: flags.tries };
        for (const reply of await runUdpHelloClient(options)) log(reply);
      },
    }),
  },
  epilogue: `With nc: nc -u 127.0.0.1 9999, then type a name. Each line you type is one
datagram, newline included: the reply is "Hello, Michael\\n!".`,
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
