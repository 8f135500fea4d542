/**
 * # A load generator for lesson 03's hello protocol
 *
 * C clients connect at once; each reads `Welcome!`, does R lock-step round
 * trips (send a name, read `Hello, <name>!`, every byte checked), sends
 * `exit` and waits for the server to close. It reports round trips per
 * second, p50/p99 round-trip latency, p99 connect-to-`Welcome!` and errors,
 * with a live progress line on stderr.
 *
 *   deno run --allow-net=127.0.0.1 bench/load/generator.ts --port P --clients 100 --rounds 500
 *
 * Why Deno with Web Workers, not a compiled tool: none of Debian's load tools
 * speaks this protocol (wrk and ab speak HTTP; tcpkali and iperf3 send
 * streams without waiting for, or checking, a reply), so a tool would have to
 * be written anyway, and one written in Deno runs from a fresh clone with
 * nothing to install or compile. Workers are threads with their own event
 * loop, so the clients are spread over them and one busy event loop does not
 * become the bottleneck. On this 2-core machine the server under test needs
 * a core too, so the default is 2 workers for 100+ clients (measured: 1 worker
 * caps the rate; 2 lets it climb; more only adds contention), and 1 for fewer.
 * Every server is measured with the same client, so the ratios are fair even
 * where the client's own cost shows in the absolute numbers.
 *
 * @module
 */

import { intFlag, parseFlags, portFlag } from "../../lib/flags.ts";
import { runMain } from "../../lib/cli.ts";
import { UsageError } from "../../lib/errors.ts";
import { mergeSorted, percentile } from "./stats.ts";
import { COUNTER, type WorkerJob, type WorkerReport } from "./worker.ts";

/** Options for {@linkcode runLoad}. */
export interface LoadOptions {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. */
  port: number;
  /** Concurrent connections. */
  clients: number;
  /** Round trips per connection. */
  rounds: number;
  /** Worker threads to spread the clients over. Default: see {@linkcode defaultWorkers}. */
  workers?: number;
  /** Stop and count unfinished clients as errors after this long. Default 120 s. */
  timeoutMs?: number;
  /** Called about every `progressEveryMs` while the load runs. */
  onProgress?: (progress: LoadProgress) => void;
  /** How often to call `onProgress`. Default 250 ms. */
  progressEveryMs?: number;
}

/** Counts so far, for a progress line. */
export interface LoadProgress {
  /** Round trips completed. */
  roundTrips: number;
  /** Round trips planned: clients × rounds. */
  planned: number;
  /** Clients that got their `Welcome!`. */
  welcomed: number;
  /** Clients finished, well or not. */
  finished: number;
  /** Clients that failed. */
  errors: number;
  /** Since the start, ms. */
  elapsedMs: number;
}

/** What one load run measured. */
export interface LoadResult {
  /** Concurrent connections. */
  clients: number;
  /** Round trips per connection. */
  rounds: number;
  /** Round trips completed and verified. */
  roundTrips: number;
  /** Clients that failed (refused, wrong bytes, early close, timed out). */
  errors: number;
  /** Up to five distinct error messages. */
  errorSamples: string[];
  /** From the first connect to the last close, s. */
  seconds: number;
  /** Verified round trips per second over `seconds`. */
  roundTripsPerSecond: number;
  /** Round-trip latency percentiles, ms. */
  p50Ms: number;
  /** See `p50Ms`. */
  p99Ms: number;
  /** The slowest round trip, ms. */
  maxMs: number;
  /** Connect-to-`Welcome!` percentiles, ms. */
  welcomeP50Ms: number;
  /** See `welcomeP50Ms`. */
  welcomeP99Ms: number;
  /** The slowest greeting, ms. */
  welcomeMaxMs: number;
}

/** Workers to use for `clients` clients: 1 below 100 clients, else 2. */
export function defaultWorkers(clients: number): number {
  return clients < 100 ? 1 : 2;
}

/** Splits client numbers `0..clients-1` round-robin over `workers` lists. */
export function shareClients(clients: number, workers: number): number[][] {
  const shares: number[][] = Array.from({ length: workers }, () => []);
  for (let id = 0; id < clients; id++) shares[id % workers].push(id);
  return shares.filter((share) => share.length > 0);
}

/** Runs one load: starts the workers, waits for all of them, sums up. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { clients, rounds } = options;
  const shares = shareClients(clients, options.workers ?? defaultWorkers(clients));
  const counters = new SharedArrayBuffer(4 * 4);
  const view = new Int32Array(counters);

  // Start the workers and wait until each has loaded, so start-up is not timed.
  const workers = shares.map(() =>
    new Worker(new URL("./worker.ts", import.meta.url), { type: "module" })
  );
  const reports: Promise<WorkerReport>[] = [];
  try {
    await Promise.all(workers.map((worker) => nextMessage(worker)));
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const started = performance.now();
    for (const [i, worker] of workers.entries()) {
      const job: WorkerJob = {
        host: options.host ?? "127.0.0.1",
        port: options.port,
        ids: shares[i],
        rounds,
        deadline,
        counters,
      };
      reports.push(nextMessage(worker) as Promise<WorkerReport>);
      worker.postMessage(job);
    }

    const progress = (): LoadProgress => ({
      roundTrips: Atomics.load(view, COUNTER.roundTrips),
      planned: clients * rounds,
      welcomed: Atomics.load(view, COUNTER.welcomed),
      finished: Atomics.load(view, COUNTER.finished),
      errors: Atomics.load(view, COUNTER.errors),
      elapsedMs: performance.now() - started,
    });
    const ticker = options.onProgress
      ? setInterval(() => options.onProgress!(progress()), options.progressEveryMs ?? 250)
      : undefined;
    let done: WorkerReport[];
    try {
      done = await Promise.all(reports);
    } finally {
      clearInterval(ticker);
    }
    options.onProgress?.(progress());
    return summarize(clients, rounds, done);
  } finally {
    for (const worker of workers) worker.terminate();
  }
}

/** Resolves with the worker's next message; rejects if the worker fails. */
function nextMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`load worker failed: ${event.message}`));
    };
  });
}

/** Merges the workers' reports into one result. */
export function summarize(clients: number, rounds: number, reports: WorkerReport[]): LoadResult {
  const roundTrips = mergeSorted(reports.map((r) => r.roundTrips));
  const welcomes = mergeSorted(reports.map((r) => r.welcomes));
  const seconds = (Math.max(...reports.map((r) => r.ended)) -
    Math.min(...reports.map((r) => r.started))) / 1000;
  return {
    clients,
    rounds,
    roundTrips: roundTrips.length,
    errors: reports.reduce((sum, r) => sum + r.errors, 0),
    errorSamples: [...new Set(reports.flatMap((r) => r.errorSamples))].slice(0, 5),
    seconds,
    roundTripsPerSecond: roundTrips.length / seconds,
    p50Ms: percentile(roundTrips, 50),
    p99Ms: percentile(roundTrips, 99),
    maxMs: roundTrips.length > 0 ? roundTrips[roundTrips.length - 1] : NaN,
    welcomeP50Ms: percentile(welcomes, 50),
    welcomeP99Ms: percentile(welcomes, 99),
    welcomeMaxMs: welcomes.length > 0 ? welcomes[welcomes.length - 1] : NaN,
  };
}

/** One progress line: `12,345/50,000 round trips  998/1,000 greeted  0 errors  1.3 s`. */
export function progressLine(label: string, p: LoadProgress): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `${label}${n(p.roundTrips)}/${n(p.planned)} round trips  ` +
    `${n(p.welcomed)} greeted  ${n(p.finished)} done  ${n(p.errors)} errors  ` +
    `${(p.elapsedMs / 1000).toFixed(1)} s`;
}

/**
 * A progress reporter for stderr: on a terminal, one line rewritten in
 * place; otherwise (a pipe, a CI log) a plain line every few seconds.
 */
export function stderrProgress(label: string): (p: LoadProgress) => void {
  const encoder = new TextEncoder();
  const tty = Deno.stderr.isTerminal();
  let lastPrinted = 0;
  return (p) => {
    if (tty) {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${progressLine(label, p)}`));
    } else if (p.elapsedMs - lastPrinted >= 5_000) {
      lastPrinted = p.elapsedMs;
      Deno.stderr.writeSync(encoder.encode(`${progressLine(label, p)}\n`));
    }
  };
}

/** Clears a terminal progress line (no-op on a pipe). */
export function clearProgress(): void {
  if (Deno.stderr.isTerminal()) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
}

/** Formats a result as a few human lines. */
export function describe(result: LoadResult): string {
  const f = (ms: number) => `${ms.toFixed(2)} ms`;
  return [
    `${result.clients} clients × ${result.rounds} round trips in ${result.seconds.toFixed(2)} s`,
    `  ${Math.round(result.roundTripsPerSecond).toLocaleString("en-US")} round trips/s, ` +
    `${result.roundTrips.toLocaleString("en-US")} verified, ${result.errors} errors`,
    `  round trip: p50 ${f(result.p50Ms)}, p99 ${f(result.p99Ms)}, max ${f(result.maxMs)}`,
    `  connect to Welcome!: p50 ${f(result.welcomeP50Ms)}, p99 ${f(result.welcomeP99Ms)}, ` +
    `max ${f(result.welcomeMaxMs)}`,
    ...result.errorSamples.map((message) => `  error: ${message}`),
  ].join("\n");
}

const USAGE = `Load generator for lesson 03's hello protocol

Usage:
  deno run --allow-net=127.0.0.1 bench/load/generator.ts --port P [options]

Options:
  --host H         server address (default 127.0.0.1)
  --port P         server port (required)
  --clients C      concurrent connections (default 100)
  --rounds R       lock-step round trips per connection (default 500)
  --workers W      worker threads (default 1 below 100 clients, else 2)
  --timeout-ms N   give up after N ms (default 120000)
  --json           print the result as JSON on stdout`;

/** The command line. */
export async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    clients: { type: "string" },
    rounds: { type: "string" },
    workers: { type: "string" },
    "timeout-ms": { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.port === undefined) throw new UsageError("--port is required");
  const clients = intFlag("--clients", values.clients, 100, { min: 1, max: 20_000 });
  const options: LoadOptions = {
    host: values.host,
    port: portFlag(values.port, 0),
    clients,
    rounds: intFlag("--rounds", values.rounds, 500, { min: 0, max: 10_000_000 }),
    workers: intFlag("--workers", values.workers, defaultWorkers(clients), { min: 1, max: 64 }),
    timeoutMs: intFlag("--timeout-ms", values["timeout-ms"], 120_000, { min: 1, max: 3_600_000 }),
    onProgress: stderrProgress(""),
  };
  const result = await runLoad(options);
  clearProgress();
  console.log(values.json ? JSON.stringify(result) : describe(result));
}

if (import.meta.main) await runMain(() => main(Deno.args));
