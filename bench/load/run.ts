/**
 * # `deno task bench:load`: lesson 03's and lesson 02's servers against their peers
 *
 * Hello protocol (lesson 03), measured with the C load generator
 * (`loadgen.c`, built with gcc into `.tmp/`):
 *
 * - throughput scenarios, CLIENTS × ROUNDS lock-step round trips with at most
 *   200 clients connecting at once (staggered: a burst would overflow the
 *   accept queue and a dropped SYN's 1 s retry would decide the figure);
 *   p50, p99 and the worst round trip, and per connection: how many had a
 *   round trip over 100 ms, the median of their worst round trips;
 * - a burst: 1,000 clients connecting at once, 5 round trips each; its
 *   figure is the p99 from connect() to the whole `Welcome!`.
 *
 * Every run also counts accept-queue overflows (`nstat TcpExtListenOverflows`).
 * Servers: lesson 03 (through `startHelloServer`), the 30-line plain Deno
 * server, Node `net`, the same Node code on Deno (`node:net`), Python threads.
 *
 * HTTP (lesson 02): `wrk -t2 -c100 -d5s -H "Connection: close"` against lesson
 * 02 (started as `deno task 02 server --port P`), Node `http` and `Deno.serve`.
 *
 * Each measurement gets a fresh server process and a warm-up; servers are
 * alternated, runs repeated, and the tables show medians (ratios: the median
 * of per-run ratios). The machines are noisy: compare ratios from one sitting.
 *
 *   deno task bench:load                           3 runs of everything
 *   deno task bench:load --runs 5 --skip-http
 *   deno task bench:load --servers lesson,ref --scenarios 1000x400 --watch-unread
 *
 * @module
 */

import { LessonError, UsageError } from "../../lib/errors.ts";
import { intFlag, parseFlags } from "../../lib/flags.ts";
import { runMain } from "../../lib/cli.ts";
import { median } from "./stats.ts";
import { buildLoadgen, type LoadgenResult, runLoadgen } from "./loadgen.ts";
import { listenOverflows, type UnreadReport, watchUnread } from "./kernel.ts";
import { runWrk, type WrkResult } from "./http.ts";
import {
  customServer,
  HELLO_SERVERS,
  HTTP_SERVERS,
  type ServerSpec,
  startServer,
} from "./servers.ts";
import { type BulkResult, framedTransfer, rawTransfer } from "./framed_bulk.ts";
import { measureLearnerTime } from "./learner_time.ts";
import { denoCommand } from "./deno_command.ts";

/** One hello scenario: C clients, R round trips each, at most M connecting at once (0: all). */
export interface Scenario {
  /** Connections. */
  clients: number;
  /** Round trips per connection. */
  rounds: number;
  /** At most this many connecting at once; 0 for a burst. */
  maxConnecting: number;
}

/** The throughput scenarios (staggered connects). */
export const SCENARIOS: readonly Scenario[] = [
  { clients: 100, rounds: 2_000, maxConnecting: 200 },
  { clients: 1_000, rounds: 400, maxConnecting: 200 },
];

/** The burst: every client connects at once; judged on connect → `Welcome!`. */
export const BURST: Scenario = { clients: 1_000, rounds: 5, maxConnecting: 0 };

/** One measured hello run: the load generator's figures and the overflows during it. */
export interface HelloRun extends LoadgenResult {
  /** `TcpExtListenOverflows` during the run. */
  overflows: number;
  /** With `--watch-unread`: the oldest bytes the server left unread. */
  unread?: UnreadReport;
}

/** Results keyed by `server scenario`, one entry per run. */
export type Results<R> = Map<string, R[]>;

function scenarioName(s: Scenario): string {
  return `${s.clients}x${s.rounds}${s.maxConnecting === 0 ? " burst" : ""}`;
}

function push<R>(results: Results<R>, key: string, value: R): void {
  results.set(key, [...(results.get(key) ?? []), value]);
}

/** One hello measurement: fresh server, warm-up, overflows counted around the run. */
async function measureHello(
  loadgen: string,
  spec: ServerSpec,
  scenario: Scenario,
  watch: boolean,
): Promise<HelloRun> {
  await using server = await startServer(spec);
  await runLoadgen(loadgen, { port: server.port, clients: 10, rounds: 200, maxConnecting: 0 });
  const before = await listenOverflows();
  const stop = new AbortController();
  const watching = watch ? watchUnread(server.port, stop.signal) : undefined;
  try {
    const result = await runLoadgen(loadgen, { port: server.port, ...scenario });
    return { ...result, overflows: (await listenOverflows()) - before };
  } finally {
    stop.abort();
    const unread = await watching;
    if (unread) console.error(describeUnread(spec, scenario, unread));
  }
}

function describeUnread(spec: ServerSpec, scenario: Scenario, r: UnreadReport): string {
  const o = r.oldest;
  return `${spec.label} ${scenarioName(scenario)}: ${r.samples} ss samples; ` +
    (o
      ? `oldest unread: ${o.recvQ} bytes, arrived ${o.lastReceivedMs} ms earlier\n  ${o.line}`
      : "no unread bytes seen");
}

/** One wrk measurement: fresh server, a 1 s warm-up, then the 5 s run. */
async function measureHttp(spec: ServerSpec, seconds: number): Promise<WrkResult> {
  await using server = await startServer(spec);
  await runWrk(server.port, 1);
  return await runWrk(server.port, seconds);
}

/** Formats a number with thousands separators. */
function n(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–";
}

/** Formats milliseconds: two decimals below 10, none above. */
function ms(x: number): string {
  if (!Number.isFinite(x)) return "–";
  return x < 10 ? x.toFixed(2) : x.toFixed(0);
}

function times(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : "–";
}

/** Median over runs of `pick(a[i]) / pick(b[i])`. */
export function pairedRatio<T>(
  a: T[] | undefined,
  b: T[] | undefined,
  pick: (r: T) => number,
): number {
  if (!a || !b) return NaN;
  return median(a.slice(0, Math.min(a.length, b.length)).map((r, i) => pick(r) / pick(b[i])));
}

function med<T>(runs: T[], pick: (r: T) => number): number {
  return median(runs.map(pick));
}

/** The hello table, in Markdown. */
export function helloTable(
  results: Results<HelloRun>,
  scenarios: readonly Scenario[],
  servers: readonly ServerSpec[],
): string {
  const rows = [
    "| scenario | server | round trips/s | × Node | p50 ms | p99 ms | worst ms | conn. worst, median ms | conns > 100 ms | connect→Welcome! p99 ms | overflows | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const scenario of scenarios) {
    const name = scenarioName(scenario);
    const node = results.get(`node ${name}`);
    for (const spec of servers) {
      const runs = results.get(`${spec.id} ${name}`);
      if (!runs) continue;
      const rps = (r: HelloRun) => r.roundTripsPerSecond;
      rows.push(
        `| ${n(scenario.clients)} × ${n(scenario.rounds)}${
          scenario.maxConnecting === 0 ? " (burst)" : ""
        } | ${spec.label} | ${n(med(runs, rps))} | ${times(pairedRatio(runs, node, rps))} | ${
          ms(med(runs, (r) => r.p50Ms))
        } | ${ms(med(runs, (r) => r.p99Ms))} | ${ms(med(runs, (r) => r.maxMs))} | ${
          ms(med(runs, (r) => r.worstPerConnectionP50Ms))
        } | ${n(med(runs, (r) => r.stalledConnections))} | ${
          ms(med(runs, (r) => r.setupP99Ms))
        } | ${runs.map((r) => Number.isFinite(r.overflows) ? r.overflows : "?").join(" ")} | ${
          runs.reduce((s, r) => s + r.errors, 0)
        } |`,
      );
    }
  }
  return rows.join("\n");
}

/** The HTTP table, in Markdown. */
export function httpTable(results: Results<WrkResult>, servers: readonly ServerSpec[]): string {
  const node = results.get("node-http"), serve = results.get("deno-serve");
  const rate = (r: WrkResult) => r.requestsPerSecond;
  const rows = [
    "| server (wrk -t2 -c100 -d5s, Connection: close) | requests/s | × Node http | × Deno.serve | p50 ms | p99 ms | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const spec of servers) {
    const runs = results.get(spec.id);
    if (!runs) continue;
    rows.push(
      `| ${spec.label} | ${n(med(runs, rate))} | ${times(pairedRatio(runs, node, rate))} | ${
        times(pairedRatio(runs, serve, rate))
      } | ${ms(med(runs, (r) => r.p50Ms))} | ${ms(med(runs, (r) => r.p99Ms))} | ${
        runs.reduce((s, r) => s + r.errors, 0)
      } |`,
    );
  }
  return rows.join("\n");
}

/** One of the goals: met, missed, or not measured in this invocation. */
export interface Verdict {
  /** The goal in words. */
  target: string;
  /** Whether the medians meet it. */
  status: "met" | "missed" | "not measured";
  /** The numbers behind the verdict. */
  detail: string;
}

/** Issue 17's goals for lessons 03 and 02, judged on these results. */
export function verdicts(hello: Results<HelloRun>, http: Results<WrkResult>): Verdict[] {
  const out: Verdict[] = [];
  const judge = (target: string, value: number, limit: number, detail: string, atMost = false) =>
    out.push({
      target,
      status: !Number.isFinite(value) || !Number.isFinite(limit)
        ? "not measured"
        : (atMost ? value <= limit : value >= limit)
        ? "met"
        : "missed",
      detail,
    });
  const get = (id: string, clients: number, burst = false) =>
    [...hello.entries()].find(([k]) =>
      k.startsWith(`${id} ${clients}x`) && k.endsWith(" burst") === burst
    )?.[1];
  const rps = (r: HelloRun) => r.roundTripsPerSecond;
  for (const clients of [100, 1_000]) {
    const ratio = pairedRatio(get("lesson", clients), get("node", clients), rps);
    judge(
      `lesson 03 ≥ 1.2× Node's round trips/s at ${n(clients)} clients`,
      ratio,
      1.2,
      times(ratio),
    );
    const toRef = pairedRatio(get("lesson", clients), get("ref", clients), rps);
    judge(
      `lesson 03 ≥ 0.9× the plain Deno server at ${n(clients)} clients`,
      toRef,
      0.9,
      times(toRef),
    );
  }
  const lesson = get("lesson", 1_000), node = get("node", 1_000);
  const p99 = lesson && node
    ? [med(lesson, (r) => r.p99Ms), med(node, (r) => r.p99Ms)]
    : [NaN, NaN];
  judge(
    "lesson 03 p99 round trip at 1,000 clients ≤ Node's",
    p99[0],
    p99[1],
    `${ms(p99[0])} vs ${ms(p99[1])} ms`,
    true,
  );
  const worst = lesson && node
    ? [med(lesson, (r) => r.maxMs), med(node, (r) => r.maxMs)]
    : [NaN, NaN];
  judge(
    "lesson 03 worst round trip at 1,000 clients ≤ 2× Node's",
    worst[0],
    2 * worst[1],
    `${ms(worst[0])} vs ${ms(worst[1])} ms`,
    true,
  );
  const bl = get("lesson", 1_000, true), bn = get("node", 1_000, true);
  const burst = bl && bn
    ? [med(bl, (r) => r.setupP99Ms), med(bn, (r) => r.setupP99Ms)]
    : [NaN, NaN];
  judge(
    "burst p99 connect→Welcome! ≤ Node's",
    burst[0],
    burst[1],
    `${ms(burst[0])} vs ${ms(burst[1])} ms`,
    true,
  );
  const rate = (r: WrkResult) => r.requestsPerSecond;
  const toNode = pairedRatio(http.get("lesson02"), http.get("node-http"), rate);
  const toServe = pairedRatio(http.get("lesson02"), http.get("deno-serve"), rate);
  judge(
    "lesson 02 ≥ Node http's requests/s (Connection: close)",
    toNode,
    1,
    `${times(toNode)}; ${times(toServe)} Deno.serve`,
  );
  return out;
}

/** `1000x400` → a staggered scenario. */
function parseScenario(text: string): Scenario {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`a scenario is CLIENTSxROUNDS, like 1000x400; got "${text}"`);
  return { clients: Number(match[1]), rounds: Number(match[2]), maxConnecting: 200 };
}

function pickServers(list: string | undefined, from: readonly ServerSpec[]): ServerSpec[] {
  if (!list) return [...from];
  return list.split(",").map((id) => {
    const spec = from.find((s) => s.id === id.trim());
    if (!spec) {
      throw new UsageError(`unknown server "${id}": expected ${from.map((s) => s.id).join(", ")}`);
    }
    return spec;
  });
}

async function versionOf(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return new TextDecoder().decode(out.stdout).trim().split("\n")[0];
  } catch {
    return "not found";
  }
}

function progress(text: string): void {
  const line = Deno.stderr.isTerminal() ? `\r\x1b[K${text}` : `${text}\n`;
  Deno.stderr.writeSync(new TextEncoder().encode(line));
}

const USAGE = `deno task bench:load: lesson 03's and lesson 02's servers against their peers

Usage: deno task bench:load [options]

Options:
  --runs N             runs per scenario and server (default 3); the tables show medians
  --scenarios LIST     staggered hello scenarios, CLIENTSxROUNDS (default 100x2000,1000x400)
  --burst N            N clients connecting at once, 5 round trips each (default 1000; 0: skip)
  --servers LIST       from lesson,ref,node,deno-node,python (default all)
  --extra ID=COMMAND   one more hello server; {port} in COMMAND is replaced (repeatable), e.g.
                       --extra "ahead=deno run --allow-net=127.0.0.1 bench/fairness/hello_variants.ts {port} ahead"
  --watch-unread       sample ss -tni during 1,000-client runs; print the oldest unread bytes
                       (costs CPU: for finding the cause, not for the tables)
  --skip-hello         no hello scenarios
  --skip-http          no wrk scenario (lesson 02 vs Node http vs Deno.serve)
  --bulk               also lesson 05's framed bulk transfer against a raw echo
  --learner            also time deno task tour (warm) and deno task test (cold cache)
  --netns              run everything in a network namespace of its own (root; unshare -n):
                       the overflow counts and ports are then this benchmark's alone
  -h, --help           show this help

Needs gcc (the load generator), nstat (iproute2), wrk, node and python3.`;

/** The command line. */
export async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    runs: { type: "string" },
    scenarios: { type: "string" },
    burst: { type: "string" },
    servers: { type: "string" },
    extra: { type: "string", multiple: true },
    "watch-unread": { type: "boolean" },
    "skip-hello": { type: "boolean" },
    "skip-http": { type: "boolean" },
    bulk: { type: "boolean" },
    learner: { type: "boolean" },
    netns: { type: "boolean" },
    "in-netns": { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.netns && !values["in-netns"]) return await rerunInNetworkNamespace(args);
  const runs = intFlag("--runs", values.runs, 3, { min: 1, max: 100 });
  const burstClients = intFlag("--burst", values.burst, BURST.clients, { min: 0, max: 20_000 });
  const scenarios = [
    ...(values.scenarios?.split(",").map(parseScenario) ?? SCENARIOS),
    ...(burstClients > 0 ? [{ ...BURST, clients: burstClients }] : []),
  ];
  const servers = [
    ...pickServers(values.servers, HELLO_SERVERS),
    ...(values.extra ?? []).map(customServer),
  ];

  const loadBefore = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const started = performance.now();
  const hello: Results<HelloRun> = new Map();
  const http: Results<WrkResult> = new Map();
  if (!values["skip-hello"]) {
    const loadgen = await buildLoadgen();
    for (let run = 0; run < runs; run++) {
      for (const scenario of scenarios) {
        // Rotate the order every run, so no server always goes first or last.
        for (const [i] of servers.entries()) {
          const spec = servers[(i + run) % servers.length];
          progress(`run ${run + 1}/${runs}: ${spec.label}, ${scenarioName(scenario)}`);
          const watch = values["watch-unread"] === true && scenario.clients >= 1_000;
          push(
            hello,
            `${spec.id} ${scenarioName(scenario)}`,
            await measureHello(loadgen, spec, scenario, watch),
          );
        }
      }
    }
  }
  if (!values["skip-http"]) {
    for (let run = 0; run < runs; run++) {
      for (const [i] of HTTP_SERVERS.entries()) {
        const spec = HTTP_SERVERS[(i + run) % HTTP_SERVERS.length];
        progress(`run ${run + 1}/${runs}: ${spec.label}, wrk`);
        push(http, spec.id, await measureHttp(spec, 5));
      }
    }
  }
  progress("");

  console.log(
    `\nMedians of ${runs} runs, servers alternated; loadavg ${loadBefore} before, ${
      Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
    } after; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    `Deno ${Deno.version.deno}, Node ${await versionOf("node", ["--version"])}, ${await versionOf(
      "python3",
      ["--version"],
    )}, ${await versionOf("wrk", [
      "--version",
    ])}; ${navigator.hardwareConcurrency} cores. Overflows: TcpExtListenOverflows per run, ${
      values["in-netns"]
        ? "in the benchmark's own network namespace (--netns)"
        : "whole network namespace: other programs' count too (--netns to exclude them)"
    }.`,
  );
  if (hello.size > 0) console.log(`\n${helloTable(hello, scenarios, servers)}`);
  if ([...hello.values()].flat().some((r) => !Number.isFinite(r.overflows))) {
    console.log("(overflows ?: nstat was not found; apt-get install iproute2)");
  }
  if (http.size > 0) console.log(`\n${httpTable(http, HTTP_SERVERS)}`);
  console.log("");
  for (const v of verdicts(hello, http)) {
    console.log(`${v.status.padEnd(12)} ${v.target}: ${v.detail}`);
  }

  if (values.bulk) {
    console.log(`\nLesson 05's framed server, bulk: medians of ${runs} alternated runs\n`);
    for (const line of await bulkBenchmark(runs)) console.log(line);
  }
  if (values.learner) {
    console.log("\nLearner's time");
    for (const line of await measureLearnerTime()) console.log(line);
  }
}

/** The permissions `deno task bench:load` grants (deno.json), for the re-run in a namespace. */
const PERMISSIONS = [
  "--allow-run=node,python3,deno,gcc,nstat,ss,wrk,unshare,./.tmp/loadgen",
  "--allow-net=127.0.0.1",
  "--allow-read=bench,lib,lessons,.tmp",
  "--allow-sys=loadavg",
  "--allow-write=.tmp",
];

/**
 * `--netns`: runs this benchmark again inside `unshare --net`, a network
 * namespace with only its own loopback: other programs' connections neither
 * take its ports nor add to its `TcpExtListenOverflows`. Needs root.
 */
async function rerunInNetworkNamespace(args: string[]): Promise<void> {
  const rest = args.filter((a) => a !== "--netns");
  const script = 'ip link set lo up && exec "$@"';
  const { code } = await new Deno.Command("unshare", {
    args: [
      "--net",
      "--",
      "sh",
      "-c",
      script,
      "sh",
      denoCommand(),
      "run",
      ...PERMISSIONS,
      "bench/load/run.ts",
      "--in-netns",
      ...rest,
    ],
    cwd: new URL("../../", import.meta.url),
  }).spawn().status;
  if (code !== 0) {
    throw new LessonError(
      `the run in a network namespace failed (exit ${code})`,
      "--netns needs root",
    );
  }
}

/** How many 1 MiB frames one bulk transfer sends. */
const BULK_FRAMES = 64;

/** Lesson 05's framed server against a raw echo, alternated `runs` times: report lines. */
async function bulkBenchmark(runs: number): Promise<string[]> {
  const framedServer: ServerSpec = {
    id: "framed",
    label: "lesson 05 framed server",
    command: (port) => ({
      cmd: denoCommand(),
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "lessons/05_framing.ts",
        "server",
        "--port",
        `${port}`,
      ],
    }),
  };
  const rawServer: ServerSpec = {
    id: "raw",
    label: "raw echo",
    command: (port) => ({
      cmd: denoCommand(),
      args: ["run", "--allow-net=127.0.0.1", "bench/load/raw_echo_server.ts", `${port}`],
    }),
  };
  const framed: BulkResult[] = [], raw: BulkResult[] = [];
  for (let run = 0; run < runs; run++) {
    for (const which of run % 2 === 0 ? ["raw", "framed"] : ["framed", "raw"]) {
      await using server = await startServer(which === "raw" ? rawServer : framedServer);
      const transfer = which === "raw" ? rawTransfer : framedTransfer;
      await transfer(server.port, 8); // warm-up
      (which === "raw" ? raw : framed).push(await transfer(server.port, BULK_FRAMES));
    }
  }
  const ratio = pairedRatio(framed, raw, (r) => r.mibPerSecond);
  return [
    `| transfer (${BULK_FRAMES} × 1 MiB each way) | MiB/s | × raw |`,
    "| --- | ---: | ---: |",
    `| raw, unframed (Deno echo server) | ${n(med(raw, (r) => r.mibPerSecond))} | 1.00 |`,
    `| lesson 05 framed server | ${n(med(framed, (r) => r.mibPerSecond))} | ${ratio.toFixed(2)} |`,
  ];
}

if (import.meta.main) {
  await runMain(async () => {
    try {
      await main(Deno.args);
    } catch (err) {
      if (err instanceof Deno.errors.NotCapable) {
        throw new LessonError(
          err.message,
          "run it as deno task bench:load (deno.json grants what it needs)",
        );
      }
      throw err;
    }
  });
}
