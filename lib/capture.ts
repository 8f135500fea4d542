/**
 * `--capture`: the real packets, from tcpdump on the loopback interface.
 *
 * tcpdump needs Linux here (the loopback is `lo`), permission to open a raw
 * socket (root, or CAP_NET_RAW on the tcpdump binary), and Deno needs
 * permission to run it (`--allow-run=tcpdump`). {@linkcode startCapture}
 * checks each, and where one is missing says in one sentence which and what
 * would enable it.
 *
 * The lesson's ports are not known in advance (the demo binds port 0), so
 * tcpdump watches every TCP and UDP packet on the loopback and the tracer
 * keeps only those of its own conversations (`Conversations.segment`).
 *
 * Markers make the capture sound: one-byte writes on a connection this
 * process opens to itself, which tcpdump sees like any other segment. The
 * first few, before the lesson starts, prove tcpdump sees packets and match
 * its clock to ours; later ones, while the lesson runs and when it is done,
 * are the sign that every earlier packet has been read, so lines can be
 * printed in time order and tcpdump stopped without losing the final FIN.
 *
 * @module
 */

import { type Packet, parseTcpdumpLine } from "./capture_parse.ts";

/** tcpdump's arguments: loopback, numbers not names, seconds since 1970, absolute sequence numbers, a line per packet at once. */
export const TCPDUMP_ARGS: readonly string[] = [
  "-i",
  "lo",
  "-n",
  "-tt",
  "-S",
  "-l",
  "--immediate-mode",
  "-B",
  "16384",
  "-s",
  "128",
  "tcp or udp",
];

/** Options for {@linkcode startCapture}. */
export interface CaptureOptions {
  /** Called for each packet, in the order tcpdump saw them. */
  onPacket(packet: Packet): void;
  /** The command to run (tests pass a missing one). Default `tcpdump`. */
  command?: string;
  /** How long tcpdump may take to start listening. Default 5 s. */
  startTimeoutMs?: number;
}

/** A running capture. */
export interface Capture {
  /**
   * Resolves once every packet sent before the call has been handed to
   * `onPacket` (tcpdump's lines come a little late), or after 2 s.
   */
  sync(): Promise<void>;
  /** A packet's time (tcpdump's clock, ms since 1970) on `performance.now()`'s clock. */
  localTime(time: number): number;
  /** Syncs, then stops tcpdump. Resolves to a note for the learner, if any. */
  stop(): Promise<string | undefined>;
}

/** What {@linkcode startCapture} resolves to: a capture, or why there is none. */
export type CaptureStart = { capture: Capture; reason?: undefined } | {
  capture?: undefined;
  reason: string;
};

const MARKER = new Uint8Array([1]);
const MARKER_WAIT_MS = 2_000;
/** Markers sent at the start to match tcpdump's clock to ours. */
const CALIBRATION_MARKERS = 5;

/**
 * Starts tcpdump on the loopback and resolves once it sees packets, or says
 * why it cannot: `{ reason: "tcpdump is not installed (...)" }`.
 *
 * @example Where tcpdump cannot run, the reason is one line
 * ```ts
 * import { startCapture } from "./capture.ts";
 * import assert from "node:assert/strict";
 *
 * const started = await startCapture({ onPacket: () => {}, command: "no-such-tcpdump" });
 * assert.equal(started.capture, undefined);
 * assert.ok(!started.reason?.includes("\n"));
 * ```
 */
export async function startCapture(options: CaptureOptions): Promise<CaptureStart> {
  const command = options.command ?? "tcpdump";
  if (Deno.build.os !== "linux") {
    return {
      reason: `--capture runs tcpdump on Linux's loopback "lo"; this is ${Deno.build.os} ` +
        "(run the lesson in a Linux VM or container to see the packets)",
    };
  }
  const permission = await Deno.permissions.query({ name: "run", command });
  if (permission.state !== "granted") {
    return { reason: `Deno may not run ${command}: add --allow-run=${command} to the command` };
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args: [...TCPDUMP_ARGS],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // Its own process group: Ctrl+C in the terminal goes to the lesson,
      // which stops its server gracefully and only then stops tcpdump, so
      // the last FINs are captured too.
      detached: true,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return {
        reason: `${command} is not installed (Debian/Ubuntu: sudo apt-get install tcpdump)`,
      };
    }
    throw err;
  }
  const running = new RunningCapture(child, options.onPacket);
  const reason = await running.started(options.startTimeoutMs ?? 5_000);
  if (reason !== undefined) return { reason };
  return { capture: running };
}

/** tcpdump, its two output streams being read, and the markers. */
class RunningCapture implements Capture {
  readonly #child: Deno.ChildProcess;
  readonly #onPacket: (packet: Packet) => void;
  readonly #stderr: string[] = [];
  readonly #reading: Promise<unknown>;
  /**
   * `tcpdump's clock − performance.now()`: the smallest difference between
   * a marker's send and its timestamp (the kernel stamps a packet a little
   * after we send it, never before). Until a marker is seen, timeOrigin.
   */
  #offset = performance.timeOrigin;
  #calibrated = false;
  /** The marker connection: we write on `send`, and read what arrives on `receive`. */
  #marker: { send: Deno.TcpConn; receive: Deno.TcpConn } | undefined;
  #markerPort = -1;
  #awaitingMarker: ((time: number) => void) | undefined;
  #listening = Promise.withResolvers<void>();

  constructor(child: Deno.ChildProcess, onPacket: (packet: Packet) => void) {
    this.#child = child;
    this.#onPacket = onPacket;
    this.#reading = Promise.all([
      eachLine(child.stdout, (line) => this.#line(line)),
      eachLine(child.stderr, (line) => {
        this.#stderr.push(line);
        if (line.startsWith("listening on")) this.#listening.resolve();
      }),
    ]);
  }

  /** Resolves when tcpdump sees packets (`undefined`), or to why it does not. */
  async started(timeoutMs: number): Promise<string | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      this.#listening.promise.then(() => "listening" as const),
      this.#child.status.then(() => "exited" as const),
      new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), timeoutMs)),
    ]);
    clearTimeout(timer);
    if (outcome !== "listening") {
      if (outcome === "late") this.#child.kill("SIGTERM");
      await this.#child.status;
      await this.#reading;
      return outcome === "late" ? `tcpdump did not start within ${timeoutMs} ms` : this.#whyNot();
    }
    this.#marker = await markerConnection();
    this.#markerPort = this.#marker.send.localAddr.port;
    for (let i = 0; i < CALIBRATION_MARKERS; i++) await this.sync();
    return undefined;
  }

  localTime(time: number): number {
    return time - this.#offset;
  }

  async sync(): Promise<void> {
    const marker = this.#marker;
    if (marker === undefined) return;
    const seen = new Promise<number>((resolve) => this.#awaitingMarker = resolve);
    const sent = performance.now();
    await marker.send.write(MARKER);
    await marker.receive.read(new Uint8Array(64)); // keeps the connection's buffers empty
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) =>
      timer = setTimeout(() => resolve(undefined), MARKER_WAIT_MS)
    );
    try {
      const time = await Promise.race([seen, late, this.#child.status.then(() => undefined)]);
      if (time !== undefined && (!this.#calibrated || time - sent < this.#offset)) {
        this.#offset = time - sent;
        this.#calibrated = true;
      }
    } finally {
      clearTimeout(timer);
      this.#awaitingMarker = undefined;
    }
  }

  async stop(): Promise<string | undefined> {
    await this.sync(); // every packet before it has been read
    this.#marker?.send.close();
    this.#marker?.receive.close();
    try {
      this.#child.kill("SIGTERM");
    } catch (err) {
      if (!(err instanceof TypeError)) throw err; // it had already exited
    }
    await this.#child.status;
    await this.#reading;
    const dropped = this.#stderr.map((line) => /^(\d+) packets? dropped by kernel/.exec(line))
      .find((match) => match !== null);
    return dropped && dropped[1] !== "0"
      ? `--capture: the kernel dropped ${
        dropped[1]
      } packets (tcpdump could not keep up), so some are missing above.`
      : undefined;
  }

  #line(line: string): void {
    const packet = parseTcpdumpLine(line);
    if (packet === undefined) return;
    if (packet.src.port === this.#markerPort || packet.dst.port === this.#markerPort) {
      if (packet.src.port === this.#markerPort && packet.length > 0) {
        this.#awaitingMarker?.(packet.time);
      }
      return;
    }
    this.#onPacket(packet);
  }

  #whyNot(): string {
    return whyTcpdumpFailed(this.#stderr.join("\n"));
  }
}

/**
 * tcpdump exited at once: what its stderr says, in one line a learner can
 * act on.
 *
 * @example
 * ```ts
 * import { whyTcpdumpFailed } from "./capture.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(
 *   whyTcpdumpFailed("tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)"),
 *   /^tcpdump may not capture here: it needs root or CAP_NET_RAW/,
 * );
 * ```
 */
export function whyTcpdumpFailed(stderr: string): string {
  const said = stderr.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(
    " ",
  );
  if (/permission|not permitted/i.test(said)) {
    return "tcpdump may not capture here: it needs root or CAP_NET_RAW " +
      "(run as root, or: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump))";
  }
  return `tcpdump could not start: ${said || "it exited at once"}`;
}

/** A connection to ourselves on the loopback, for markers: a write is one segment tcpdump sees. */
async function markerConnection(): Promise<{ send: Deno.TcpConn; receive: Deno.TcpConn }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const send = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const receive = await listener.accept();
  send.setNoDelay(true); // each marker leaves at once, not held back by Nagle's algorithm
  return { send, receive };
}

/** Calls `each` with every line of a byte stream. */
async function eachLine(
  stream: ReadableStream<Uint8Array>,
  each: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + text).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) each(line);
  }
  if (rest !== "") each(rest);
}
