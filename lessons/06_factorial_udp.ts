/**
 * # 06 · Factorial over UDP: a computation served by datagrams
 *
 * Follows «25.Python 网络编程：TCP和UDP编程» (Alibaba Cloud developer
 * community), example 5 (示例5): server6.py computes n! for the n that
 * client6.py sends, one datagram each way. The server answers one datagram
 * and exits, trusting `int(data)` on anything; the client cuts every answer
 * over 1,024 digits and waits for ever for a lost one. Parts 1 and 2 are
 * the tutorial's code, part 3 what it leaves out.
 *
 * Run it:  deno task 06                    (the narrated demo)
 *          deno task 06 server             (then, in another terminal)
 *          deno task 06 client 5           (no N: it asks, like the tutorial's input())
 *
 * @module
 */

import { formatAddr, netAddr } from "../lib/addr.ts";
import { command, type LessonCli, runLesson } from "../lib/cli.ts";
import { ProtocolError, UsageError } from "../lib/errors.ts";
import { type Log, silent } from "../lib/log.ts";
import { tracedDatagram } from "../lib/trace.ts";
import { udpRequest, type UdpRequestOptions } from "../lib/udp.ts";
import { serveUdp, type UdpServer } from "../lib/udp_server.ts";
import { askForN, formatResult } from "./06_factorial_udp/client_io.ts";
import { demo } from "./06_factorial_udp/demo.ts";
import { factorialByRunningProduct, LARGEST_N_PER_DATAGRAM } from "./06_factorial_udp/factorial.ts";
import { FactorialRefusedError, parseRequest, quote, replyTo } from "./06_factorial_udp/request.ts";

export { FactorialRefusedError, formatResult, parseRequest, replyTo };

/** The tutorial's port. */
export const DEFAULT_PORT = 9999;

/** The largest n whose n! fits one datagram: 17,229 (17,229! has 65,507 digits). */
export const LARGEST_N: number = LARGEST_N_PER_DATAGRAM;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ── 1. The server: server6.py ───────────────────────────────────────────────

/** server6.py's first two lines: a UDP socket bound to 127.0.0.1. */
export function bindLikeTheTutorial(port = DEFAULT_PORT, host = "127.0.0.1"): Deno.DatagramConn {
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) # 创建UDP套接字
  //         s.bind(('127.0.0.1', 9999)) # 绑定地址到套接字
  return tracedDatagram(Deno.listenDatagram({ transport: "udp", hostname: host, port }), "server");
}

/** The rest of server6.py: one datagram in, n! out, and done. */
export async function answerOnceLikeTheTutorial(
  socket: Deno.DatagramConn,
  log: Log = silent,
): Promise<void> {
  // Python: data, addr = s.recvfrom(1024) # 接收
  const [data, addr] = await socket.receive();
  // Python: data = f(int(data)); send_data = str(data). Number() trusts the
  // bytes as int() does: "abc" is NaN and the running product throws (Python:
  // ValueError), "99999999" would keep it multiplying for hours.
  const sendData = factorialByRunningProduct(Number(decoder.decode(data))).toString();
  // Python: print(data, addr) # 打印客户消息
  log(
    `${sendData.length > 40 ? `${sendData.length} digits` : sendData} ${formatAddr(netAddr(addr))}`,
  );
  // Python: s.sendto(send_data.encode(), addr) # 发送客户端
  await socket.send(encoder.encode(sendData), addr);
}

// ── 2. The client: client6.py ───────────────────────────────────────────────

/** client6.py: send n, print what comes back, as `recv(1024)` gets it. */
export async function askLikeTheTutorial(n: number, port = DEFAULT_PORT): Promise<string> {
  // Python: s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) # 创建套接字
  const socket = tracedDatagram(
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
    "client",
  );
  try {
    // Python: s.sendto(str(data).encode(), ('127.0.0.1', 9999)) # 发送
    await socket.send(encoder.encode(String(n)), { transport: "udp", hostname: "127.0.0.1", port });
    // Python: print('计算结果:', s.recv(1024).decode('utf-8')) # 接收
    // recv(1024) keeps the first 1,024 bytes of a datagram and drops the rest
    // without a word: every answer over 1,024 digits (459! and up) comes out cut.
    const [reply] = await socket.receive(new Uint8Array(1024));
    return decoder.decode(reply);
  } finally {
    socket.close(); // Python: s.close() # 关闭
  }
}

// ── 3. What the tutorial leaves out ─────────────────────────────────────────
//
// Strict input, and a limit. The server reads one or more ASCII digits and
// answers anything else `ERR <reason>` (./06_factorial_udp/request.ts says
// why int() is no protocol, and why under Python 3.11 server6.py dies for
// every n from 1,559 up: str() refuses an int of over 4,300 digits). The
// reply, the digits of n!, must fit one datagram: 65,507 bytes over IPv4
// (IPv6 allows 65,527; one limit serves both), so n at most 17,229, derived
// in ./06_factorial_udp/factorial.ts, which also makes 17,229! take 2 ms,
// not the running product's 50. That limit is a loopback figure: on
// Ethernet (MTU 1,500) a 65,507-byte datagram leaves as 45 IP fragments,
// and losing any one loses all 45 (RFC 8085 §3.2); a service on a real
// network keeps replies within the path's MTU, or uses TCP.
//
// An amplifier. A 5-byte request, "17229", draws 65,507 bytes: 13,101 times
// as many. UDP never checks that a sender is who its source address says,
// so on a public address anyone could write a victim's address there and
// aim this server's replies at it. Hence 127.0.0.1; a protocol open to the
// internet sends an address it has not verified at most 3 times what it got
// from it (QUIC, RFC 9000 §8.1).

/** Options for {@linkcode startFactorialServer}. */
export interface FactorialServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 9999; 0 for any free port. */
  port?: number;
  /** The largest n served, at most (and by default) {@linkcode LARGEST_N}. */
  maxN?: number;
  /** Where the server narrates: one line per datagram. */
  log?: Log;
}

/**
 * The tutorial's server made to last: every datagram gets n! or `ERR
 * <reason>`, until `close()`. Each datagram is answered and forgotten, and
 * the worst request costs milliseconds of CPU, bounded by the limit on n.
 *
 * @example
 * ```ts
 * import { runFactorialClient, startFactorialServer } from "./06_factorial_udp.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = startFactorialServer({ port: 0 });
 * assert.equal(await runFactorialClient({ port: server.addr.port, n: 5 }), "120");
 * ```
 */
export function startFactorialServer(options: FactorialServerOptions = {}): UdpServer {
  const log = options.log ?? silent;
  const maxN = options.maxN ?? LARGEST_N;
  if (!Number.isSafeInteger(maxN) || maxN < 0 || maxN > LARGEST_N) {
    throw new RangeError(`maxN must be a whole number from 0 to ${LARGEST_N}, got ${maxN}`);
  }
  const socket = bindLikeTheTutorial(options.port ?? DEFAULT_PORT, options.host);
  log(`Bind UDP on ${formatAddr(netAddr(socket.addr))}: send n, get n! (n from 0 to ${maxN})...`);
  // serveUdp (lesson 04): the `for await` loop, where one datagram's error costs that datagram only.
  return serveUdp(socket, async (data, sender) => {
    const started = performance.now();
    const reply = replyTo(data, maxN);
    const took = `${reply.length} digits in ${(performance.now() - started).toFixed(1)} ms`;
    const shown = reply.startsWith("ERR ") || reply.length <= 40 ? reply : took;
    const asked = data.length > 24 ? ` (${data.length} bytes)` : "";
    log(`${formatAddr(sender)} sent ${quote(decoder.decode(data), 24)}${asked} → ${shown}`);
    // Python: s.sendto(send_data.encode(), addr). Always one datagram, by the limit on n.
    await socket.send(encoder.encode(reply), sender);
  }, { log });
}

// A client that gives up: runFactorialClient waits `timeoutMs`, asks again,
// fails after `tries` (udpRequest, lesson 04), and takes the whole datagram,
// no recv(1024) cut. Each call asks from a fresh socket, so a late reply to
// the last one is *rarely* taken for this one's: ./06_factorial_udp/
// late_replies.ts shows when it is, and why only a request id rules it out.

/** Options for {@linkcode runFactorialClient}: those of `udpRequest`, and n. */
export interface FactorialClientOptions
  extends Partial<Pick<UdpRequestOptions, "host" | "port" | "timeoutMs" | "tries">> {
  /** The n whose factorial to ask for: 0 to {@linkcode LARGEST_N}. */
  n: number;
  /** Where the client narrates: what it sends, retries, what it gets. */
  log?: Log;
}

/** client6.py with a timeout and retries: resolves to the decimal digits of n!. */
export async function runFactorialClient(options: FactorialClientOptions): Promise<string> {
  const { n, log = silent } = options;
  if (!Number.isSafeInteger(n) || n < 0 || n > LARGEST_N) {
    throw new UsageError(`cannot ask for ${n}!: n must be a whole number from 0 to ${LARGEST_N}`);
  }
  log(`→ ${n}`);
  const reply = decoder.decode(
    await udpRequest(encoder.encode(String(n)), {
      host: options.host,
      port: options.port ?? DEFAULT_PORT,
      timeoutMs: options.timeoutMs ?? 1000,
      tries: options.tries ?? 3,
      hint: "is the server running? start it with: deno task 06 server",
      onRetry: (attempt) => log(`  no answer yet; asking for ${n}! again (try ${attempt})`),
    }),
  );
  if (reply.startsWith("ERR ")) {
    throw new FactorialRefusedError(
      `the server refused ${n}: ${reply.slice(4)}`,
      "ask for a smaller n",
    );
  }
  if (!/^[0-9]+$/.test(reply)) {
    throw new ProtocolError(
      `the reply to ${n} is not a number: ${quote(reply, 40)}`,
      "is that a lesson 06 server on that port?",
    );
  }
  log(`← ${formatResult(n, reply)}`);
  return reply;
}

// ── The command line ────────────────────────────────────────────────────────

/** `deno task 06 [server | client]`: see `--help`. */
export const cli: LessonCli = {
  id: "06",
  title: "factorial over UDP (the tutorial's server6.py and client6.py)",
  defaultPort: DEFAULT_PORT,
  demo,
  commands: {
    server: command({
      summary: "answer n with n! until Ctrl+C",
      flags: {
        "max-n": {
          type: "int",
          default: LARGEST_N,
          min: 0,
          max: LARGEST_N,
          help: "the largest n it computes",
        },
      },
      run: ({ host, port, flags, log }) =>
        startFactorialServer({ host, port, maxN: flags["max-n"], log }),
    }),
    client: command({
      summary: "ask for N! (no N: asks for it, like the tutorial's input())",
      args: "[N]",
      flags: {
        "timeout-ms": {
          type: "int",
          default: 1000,
          min: 1,
          max: 600_000,
          help: "wait N ms for each reply",
        },
        tries: { type: "int", default: 3, min: 1, max: 100, help: "send it up to N times" },
        full: { type: "boolean", help: "print every digit of a long result" },
      },
      run: async ({ host, port, args, flags, log }) => {
        if (args.length > 1) throw new UsageError(`client takes one N, got ${args.length}`);
        // Checked before sending: a request the server would refuse is not sent.
        const request = parseRequest(args[0] ?? await askForN());
        if (!request.ok) {
          throw new UsageError(request.reason, `give N as a whole number from 0 to ${LARGEST_N}`);
        }
        const digits = await runFactorialClient({
          host,
          port,
          n: request.n,
          timeoutMs: flags["timeout-ms"],
          tries: flags.tries,
          // Only the retries, on stderr: stdout gets the result line alone.
          log: (line) => line.startsWith("  no answer") && console.error(line.trim()),
        });
        log(formatResult(request.n, digits, flags.full));
      },
    }),
  },
};

if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
