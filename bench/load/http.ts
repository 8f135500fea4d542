/**
 * The HTTP scenario: `wrk -t2 -c100 -d5s` with `Connection: close`, every
 * request a new TCP connection, against lesson 02's raw server, Node `http`
 * and `Deno.serve`.
 *
 * @module
 */

import { LessonError } from "../../lib/errors.ts";

/** What one wrk run measured. */
export interface WrkResult {
  /** Requests per second. */
  requestsPerSecond: number;
  /** Latency percentiles, ms. */
  p50Ms: number;
  /** See `p50Ms`. */
  p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx answers. */
  errors: number;
}

/** Runs wrk once against `http://127.0.0.1:port/`. */
export async function runWrk(port: number, seconds = 5): Promise<WrkResult> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("wrk", {
      args: [
        "-t2",
        "-c100",
        `-d${seconds}s`,
        "--latency",
        "-H",
        "Connection: close",
        `http://127.0.0.1:${port}/`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new LessonError("wrk is not installed", "apt-get install wrk");
  }
  return parseWrk(new TextDecoder().decode(out.stdout));
}

/** `1.23ms`, `456.00us`, `2.00s` → ms. */
function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n;
}

/**
 * Reads wrk's `--latency` report.
 *
 * @example
 * ```ts
 * import { parseWrk } from "./http.ts";
 * import assert from "node:assert/strict";
 *
 * const r = parseWrk([
 *   "  Latency Distribution",
 *   "     50%  810.00us",
 *   "     99%    5.10ms",
 *   "  Socket errors: connect 0, read 3, write 0, timeout 0",
 *   "Requests/sec:  12345.67",
 * ].join("\n"));
 * assert.equal(r.requestsPerSecond, 12345.67);
 * assert.equal(r.p50Ms, 0.81);
 * assert.equal(r.errors, 3);
 * ```
 */
export function parseWrk(text: string): WrkResult {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\b`, "m").exec(text);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const errors = (socket ? socket.slice(1).reduce((s, n) => s + Number(n), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  if (!rate) throw new LessonError(`wrk printed no rate: ${text.trim().split("\n").at(-1)}`);
  return { requestsPerSecond: Number(rate[1]), p50Ms: pct("50"), p99Ms: pct("99"), errors };
}
