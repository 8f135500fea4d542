/**
 * # The soak: a minute of mixed clients, memory watched
 *
 * Lesson 03's and lesson 05's servers, each served by a crowd of clients for
 * 60 s: mostly well-behaved conversations, the rest the hostile peers of the
 * test suite (random bytes, resets, 4 GiB headers, cut frames, idle
 * connections, 1 MiB floods). Every second the process runs a full garbage
 * collection and records its live heap and resident memory. A server that
 * keeps something per connection it never frees (a map entry, a timer, a
 * listener on a shared promise) shows up as a heap that grows with the
 * number of connections served; a healthy one levels off after warming up.
 *
 * Servers and clients run in this one process (the live heap after a full
 * GC is the most precise leak signal there is, and it needs no permission to
 * read another process's memory); the clients keep nothing between runs.
 *
 * Run: deno task soak [--seconds N] [--workers N] [--seed N]
 * Exit code 1 if a well-behaved client failed, a server logged a bug, or the
 * live heap grew.
 *
 * @module
 */

import { intFlag, parseFlags, runMain } from "../../lib/cli.ts";
import type { Log } from "../../lib/log.ts";
import { type Random, seededRandom } from "../../lib/random.ts";
import type { Server } from "../../lib/serve.ts";
import { startHelloServer } from "../../lessons/03_tcp_hello.ts";
import { startFramedServer } from "../../lessons/05_framing.ts";
import { drawChart, type Trend, trendOf } from "./chart.ts";
import { describe, FRAMED_CLIENTS, HELLO_CLIENTS, pick, type SoakClient } from "./clients.ts";

/** What one server went through. */
interface Tally {
  /** Finished exchanges, by client name. */
  runs: Map<string, number>;
  /** Failed exchanges, by client name. */
  failures: Map<string, number>;
  /** The first few failures, in words. */
  examples: string[];
  /** The server's log lines, by kind. */
  log: Map<string, number>;
  /** Log lines only a bug explains. */
  bugs: string[];
}

/** The kinds of server log line the summary counts. */
const LOG_KINDS: [string, RegExp][] = [
  ["accepted", /^Accept new connection/],
  ["closed", / closed\.$/],
  ["idle", /closed: idle for/],
  ["reset", /reset by the peer/],
  ["dropped", /dropped: /],
  ["refused", /^Refused /],
];

function newTally(): Tally {
  return { runs: new Map(), failures: new Map(), examples: [], log: new Map(), bugs: [] };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** A server log that counts lines instead of printing them. */
function countingLog(tally: Tally): Log {
  return (line) => {
    if (/\bfailed: |this is a bug/.test(line)) {
      if (tally.bugs.length < 5) tally.bugs.push(line);
      bump(tally.log, "bug");
      return;
    }
    const kind = LOG_KINDS.find(([, pattern]) => pattern.test(line));
    if (kind) bump(tally.log, kind[0]);
  };
}

/** One client after another until `until`, each picked at random by weight. */
async function worker(
  port: number,
  clients: readonly SoakClient[],
  random: Random,
  until: number,
  tally: Tally,
): Promise<void> {
  while (performance.now() < until) {
    const client = pick(clients, random);
    try {
      await client.run(port, random);
      bump(tally.runs, client.name);
    } catch (err) {
      bump(tally.failures, client.name);
      if (tally.examples.length < 5) tally.examples.push(`${client.name}: ${describe(err)}`);
    }
  }
}

/** Live heap and resident memory, in MB, right after a full garbage collection. */
function sampleMemory(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = Deno.memoryUsage();
  return { heap: heapUsed / 1e6, rss: rss / 1e6 };
}

/** How many well-behaved exchanges failed. */
function failedConversations(tally: Tally, clients: readonly SoakClient[]): number {
  return clients.filter((c) => !c.hostile)
    .reduce((sum, c) => sum + (tally.failures.get(c.name) ?? 0), 0);
}

const number = (n: number) => n.toLocaleString("en-US");

function summarize(title: string, tally: Tally, clients: readonly SoakClient[]): string[] {
  const total = [...tally.runs.values()].reduce((a, b) => a + b, 0);
  const failed = [...tally.failures.values()].reduce((a, b) => a + b, 0);
  const lines = [`${title}: ${number(total)} exchanges, ${number(failed)} failed`];
  for (const hostile of [false, true]) {
    const parts = clients.filter((c) => c.hostile === hostile).map((c) =>
      `${c.name} ${number(tally.runs.get(c.name) ?? 0)}` +
      (tally.failures.has(c.name) ? ` (${tally.failures.get(c.name)} failed)` : "")
    );
    lines.push(`  ${hostile ? "hostile" : "well-behaved"}: ${parts.join(", ")}`);
  }
  const logged = [...LOG_KINDS.map(([kind]) => kind), "bug"]
    .map((kind) => `${number(tally.log.get(kind) ?? 0)} ${kind}`);
  lines.push(`  server log: ${logged.join(", ")}`);
  for (const example of [...tally.examples, ...tally.bugs]) lines.push(`  ! ${example}`);
  return lines;
}

function chartLines(title: string, samples: number[], trend: Trend): string[] {
  return [
    `${title}, MB, one column per second:`,
    ...drawChart(samples, { height: 8, format: (v) => v.toFixed(1) }).map((l) => `  ${l}`),
    `  ${trend.verdict}: after the warm-up the fitted line ${trend.rise >= 0 ? "rises" : "falls"} ${
      Math.abs(trend.rise).toFixed(2)
    } MB (a rise over ${trend.tolerance.toFixed(2)} MB would count as growing); mean ${
      trend.mean.toFixed(1)
    } MB`,
  ];
}

const USAGE = `The soak: lesson 03's and lesson 05's servers under mixed clients, memory watched

Usage: deno task soak [--seconds N] [--workers N] [--seed N]

  --seconds N   how long (default 60)
  --workers N   clients at a time, per server (default 16)
  --seed N      the clients' random seed (default 9)`;

/** Runs the soak and prints its report; exit code 1 on a failure or a growing heap. */
export async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return console.log(USAGE);
  const { values } = parseFlags(args, {
    seconds: { type: "string" },
    workers: { type: "string" },
    seed: { type: "string" },
  });
  const seconds = intFlag("--seconds", values.seconds, 60, { min: 5, max: 3600 });
  const workers = intFlag("--workers", values.workers, 16, { min: 1, max: 400 });
  const seed = intFlag("--seed", values.seed, 9, { min: 0, max: 0xffff_ffff });
  if (!(globalThis as { gc?: unknown }).gc) {
    console.error(
      "note: run with --v8-flags=--expose-gc (deno task soak does) for exact heap samples",
    );
  }

  const hello = newTally(), framed = newTally();
  // Short idle timeouts, so the idle clients are let go within the run.
  const servers: [Server, readonly SoakClient[], Tally][] = [
    [
      startHelloServer({ port: 0, idleTimeoutMs: 1000, log: countingLog(hello) }),
      HELLO_CLIENTS,
      hello,
    ],
    [
      startFramedServer({ port: 0, idleTimeoutMs: 1000, log: countingLog(framed) }),
      FRAMED_CLIENTS,
      framed,
    ],
  ];
  console.log(
    `Soak: ${seconds} s, ${workers} clients at a time against each of lesson 03's and lesson 05's servers (seed ${seed})`,
  );

  const heap: number[] = [], rss: number[] = [];
  const until = performance.now() + seconds * 1000;
  const random = seededRandom(seed);
  const running = servers.flatMap(([server, clients, tally]) =>
    Array.from(
      { length: workers },
      () =>
        worker(
          server.addr.port,
          clients,
          seededRandom(Math.floor(random() * 2 ** 32)),
          until,
          tally,
        ),
    )
  );
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sample = sampleMemory();
    heap.push(sample.heap);
    rss.push(sample.rss);
    if (heap.length % 10 === 0) {
      console.log(
        `  ${heap.length} s: live heap ${sample.heap.toFixed(1)} MB, RSS ${
          sample.rss.toFixed(0)
        } MB`,
      );
    }
  }
  await Promise.all(running);
  const open = servers.map(([server]) => server.connections);
  await Promise.all(servers.map(([server]) => server.close(1000)));

  // The first third is warm-up: the heap and the allocator's arenas grow to
  // their working size (1 MiB frames come and go) before they level off.
  const heapTrend = trendOf(heap, { warmupFraction: 1 / 3, minTolerance: 1 });
  const rssTrend = trendOf(rss, { warmupFraction: 1 / 3, minTolerance: 8 });
  const report = [
    "",
    ...summarize("lesson 03 (TCP hello)", hello, HELLO_CLIENTS),
    ...summarize("lesson 05 (framed)", framed, FRAMED_CLIENTS),
    `  connections still open when the clients stopped: ${open.join(" and ")}`,
    "",
    "Memory of the whole process (both servers and every client), after a full GC each second:",
    "",
    ...chartLines("live heap", heap, heapTrend),
    "",
    ...chartLines("resident memory (RSS)", rss, rssTrend),
  ];
  for (const line of report) console.log(line);

  const wellBehavedFailures = failedConversations(hello, HELLO_CLIENTS) +
    failedConversations(framed, FRAMED_CLIENTS);
  const bugs = (hello.log.get("bug") ?? 0) + (framed.log.get("bug") ?? 0);
  const verdict = heapTrend.verdict === "flat" && !wellBehavedFailures && !bugs;
  console.log("");
  console.log(
    verdict
      ? "Verdict: memory flat, every well-behaved client served, no bug in the servers' logs."
      : `Verdict: FAILED (live heap ${heapTrend.verdict}, ${wellBehavedFailures} well-behaved failures, ${bugs} bug lines).`,
  );
  if (!verdict) Deno.exitCode = 1;
}

if (import.meta.main) await runMain(() => main(Deno.args));
