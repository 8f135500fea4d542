/**
 * A load-generator worker: runs its share of the clients, all at once, on
 * its own thread and event loop, and reports their timings.
 *
 * Protocol with `generator.ts`: the worker posts `"ready"` once loaded; the
 * generator posts one {@linkcode WorkerJob}; the worker posts one
 * {@linkcode WorkerReport} (timings transferred, not copied) and is done.
 * While it runs it bumps shared counters the generator reads for its
 * progress line.
 *
 * @module
 */

import { runSession } from "./session.ts";
import { closeQuietly } from "./io.ts";

/** Slots of the shared `Int32Array` of counters. */
export const COUNTER = { roundTrips: 0, welcomed: 1, finished: 2, errors: 3 } as const;

/** What the generator asks one worker to do. */
export interface WorkerJob {
  /** Server host. */
  host: string;
  /** Server port. */
  port: number;
  /** The client numbers this worker runs. */
  ids: number[];
  /** Round trips per client. */
  rounds: number;
  /** Give up at this `Date.now()`: close every open connection. */
  deadline: number;
  /** Shared `Int32Array` counters, indexed by {@linkcode COUNTER}. */
  counters: SharedArrayBuffer;
}

/** What one worker measured. */
export interface WorkerReport {
  /** Every completed round trip, in ms. */
  roundTrips: Float64Array<ArrayBuffer>;
  /** Connect-to-`Welcome!` of every client that got its greeting, in ms. */
  welcomes: Float64Array<ArrayBuffer>;
  /** Clients that failed. */
  errors: number;
  /** Up to five distinct error messages. */
  errorSamples: string[];
  /** Wall-clock start and end of the work, ms since the epoch. */
  started: number;
  /** See `started`. */
  ended: number;
}

/** Runs every client of `job` concurrently and gathers the timings. */
export async function runJob(job: WorkerJob): Promise<WorkerReport> {
  const counters = new Int32Array(job.counters);
  const roundTrips = new Float64Array(job.ids.length * job.rounds);
  const welcomes = new Float64Array(job.ids.length);
  let roundTripCount = 0;
  let welcomeCount = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  const open = new Set<Deno.Conn>();
  let timedOut = false;

  // The run is bounded in time: at the deadline, close what is still open.
  const timer = setTimeout(() => {
    timedOut = true;
    for (const conn of open) closeQuietly(conn);
  }, Math.max(0, job.deadline - Date.now()));

  const started = performance.timeOrigin + performance.now();
  await Promise.all(job.ids.map(async (id) => {
    let conn: Deno.Conn | undefined;
    try {
      await runSession({ host: job.host, port: job.port, id, rounds: job.rounds }, {
        opened(c) {
          conn = c;
          open.add(c);
        },
        welcome(ms) {
          welcomes[welcomeCount++] = ms;
          Atomics.add(counters, COUNTER.welcomed, 1);
        },
        roundTrip(ms) {
          roundTrips[roundTripCount++] = ms;
          Atomics.add(counters, COUNTER.roundTrips, 1);
        },
      });
    } catch (err) {
      errors++;
      Atomics.add(counters, COUNTER.errors, 1);
      const message = timedOut ? "timed out" : err instanceof Error ? err.message : String(err);
      if (errorSamples.size < 5) errorSamples.add(message);
    } finally {
      if (conn) open.delete(conn);
      Atomics.add(counters, COUNTER.finished, 1);
    }
  }));
  const ended = performance.timeOrigin + performance.now();
  clearTimeout(timer);

  return {
    roundTrips: roundTrips.slice(0, roundTripCount),
    welcomes: welcomes.slice(0, welcomeCount),
    errors,
    errorSamples: [...errorSamples],
    started,
    ended,
  };
}

/** The parts of a worker's global scope used here (typed without the worker lib). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerJob>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  close(): void;
}

// Only when started as a worker (not when a test imports `runJob`).
if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = async (event) => {
    const report = await runJob(event.data);
    scope.postMessage(report, [report.roundTrips.buffer, report.welcomes.buffer]);
    scope.close();
  };
  scope.postMessage("ready");
}
