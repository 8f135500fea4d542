/**
 * # Exercise 06 · Factorial over UDP: a computation served by datagrams
 *
 * The tutorial's `server6.py` and `client6.py` (seed 004), made safe. Fill in
 * the three TODOs below: the parser that decides which requests are numbers
 * at all, the server's answer to one datagram, and the client that asks with
 * a timeout and asks again. Binding, the receive loop, the log lines, the
 * command line and the demo are done for you. Check your work with:
 *
 *   deno task verify 06        (the same tests as lessons/06_factorial_udp.ts)
 *   deno task hint 06          (one more hint each time you ask)
 *
 * What the tutorial's server gets wrong, and yours must not: it trusts
 * `int(data)` on anything (`-5`, `1e3`, `abc`, 99999999), its running
 * product is slow, and its client waits forever for a lost datagram.
 *
 * Stuck for good? lessons/06_factorial_udp.ts is the worked answer.
 *
 * @module
 */

// Until the TODOs are filled in, some imports and helpers are unused and the
// async functions have nothing to await: that is expected.
// deno-lint-ignore-file require-await no-unused-vars

import { formatAddr, LOOPBACK, netAddr } from "../lib/addr.ts";
import {
  helpRequested,
  intFlag,
  parseFlags,
  portFlag,
  runMain,
  serveUntilCtrlC,
} from "../lib/cli.ts";
import { LessonError, ProtocolError, UnexpectedEofError, UsageError } from "../lib/errors.ts";
import { factorial, LARGEST_N_PER_DATAGRAM } from "../lib/factorial.ts";
import { ByteReader } from "../lib/io.ts";
import { type Log, prefixed, silent } from "../lib/log.ts";
import { type RelayEvent, startLossyUdpRelay } from "../lib/lossy_udp.ts";
import type { RunningServer } from "../lib/server.ts";
import { bindUdp, MAX_UDP_PAYLOAD, udpRequest } from "../lib/udp.ts";
import { sendReply, serveUdp } from "../lib/udp_server.ts";
import { todo } from "./_todo.ts";

/** The tutorial's port. */
export const DEFAULT_PORT = 9999;

/** How long the client waits for each reply unless told: 1 s. */
export const DEFAULT_TIMEOUT_MS = 1000;

/** How many times the client sends its request before giving up. */
export const DEFAULT_TRIES = 3;

/** The largest n whose n! fits one datagram: 17,229 (17,229! has 65,507 digits). */
export const LARGEST_N: number = LARGEST_N_PER_DATAGRAM;

/**
 * The tutorial's `input('请输入一个大于1的整数:')`, in both languages. (0 and 1
 * are fine too: 0! = 1! = 1.)
 */
export const PROMPT = "请输入一个大于1的整数 / Enter an integer greater than 1:";

/** How many digits a long result shows at each end, unless `--full`. */
export const SUMMARY_DIGITS = 20;

const encoder = new TextEncoder();
/** `fatal: true`: invalid UTF-8 is an error to answer, not text to guess at. */
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lenientDecoder = new TextDecoder();

/** A parsed request: the n to compute, or why there is none. */
export type FactorialRequest = { ok: true; n: number } | { ok: false; reason: string };

/**
 * The reason a server gives for an n over its limit. At the datagram limit
 * this is exactly `n too large: n! must fit one 65507-byte datagram (largest n is 17229)`.
 */
export function tooLargeReason(maxN: number = LARGEST_N): string {
  return maxN === LARGEST_N
    ? `n too large: n! must fit one ${MAX_UDP_PAYLOAD}-byte datagram (largest n is ${LARGEST_N})`
    : `n too large: this server computes n! up to n = ${maxN}`;
}

/**
 * Reads a request: one or more ASCII digits, whitespace around them ignored,
 * leading zeros allowed. Anything else is refused with a reason. Python's
 * `int(data)` is far looser (`" +1_000 "` is 1000); a protocol should say
 * exactly what it accepts.
 *
 * A digit string longer than the limit's is refused by its length alone: a
 * 65,507-digit request costs a scan, never a 65,507-digit `BigInt`.
 *
 * @example
 * ```ts ignore
 * import { parseRequest } from "./06_factorial_udp.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseRequest(" 007\n"), { ok: true, n: 7 });
 * assert.deepEqual(parseRequest("3.5"), {
 *   ok: false,
 *   reason: 'not an integer: "3.5" has a decimal point',
 * });
 * ```
 */
export function parseRequest(
  data: Uint8Array | string,
  maxN: number = LARGEST_N,
): FactorialRequest {
  // TODO 1: accept exactly "ASCII digits, whitespace around them"; refuse anything else with a reason.
  //   Python (the tutorial): data = f(int(data)): int() takes " +1_000 ", "-5", and
  //   raises on "abc", which ends the tutorial's server. Ours answers every datagram.
  //   Deno, step by step:
  //   1. Bytes to text, strictly: strictDecoder.decode(data) throws on invalid UTF-8;
  //      then return { ok: false, reason: "not UTF-8 text: n must be ASCII decimal digits" }.
  //      (A string is already text.)
  //   2. text.trim(), then /^[0-9]+$/.test(text); if not, return
  //      { ok: false, reason: whyNotDigits(text) }   (written for you, below: it names the problem)
  //   3. Drop leading zeros ("007" is 7), then compare LENGTHS before converting:
  //      more digits than String(maxN) has → { ok: false, reason: tooLargeReason(maxN) }.
  //      A 65,507-digit request must cost a scan, not a huge number.
  //   4. const n = Number(digits); over maxN → tooLargeReason(maxN); else { ok: true, n }.
  todo(
    "06",
    "check the request is ASCII digits within maxN and return n or a reason (parseRequest)",
  );
}

/**
 * Names what is wrong with a request that is not plain digits. Every pattern
 * here can match in only one way: a pattern such as `[0-9]+\.?[0-9]*` can
 * split a run of digits in n ways, and on 65,506 digits and a letter the
 * regex engine tries them all (measured: 3.5 s per datagram, a denial of
 * service in one packet).
 */
function whyNotDigits(text: string): string {
  if (text === "") return "empty request: n must be decimal digits, e.g. 5";
  const body = text[0] === "+" || text[0] === "-" ? text.slice(1) : text;
  if (/^[0-9]+$/.test(body)) {
    return text[0] === "-" && /[1-9]/.test(body)
      ? "n is negative: n! is defined for n >= 0"
      : "a sign is not allowed: n must be digits only";
  }
  if (/^0[xXoObB]/.test(body)) return `not decimal: ${quote(text)} has a base prefix`;
  const e = body.search(/[eE]/);
  const mantissa = e === -1 ? body : body.slice(0, e);
  const exponent = e === -1 ? undefined : body.slice(e + 1);
  const isNumber = /^[0-9]+$/.test(mantissa) ||
    (/^[0-9]*\.[0-9]*$/.test(mantissa) && /[0-9]/.test(mantissa));
  if (isNumber && exponent !== undefined && /^[+-]?[0-9]+$/.test(exponent)) {
    return `not an integer: ${quote(text)} has an exponent`;
  }
  if (isNumber && exponent === undefined) {
    return `not an integer: ${quote(text)} has a decimal point`;
  }
  return `not an integer: ${quote(text)}`;
}

/** A peer's text, shortened and escaped, safe to put in a reply or a log line. */
function quote(text: string, max = 16): string {
  // JSON escapes C0 controls (\u001b, the start of a terminal escape
  // sequence); DEL and the C1 controls, which some terminals obey too, we
  // escape ourselves.
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)
    .replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The server's whole job for one datagram: the digits of n!, or
 * `ERR <reason>`. The reply always fits one datagram.
 *
 * @example
 * ```ts ignore
 * import { replyTo } from "./06_factorial_udp.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(replyTo(new TextEncoder().encode("5")), "120");
 * assert.equal(
 *   replyTo(new TextEncoder().encode("-5")),
 *   "ERR n is negative: n! is defined for n >= 0",
 * );
 * ```
 */
export function replyTo(data: Uint8Array, maxN: number = LARGEST_N): string {
  // TODO 2: the reply to one datagram: `ERR <reason>` for a refused request, else n!'s digits.
  //   Python: data = f(int(data)); send_data = str(data)
  //   Deno:   const request = parseRequest(data, maxN);
  //           refused (!request.ok): `ERR ${request.reason}`
  //           else: factorial(request.n).toString()
  //   factorial() from lib/factorial.ts multiplies as a product tree: the largest n takes
  //   ~2 ms, the tutorial's running product f(n) ~50 ms. toString() gives the decimal digits.
  todo("06", "answer ERR <reason> or the decimal digits of n! (replyTo)");
}

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
 * Binds a UDP socket and answers every datagram with n! or `ERR <reason>`,
 * until `close()`. There are no connections, so there is nothing for a slow
 * or hostile client to hold: each datagram is answered and forgotten, and the
 * worst request costs ~10 ms of CPU, bounded by the limit on n.
 *
 * @example
 * ```ts ignore
 * import { runFactorialClient, startFactorialServer } from "./06_factorial_udp.ts";
 * import assert from "node:assert/strict";
 *
 * const server = startFactorialServer({ port: 0 });
 * assert.equal(await runFactorialClient({ port: server.addr.port, n: 5 }), "120");
 * await server.close();
 * ```
 */
export function startFactorialServer(options: FactorialServerOptions = {}): RunningServer {
  const log = options.log ?? silent;
  const maxN = options.maxN ?? LARGEST_N;
  if (!Number.isSafeInteger(maxN) || maxN < 0 || maxN > LARGEST_N) {
    throw new RangeError(`maxN must be a whole number from 0 to ${LARGEST_N}, got ${maxN}`);
  }
  // Python: s = socket.socket(AF_INET, SOCK_DGRAM); s.bind(('127.0.0.1', 9999))
  const socket = bindUdp({ host: options.host, port: options.port ?? DEFAULT_PORT });
  const addr = netAddr(socket.addr);
  log(`Bind UDP on ${formatAddr(addr)}: send n, get n! (n from 0 to ${maxN})...`);
  // Python: while True: data, addr = s.recvfrom(1024); ...
  return serveUdp(socket, (data, sender) => answerRequest(socket, data, sender, maxN, log), {
    log,
  });
}

/**
 * Answers one request: compute the reply, log it, send it back. Python:
 * `s.sendto(str(f(int(data))).encode(), addr)`. Deno hands over the whole
 * datagram, however long: a request of 65,507 digits is read, then refused.
 */
async function answerRequest(
  socket: Deno.DatagramConn,
  data: Uint8Array,
  sender: Deno.NetAddr,
  maxN: number,
  log: Log,
): Promise<void> {
  const started = performance.now();
  let reply: string;
  try {
    reply = replyTo(data, maxN);
  } catch (err) {
    // The lesson's replyTo never throws. Yours may, while it is a TODO or has
    // a bug: the client gets ERR and the error at once (instead of waiting
    // for a reply that never comes), and the server goes on serving.
    reply = `ERR ${err instanceof Error ? err.message : err}`;
  }
  const ms = performance.now() - started;
  log(`${formatAddr(sender)} sent ${previewRequest(data)} → ${previewReply(reply, ms)}`);
  await sendReply(socket, encoder.encode(reply), sender, log);
}

/** A request as a log line shows it: quoted, shortened, its size if long. */
function previewRequest(data: Uint8Array): string {
  const text = quote(lenientDecoder.decode(data), 24);
  return data.length > 24 ? `${text} (${data.length} bytes)` : text;
}

/** A reply as a log line shows it: short ones whole, long ones by their size. */
function previewReply(reply: string, ms: number): string {
  if (reply.startsWith("ERR ") || reply.length <= 40) return reply;
  return `${reply.length} digits in ${ms.toFixed(1)} ms`;
}

/** The server understood the request and refused it: its `ERR` reply. */
export class FactorialRefusedError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "FactorialRefusedError";
  }
}

/** Options for {@linkcode runFactorialClient}. */
export interface FactorialClientOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. Default 9999. */
  port?: number;
  /** The n whose factorial to ask for: 0 to {@linkcode LARGEST_N}. */
  n: number;
  /** How long to wait for each reply. Default 1000 ms. */
  timeoutMs?: number;
  /** How many times to send the request. Default 3. */
  tries?: number;
  /** Where the client narrates: what it sends, retries, what it gets. */
  log?: Log;
}

/**
 * The tutorial's client: `sendto(str(n))`, then `recv`. Resolves to the
 * decimal digits of n!. Unlike the tutorial it gives up after `tries` sends
 * of `timeoutMs` each, and it asks on a fresh socket (a fresh port) each
 * time it is called: a reply that arrives late, or twice, for this request
 * reaches a socket that is closed by the time the next request is made, so
 * it can never be taken for the answer to that one.
 */
export async function runFactorialClient(options: FactorialClientOptions): Promise<string> {
  const log = options.log ?? silent;
  const { n } = options;
  if (!Number.isSafeInteger(n) || n < 0 || n > LARGEST_N) {
    throw new UsageError(`cannot ask for ${n}!: n must be a whole number from 0 to ${LARGEST_N}`);
  }
  log(`→ ${n}`);

  // TODO 3: send n, wait for the reply with a timeout, send again if none came; check the reply.
  //   Python: s.sendto(str(data).encode(), ('127.0.0.1', 9999))
  //           print('计算结果:', s.recv(1024).decode('utf-8'))   # waits forever if lost
  //   Deno:   const reply = await udpRequest(encoder.encode(String(n)), {
  //             host: options.host, port: options.port ?? DEFAULT_PORT,
  //             timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  //             tries: options.tries ?? DEFAULT_TRIES,
  //             hint: "is the server running? start it with: deno task 06 server",
  //             onRetry: (attempt) => log(`  no answer yet; asking for ${n}! again (try ${attempt})`),
  //           });
  //   udpRequest (lib/udp.ts) is the retry loop: a fresh socket for this request, send,
  //   wait timeoutMs, send again, up to `tries` sends, then a TimeoutError. A fresh socket
  //   per request is why a late reply to an earlier request can never be read as this answer.
  //   Then: const text = lenientDecoder.decode(reply);
  //     starts with "ERR " → throw new FactorialRefusedError(
  //                            `the server refused ${n}: ${text.slice(4)}`, "ask for a smaller n")
  //     not all digits     → throw new ProtocolError(`the reply to ${n} is not a number: ${quote(text, 40)}`,
  //                            "is that a lesson 06 server on that port?")
  //     else log(`← ${formatResult(n, text)}`) and return text.
  todo(
    "06",
    "send n with udpRequest, retrying on timeout, and check the reply (runFactorialClient)",
  );
}

/**
 * The line the client prints: `5! = 120`. A long result shows its first and
 * last digits and how many there are, unless `full`.
 *
 * @example
 * ```ts ignore
 * import { factorial } from "../lib/factorial.ts";
 * import { formatResult } from "./06_factorial_udp.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatResult(5, "120"), "5! = 120");
 * assert.equal(
 *   formatResult(100, factorial(100).toString()),
 *   "100! = 93326215443944152681...00000000000000000000 (158 digits; --full prints them all)",
 * );
 * ```
 */
export function formatResult(n: number, digits: string, full = false): string {
  if (full || digits.length <= 3 * SUMMARY_DIGITS) return `${n}! = ${digits}`;
  const head = digits.slice(0, SUMMARY_DIGITS);
  const tail = digits.slice(-SUMMARY_DIGITS);
  return `${n}! = ${head}...${tail} (${digits.length} digits; --full prints them all)`;
}

/**
 * Asks for n when none was given. At a terminal, like the tutorial's
 * `input()`; from a pipe (`echo 5 | deno task 06 client`), the first line.
 */
async function askForN(): Promise<string> {
  if (Deno.stdin.isTerminal()) {
    // Python: data = int(input('请输入一个大于1的整数:'))
    const answer = prompt(PROMPT);
    if (answer === null) throw new UsageError("no N given");
    return answer;
  }
  const reader = new ByteReader(Deno.stdin, 1024);
  try {
    const line = await reader.readUntil(encoder.encode("\n"), 1024);
    if (line === null) throw new UsageError("no N given, and stdin is empty");
    return lenientDecoder.decode(line);
  } catch (err) {
    // The last line of a pipe may lack its newline: `printf 5 | ...`.
    if (err instanceof UnexpectedEofError) return lenientDecoder.decode(reader.peek());
    throw err;
  }
}

/**
 * The narrated demo: the tutorial's exchange, the largest n, garbage, and
 * then the same client through a link that loses 30% of the datagrams.
 */
export async function demo(log: Log): Promise<void> {
  // Step 1: bind the server on a free port.
  const server = startFactorialServer({ port: 0, log: prefixed(log, "server") });
  try {
    const { port } = server.addr;
    const client = prefixed(log, "client");

    // Step 2: the tutorial's exchange, and 0! = 1.
    await runFactorialClient({ port, n: 5, log: client });
    await runFactorialClient({ port, n: 0, log: client });

    // Step 3: the largest n: 65,507 digits, one datagram, a few milliseconds.
    await runFactorialClient({ port, n: LARGEST_N, log: client });

    // Step 4: garbage, sent as any program could (Python: s.sendto(b'1e3', addr)).
    // Each gets ERR and a reason; the server goes on.
    log("");
    log("Datagrams our client would refuse to send, sent anyway:");
    const garbage = ["abc", "-5", "3.5", "1e3", "0x10", "", String(LARGEST_N + 1)]
      .map((text) => encoder.encode(text));
    garbage.push(new Uint8Array([0xff, 0xfe, 0x35])); // not UTF-8
    for (const datagram of garbage) await udpRequest(datagram, { port });
    await runFactorialClient({ port, n: 5, log: client });
  } finally {
    await server.close();
  }

  // Step 5: a lossy link between client and server.
  log("");
  await demoLossyLink(log);
}

/**
 * The client through a relay that drops 30% of the datagrams (each way),
 * duplicates, delays and reorders some: every answer still arrives, and no
 * stray reply is ever taken for another request's answer.
 */
async function demoLossyLink(log: Log): Promise<void> {
  log("The same client, now through a relay that loses 30% of the datagrams each way.");
  log("Some are sent twice, some late; some wait until a later one has overtaken them.");
  const server = startFactorialServer({ port: 0 });
  const replies = new Map<number, number>(); // client socket (flow) → reply copies let through
  // Delays and holds up to 75 ms, beyond the client's 50 ms timeout: some
  // answers arrive after the client has given up on that try and sent another.
  const relay = startLossyUdpRelay({
    target: server.addr,
    loss: 0.3,
    duplicate: 0.15,
    delay: 0.2,
    delayMs: 75,
    reorder: 0.15,
    holdMs: 75,
    seed: 6,
    log: prefixed(log, "relay"),
    onEvent: (event: RelayEvent) => countReplies(replies, event),
  });
  try {
    const client = prefixed(log, "client");
    let correct = 0;
    const ns = [3, 4, 5, 6, 7, 8, 9, 10, 100, 1000];
    for (const n of ns) {
      const digits = await runFactorialClient({
        port: relay.addr.port,
        n,
        timeoutMs: 50,
        tries: 12,
        log: client,
      });
      if (digits === factorial(n).toString()) correct++;
    }
    const strays = [...replies.values()].reduce((sum, copies) => sum + Math.max(0, copies - 1), 0);
    const { stats } = relay;
    log("");
    log(
      `${correct} of ${ns.length} answers correct. The relay saw ${stats.requests} requests and ` +
        `${stats.replies} replies: ${stats.dropped} dropped, ${stats.duplicated} duplicated, ` +
        `${stats.delayed} delayed, ${stats.reordered} overtaken.`,
    );
    log(`${strays} replies arrived after their request had been answered (duplicates, or`);
    log("answers to a try the client had given up on). Each went to a socket the client had");
    log("already closed, and the kernel dropped it: every request gets a fresh socket (a new");
    log("port), so a stray reply can never be read as the answer to a later request. A client");
    log("that kept one socket would need a request id in every datagram instead.");
  } finally {
    await relay.close();
    await server.close();
  }
}

/** Counts, per client socket, the reply copies the relay lets through. */
function countReplies(replies: Map<number, number>, event: RelayEvent): void {
  if (event.direction !== "reply" || event.fate.drop) return;
  replies.set(event.flow, (replies.get(event.flow) ?? 0) + event.fate.copies);
}

const USAGE = `Lesson 06: factorial over UDP (the tutorial's server6.py and client6.py)

Usage:
  deno task 06                      narrated demo: server, client and a lossy link in one process
  deno task 06 server [options]     answer n with n! until Ctrl+C
  deno task 06 client [options] [N] ask for N! (no N: asks for it, like the tutorial's input())

Options:
  --host H          address to bind or send to (default ${LOOPBACK})
  --port P          port (default ${DEFAULT_PORT})
  --max-n N         server: the largest n it computes (default and most ${LARGEST_N})
  --timeout-ms N    client: wait N ms for each reply (default ${DEFAULT_TIMEOUT_MS})
  --tries N         client: send the request up to N times (default ${DEFAULT_TRIES})
  --full            client: print every digit of a long result
  -h, --help        show this help`;

/** The command line: `server`, `client`, or the demo. */
export async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    "max-n": { type: "string" },
    "timeout-ms": { type: "string" },
    tries: { type: "string" },
    full: { type: "boolean" },
  });
  const [command, ...rest] = positionals;
  const host = values.host ?? LOOPBACK;
  const port = portFlag(values.port, DEFAULT_PORT);
  const log: Log = (line) => console.log(line);

  if (command === undefined) return await demo(log);
  if (command === "server") {
    if (rest.length > 0) throw new UsageError(`server takes no arguments, got "${rest[0]}"`);
    const maxN = intFlag("--max-n", values["max-n"], LARGEST_N, { min: 0, max: LARGEST_N });
    const server = startFactorialServer({ host, port, maxN, log });
    return await serveUntilCtrlC(server, log);
  }
  if (command === "client") {
    if (rest.length > 1) throw new UsageError(`client takes one N, got ${rest.length}`);
    const timeoutMs = intFlag("--timeout-ms", values["timeout-ms"], DEFAULT_TIMEOUT_MS, {
      min: 1,
      max: 600_000,
    });
    const tries = intFlag("--tries", values.tries, DEFAULT_TRIES, { min: 1, max: 100 });
    // Validate before sending: a request the server would refuse is not sent.
    const request = parseRequest(rest[0] ?? await askForN());
    if (!request.ok) {
      throw new UsageError(request.reason, `give N as a whole number from 0 to ${LARGEST_N}`);
    }
    const digits = await runFactorialClient({
      host,
      port,
      n: request.n,
      timeoutMs,
      tries,
      // Only the retries, on stderr: stdout gets the result line alone.
      log: (line) => {
        if (line.startsWith("  no answer")) console.error(line.trim());
      },
    });
    console.log(formatResult(request.n, digits, values.full));
    return;
  }
  throw new UsageError(`unknown command "${command}": expected server or client`);
}

if (import.meta.main) await runMain(() => main(Deno.args));
