/**
 * The C load generator (`loadgen.c`, the yardstick from `../shared/perf/`
 * plus a per-connection report), built with gcc on first use and run once
 * per measurement.
 *
 * Why C here and not `generator.ts`: at 1,000 clients the servers answer
 * 80–100k round trips/s, and a JavaScript client on the same two cores
 * becomes the bottleneck, and has a scheduler of its own whose stalls would
 * be counted as the server's. The C client is one epoll loop: what it
 * measures is the server.
 *
 * @module
 */

import { LessonError } from "../../lib/errors.ts";

const ROOT = new URL("../../", import.meta.url);
const SOURCE = new URL("bench/load/loadgen.c", ROOT);
const BINARY = new URL(".tmp/loadgen", ROOT);

/** One run of the load generator. */
export interface LoadgenOptions {
  /** Server port on 127.0.0.1. */
  port: number;
  /** Connections. */
  clients: number;
  /** Lock-step round trips per connection. */
  rounds: number;
  /** At most this many between connect() and `Welcome!` at once; 0: all at once (a burst). */
  maxConnecting: number;
  /** Give up after this many seconds (default 120). */
  timeLimitS?: number;
  /** A round trip longer than this is a stall (default 100 ms). */
  stallMs?: number;
}

/** What one run measured. Times in ms. */
export interface LoadgenResult {
  /** Verified round trips per second over the whole run (set-up included). */
  roundTripsPerSecond: number;
  /** Round trip percentiles. */
  p50Ms: number;
  /** See `p50Ms`. */
  p99Ms: number;
  /** The slowest round trip of the run. */
  maxMs: number;
  /** connect() to the whole `Welcome!`, percentiles. */
  setupP50Ms: number;
  /** See `setupP50Ms`. */
  setupP99Ms: number;
  /** Connections that failed or did not finish. */
  errors: number;
  /** Connections that had at least one round trip over the stall threshold. */
  stalledConnections: number;
  /** The median over connections of each connection's worst round trip. */
  worstPerConnectionP50Ms: number;
  /** A log2 histogram of the connections' worst round trips: `[from ms, count]`. */
  worstHistogram: [number, number][];
}

/** Compiles `loadgen.c` into `.tmp/loadgen` unless a binary newer than the source is there. */
export async function buildLoadgen(): Promise<string> {
  const source = await Deno.stat(SOURCE);
  const binary = await Deno.stat(BINARY).catch(() => undefined);
  if (binary?.mtime && source.mtime && binary.mtime >= source.mtime) return BINARY.pathname;
  await Deno.mkdir(new URL(".tmp/", ROOT), { recursive: true });
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("gcc", {
      args: ["-O2", "-pthread", "-o", BINARY.pathname, SOURCE.pathname],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new LessonError("gcc is not installed", "apt-get install gcc");
  }
  if (!out.success) {
    throw new LessonError(`gcc failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return BINARY.pathname;
}

/** Runs the load generator once against 127.0.0.1:`port`. */
export async function runLoadgen(binary: string, options: LoadgenOptions): Promise<LoadgenResult> {
  const stats = await Deno.makeTempFile({ dir: new URL(".tmp/", ROOT).pathname, prefix: "lg-" });
  try {
    const out = await new Deno.Command(binary, {
      args: [
        "-p",
        `${options.port}`,
        "-c",
        `${options.clients}`,
        "-r",
        `${options.rounds}`,
        "-m",
        `${options.maxConnecting}`,
        "-T",
        `${options.timeLimitS ?? 120}`,
        "-x",
        `${options.stallMs ?? 100}`,
        "-S",
        stats,
        "-q",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) {
      throw new LessonError(
        `the load generator printed no result: ${new TextDecoder().decode(out.stderr).trim()}`,
      );
    }
    return { ...parseResultLine(line), ...parseStats(await Deno.readTextFile(stats)) };
  } finally {
    await Deno.remove(stats).catch(() => {});
  }
}

/**
 * Reads the `RESULT key=value ...` line the load generator prints.
 *
 * @example
 * ```ts
 * import { parseResultLine } from "./loadgen.ts";
 * import assert from "node:assert/strict";
 *
 * const r = parseResultLine(
 *   "RESULT conns=2 rt_per_s=1000.5 p50_us=1500.0 p99_us=2000.0 max_us=3000.0 " +
 *     "setup_p50_us=100.0 setup_p99_us=200.0 errors=0 timed_out=0",
 * );
 * assert.equal(r.p50Ms, 1.5);
 * assert.equal(r.roundTripsPerSecond, 1000.5);
 * ```
 */
export function parseResultLine(
  line: string,
): Pick<
  LoadgenResult,
  "roundTripsPerSecond" | "p50Ms" | "p99Ms" | "maxMs" | "setupP50Ms" | "setupP99Ms" | "errors"
> {
  const fields = new Map(line.split(/\s+/).slice(1).map((kv) => kv.split("=") as [string, string]));
  const num = (key: string) => Number(fields.get(key) ?? NaN);
  return {
    roundTripsPerSecond: num("rt_per_s"),
    p50Ms: num("p50_us") / 1000,
    p99Ms: num("p99_us") / 1000,
    maxMs: num("max_us") / 1000,
    setupP50Ms: num("setup_p50_us") / 1000,
    setupP99Ms: num("setup_p99_us") / 1000,
    errors: num("errors"),
  };
}

/**
 * Reads the per-connection report (`-S`): stalled connections, the median
 * worst round trip, and the histogram of worst round trips.
 *
 * @example
 * ```ts
 * import { parseStats } from "./loadgen.ts";
 * import assert from "node:assert/strict";
 *
 * const s = parseStats([
 *   "CONN id=0 port=1 rounds=5 max_us=1200 max_at_ms=3.0 over_stall=0",
 *   "CONN id=1 port=2 rounds=5 max_us=250000 max_at_ms=9.0 over_stall=2",
 *   "HIST [1024, 2048) 1",
 *   "HIST [131072, 262144) 1",
 * ].join("\n"));
 * assert.equal(s.stalledConnections, 1);
 * assert.deepEqual(s.worstHistogram, [[1.024, 1], [131.072, 1]]);
 * ```
 */
export function parseStats(
  text: string,
): Pick<LoadgenResult, "stalledConnections" | "worstPerConnectionP50Ms" | "worstHistogram"> {
  const worst: number[] = [];
  let stalled = 0;
  const histogram: [number, number][] = [];
  for (const line of text.split("\n")) {
    const conn = /^CONN .*max_us=(\d+) .*over_stall=(\d+)/.exec(line);
    if (conn) {
      worst.push(Number(conn[1]) / 1000);
      if (Number(conn[2]) > 0) stalled++;
    }
    const bucket = /^HIST \[(\d+), \d+\) (\d+)/.exec(line);
    if (bucket) histogram.push([Number(bucket[1]) / 1000, Number(bucket[2])]);
  }
  worst.sort((a, b) => a - b);
  return {
    stalledConnections: stalled,
    worstPerConnectionP50Ms: worst.length ? worst[Math.floor((worst.length - 1) / 2)] : NaN,
    worstHistogram: histogram,
  };
}
