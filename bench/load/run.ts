/**
 * # `deno task bench:load`: lesson 03's server against Node and Python
 *
 * Starts each server as a subprocess on a free port, runs the same load
 * scenarios against each with the load generator (`generator.ts`), and prints
 * one table with each server's ratio to Node and the targets, met or
 * missed:
 *
 * - lesson 03's server (`deno run lessons/03_tcp_hello.ts server`),
 * - a plain Node `net` server (`bench/peers/node_hello_server.mjs`),
 * - the tutorial's thread-per-client Python server (`bench/peers/python_threaded_server.py`).
 *
 * Machines here are noisy (±30% between runs), so every scenario is run
 * several times with the servers in a rotating order, each server fresh and
 * warmed up, and the table shows medians; a ratio is the median of the
 * per-run ratios (each taken between runs minutes apart at most).
 *
 *   deno task bench:load                     5 runs, then the learner's times
 *   deno task bench:load --runs 3 --skip-learner
 *   deno task bench:load --scenarios 1000x50 --servers lesson,node
 *
 * @module
 */

import { intFlag, parseFlags, runMain } from "../../lib/cli.ts";
import { LessonError, UsageError } from "../../lib/errors.ts";
import { clearProgress, type LoadResult, runLoad, stderrProgress } from "./generator.ts";
import { median } from "./stats.ts";
import { measureLearnerTime } from "./learner_time.ts";
import { denoCommand } from "./deno_command.ts";
import { type BulkResult, framedTransfer, rawTransfer } from "./framed_bulk.ts";

const ROOT = new URL("../../", import.meta.url);

/** One load shape: C clients, R round trips each. */
export interface Scenario {
  /** Concurrent connections. */
  clients: number;
  /** Round trips per connection. */
  rounds: number;
}

/** The scenarios. */
export const SCENARIOS: readonly Scenario[] = [
  { clients: 1, rounds: 20_000 },
  { clients: 100, rounds: 500 },
  { clients: 1_000, rounds: 50 },
];

/** A server under test: how to start it on a port. */
export interface ServerSpec {
  /** Short name for flags and verdicts: `lesson`, `node`, `python`. */
  id: string;
  /** What the table calls it. */
  label: string;
  /** The command line, given the port. */
  command(port: number): { cmd: string; args: string[] };
}

/** Lesson 03's server, or a variant of it (an exercise, an experiment) from `file`. */
export function lessonServer(file = "lessons/03_tcp_hello.ts", id = "lesson"): ServerSpec {
  const label = file === "lessons/03_tcp_hello.ts" ? "lesson 03 (Deno)" : file;
  return {
    id,
    label,
    command: (port) => ({
      cmd: denoCommand(),
      // No connection limit (default 1,000) for lesson 03 itself: Node's and
      // Python's servers have none, and a scenario of 1,000 clients must not
      // meet stragglers from the last one. (A --lesson variant may not know the flag.)
      args: [
        "run",
        "--allow-net=127.0.0.1",
        file,
        "server",
        "--port",
        `${port}`,
        ...(file === "lessons/03_tcp_hello.ts" ? ["--max-connections", "1000000"] : []),
      ],
    }),
  };
}

/** The three servers, in the table's order. */
export const SERVERS: readonly ServerSpec[] = [
  lessonServer(),
  {
    id: "node",
    label: "Node net",
    command: (port) => ({ cmd: "node", args: ["bench/peers/node_hello_server.mjs", `${port}`] }),
  },
  {
    id: "python",
    label: "Python threads",
    command: (port) => ({
      cmd: "python3",
      args: ["bench/peers/python_threaded_server.py", `${port}`],
    }),
  },
];

/**
 * Not run unless asked (`--servers lesson,node,deno-node`): the same Node
 * peer, run by Deno's `node:net`. Same binary, same machine, same JavaScript
 * as Node's row, but sockets polled by Deno's libuv-like layer instead of one
 * op per `read()`: it tells whether a difference comes from lesson 03's code
 * or from the runtime under it.
 */
export const DENO_NODE: ServerSpec = {
  id: "deno-node",
  label: "node:net on Deno",
  command: (port) => ({
    cmd: denoCommand(),
    args: ["run", "--allow-net=127.0.0.1", "bench/peers/node_hello_server.mjs", `${port}`],
  }),
};

/** A server process started for one measurement. */
interface StartedServer extends AsyncDisposable {
  port: number;
}

/** A port nobody listens on right now (the kernel's pick, released at once). */
function freePort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return listener.addr.port;
}

/**
 * Starts `spec` on a free port and resolves once it prints its `Listening on`
 * line. Its output is drained (the servers log two lines per connection, and
 * a full pipe would stall them) and its last stderr kept for error messages.
 */
async function startServer(spec: ServerSpec): Promise<StartedServer> {
  const port = freePort();
  const { cmd, args } = spec.command(port);
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (stderr = (stderr + text).slice(-2000)) }),
  );
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/Listening on/.test(seen)) {
    const { value, done } = await lines.read();
    if (done) {
      await child.status;
      await stderrDone;
      const why = (stderr.trim() || seen.trim()).split("\n").slice(-1)[0];
      throw new LessonError(
        `${spec.label} did not start: ${why}`,
        `run it by hand to see why: ${[cmd, ...args].join(" ")}`,
      );
    }
    seen += value;
  }
  const stdoutDone = (async () => {
    while (!(await lines.read()).done) { /* discard the per-connection log */ }
  })();
  return {
    port,
    async [Symbol.asyncDispose]() {
      // SIGINT: lesson 03 closes cleanly on Ctrl+C; Node and Python exit.
      try {
        child.kill("SIGINT");
      } catch { /* already gone */ }
      await Promise.all([child.status, stdoutDone, stderrDone]);
    },
  };
}

/** One scenario against one server: fresh process, warm-up, measurement. */
async function measure(spec: ServerSpec, scenario: Scenario, label: string): Promise<LoadResult> {
  await using server = await startServer(spec);
  // Warm-up: let the JIT compile the hot paths before we time them.
  await runLoad({ port: server.port, clients: 10, rounds: 200 });
  const result = await runLoad({
    port: server.port,
    clients: scenario.clients,
    rounds: scenario.rounds,
    onProgress: stderrProgress(label),
  });
  clearProgress();
  return result;
}

/** Every result of one server in one scenario, one per run. */
type Results = Map<string, LoadResult[]>;

function key(spec: ServerSpec, scenario: Scenario): string {
  return `${spec.id} ${scenario.clients}x${scenario.rounds}`;
}

/** Formats a number with thousands separators. */
function n(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–";
}

/** Formats a ratio: `1.23×`, or `–` when not measured. */
function times(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : "–";
}

/** Formats milliseconds: two decimals below 10, none above. */
function ms(x: number): string {
  if (!Number.isFinite(x)) return "–";
  return x < 10 ? x.toFixed(2) : x.toFixed(0);
}

/** Median of `pick` over one server's runs of one scenario. */
function med(results: LoadResult[], pick: (r: LoadResult) => number): number {
  return median(results.map(pick));
}

/** Median over runs of `pick(a) / pick(b)`, pairing run i with run i. */
function pairedRatio<T>(a: T[], b: T[], pick: (r: T) => number): number {
  const ratios = a.slice(0, Math.min(a.length, b.length)).map((r, i) => pick(r) / pick(b[i]));
  return median(ratios);
}

/** The results table, in Markdown (readable in a terminal, pasteable into the README). */
export function table(
  results: Results,
  scenarios: readonly Scenario[],
  servers: readonly ServerSpec[],
): string {
  const node = servers.find((s) => s.id === "node");
  const rows = [
    "| scenario | server | round trips/s | × Node | p50 ms | p99 ms | max ms | p99 Welcome! ms | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const scenario of scenarios) {
    const base = node ? results.get(key(node, scenario)) : undefined;
    for (const spec of servers) {
      const runs = results.get(key(spec, scenario));
      if (!runs) continue;
      const rps = (r: LoadResult) => r.roundTripsPerSecond;
      const ratio = base ? pairedRatio(runs, base, rps).toFixed(2) : "–";
      rows.push(
        `| ${n(scenario.clients)} × ${n(scenario.rounds)} | ${spec.label} | ${
          n(med(runs, rps))
        } | ${ratio} | ${ms(med(runs, (r) => r.p50Ms))} | ${ms(med(runs, (r) => r.p99Ms))} | ${
          ms(med(runs, (r) => r.maxMs))
        } | ${ms(med(runs, (r) => r.welcomeP99Ms))} | ${runs.reduce((s, r) => s + r.errors, 0)} |`,
      );
    }
  }
  return rows.join("\n");
}

/** One target of the issue: what it says, and whether the medians meet it. */
export interface Verdict {
  /** The target in words. */
  target: string;
  /** Met, missed, or not measured in this invocation. */
  status: "met" | "missed" | "not measured";
  /** The numbers behind the verdict. */
  detail: string;
}

/** The issue's targets for lesson 03's server, judged on these results. */
export function verdicts(results: Results): Verdict[] {
  const get = (id: string, clients: number) =>
    [...results.entries()].find(([k]) => k.startsWith(`${id} ${clients}x`))?.[1];
  const out: Verdict[] = [];
  const judge = (target: string, ok: boolean | undefined, detail: string) =>
    out.push({ target, status: ok === undefined ? "not measured" : ok ? "met" : "missed", detail });

  for (const clients of [100, 1_000]) {
    const lesson = get("lesson", clients), node = get("node", clients);
    const ratio = lesson && node ? pairedRatio(lesson, node, (r) => r.roundTripsPerSecond) : NaN;
    judge(
      `≥ 1.2× Node's round trips/s at ${n(clients)} clients`,
      lesson && node ? ratio >= 1.2 : undefined,
      times(ratio),
    );
  }
  const lesson = get("lesson", 1_000), node = get("node", 1_000), python = get("python", 1_000);
  for (
    const [what, pick] of [
      ["p99 round trip", (r: LoadResult) => r.p99Ms],
      ["p99 connect-to-Welcome!", (r: LoadResult) => r.welcomeP99Ms],
    ] as const
  ) {
    const mine = lesson ? med(lesson, pick) : NaN, theirs = node ? med(node, pick) : NaN;
    judge(
      `${what} at 1,000 clients no worse than Node's`,
      lesson && node ? mine <= theirs : undefined,
      `${ms(mine)} ms vs ${ms(theirs)} ms`,
    );
  }
  const ratio = lesson && python ? pairedRatio(lesson, python, (r) => r.roundTripsPerSecond) : NaN;
  judge(
    "≥ 2× the threaded Python server's round trips/s at 1,000 clients",
    lesson && python ? ratio >= 2 : undefined,
    times(ratio),
  );
  return out;
}

/** `1000x50` → a scenario. */
function parseScenario(text: string): Scenario {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`a scenario is CLIENTSxROUNDS, like 100x500; got "${text}"`);
  return { clients: Number(match[1]), rounds: Number(match[2]) };
}

/** What the runner knows about the machine, printed with the table. */
async function machineNotes(): Promise<string[]> {
  const version = async (cmd: string, args: string[]) => {
    try {
      const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
      return new TextDecoder().decode(out.stdout).trim().split("\n")[0];
    } catch {
      return "not found";
    }
  };
  // The open-file limit the servers inherit: Deno raised its own soft limit
  // to the hard one at start-up, and child processes inherit it. Python
  // reports it (it is allowed to run anyway; reading /proc from Deno would
  // need --allow-all).
  const limit = await version("python3", [
    "-c",
    "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])",
  ]);
  return [
    `Deno ${Deno.version.deno}, Node ${await version("node", ["--version"])}, ${await version(
      "python3",
      ["--version"],
    )}; ${navigator.hardwareConcurrency} cores; open-file limit for the servers: ${limit}`,
  ];
}

/** Lesson 05's framed server, for the bulk benchmark. */
const FRAMED_SERVER: ServerSpec = {
  id: "framed",
  label: "lesson 05 framed server",
  command: (port) => ({
    cmd: denoCommand(),
    args: ["run", "--allow-net=127.0.0.1", "lessons/05_framing.ts", "server", "--port", `${port}`],
  }),
};

/** The unframed baseline: the same bytes echoed back by a plain Deno server. */
const RAW_SERVER: ServerSpec = {
  id: "raw",
  label: "raw echo",
  command: (port) => ({
    cmd: denoCommand(),
    args: ["run", "--allow-net=127.0.0.1", "bench/load/raw_echo_server.ts", `${port}`],
  }),
};

/** How many 1 MiB frames one bulk transfer sends. */
const BULK_FRAMES = 64;

/**
 * Bulk throughput with 1 MiB frames through lesson 05's server, next to a
 * raw transfer of the same bytes; alternated `runs` times. Report lines.
 */
async function bulkBenchmark(runs: number): Promise<string[]> {
  const framed: BulkResult[] = [], raw: BulkResult[] = [];
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? ["raw", "framed"] as const : ["framed", "raw"] as const;
    for (const which of order) {
      Deno.stderr.isTerminal() &&
        Deno.stderr.writeSync(
          new TextEncoder().encode(`\r\x1b[Kbulk run ${run + 1}/${runs}: ${which}`),
        );
      const spec = which === "raw" ? RAW_SERVER : FRAMED_SERVER;
      const transfer = which === "raw" ? rawTransfer : framedTransfer;
      await using server = await startServer(spec);
      await transfer(server.port, 8); // warm-up
      (which === "raw" ? raw : framed).push(await transfer(server.port, BULK_FRAMES));
    }
  }
  clearProgress();
  const mibs = (r: BulkResult[]) => median(r.map((x) => x.mibPerSecond));
  const ratio = pairedRatio(framed, raw, (r) => r.mibPerSecond);
  return [
    `| transfer (${BULK_FRAMES} × 1 MiB each way) | MiB/s | × raw |`,
    "| --- | ---: | ---: |",
    `| raw, unframed (Deno echo server) | ${n(mibs(raw))} | 1.00 |`,
    `| lesson 05 framed server (4-byte length + upper-case) | ${n(mibs(framed))} | ${
      ratio.toFixed(2)
    } |`,
    "",
    `${(ratio >= 0.5 ? "met" : "missed").padEnd(12)} framed bulk throughput ≥ 0.5× raw: ${
      ratio.toFixed(2)
    }×`,
  ];
}

const USAGE = `deno task bench:load: lesson 03's server against Node and Python, side by side

Usage: deno task bench:load [options]

Options:
  --runs N             runs per scenario and server (default 5); the table shows medians
  --scenarios LIST     comma-separated CLIENTSxROUNDS (default 1x20000,100x500,1000x50)
  --servers LIST       comma-separated, from lesson,node,python (default all three)
                       and deno-node (the Node peer run by Deno's node:net, for comparison)
  --lesson FILE        serve lesson 03's protocol from FILE instead (e.g. exercises/03_tcp_hello.ts);
                       repeat it to compare variants side by side (the first one is judged)
  --skip-bulk          do not measure lesson 05's framed server with 1 MiB frames
  --skip-learner       do not time the tour (warm) and the test suite (cold cache)
  -h, --help           show this help`;

/** The command line. */
export async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, {
    runs: { type: "string" },
    scenarios: { type: "string" },
    servers: { type: "string" },
    lesson: { type: "string", multiple: true },
    "skip-bulk": { type: "boolean" },
    "skip-learner": { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const runs = intFlag("--runs", values.runs, 5, { min: 1, max: 100 });
  const scenarios = values.scenarios?.split(",").map(parseScenario) ?? SCENARIOS;
  const chosen = values.servers
    ? values.servers.split(",").map((id) => {
      const spec = [...SERVERS, DENO_NODE].find((s) => s.id === id.trim());
      if (!spec) {
        throw new UsageError(`unknown server "${id}": expected lesson, node, python or deno-node`);
      }
      return spec;
    })
    : SERVERS;
  // --lesson FILE replaces lesson 03's server; several are measured side by side.
  const lessons = (values.lesson ?? []).map((file, i) =>
    lessonServer(file, i === 0 ? "lesson" : `lesson${i + 1}`)
  );
  const servers = lessons.length === 0
    ? chosen
    : chosen.flatMap((spec) => spec.id === "lesson" ? lessons : [spec]);

  // 1,000 clients need 1,000 descriptors in the server and as many here.
  const clientsMax = Math.max(...scenarios.map((s) => s.clients));
  const notes = await machineNotes();
  const limit = Number(/open-file limit for the servers: (\d+)/.exec(notes[0])?.[1]);
  if (Number.isFinite(limit) && limit < clientsMax + 100) {
    throw new UsageError(
      `the open-file limit is ${limit}, too low for ${clientsMax} clients`,
      `raise it first: ulimit -n ${Math.max(4096, 2 * clientsMax)}`,
    );
  }

  const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = load();
  const started = performance.now();
  const results: Results = new Map();
  for (let run = 0; run < runs; run++) {
    for (const scenario of scenarios) {
      // Rotate the order every run, so no server always goes first or last.
      const order = servers.map((_, i) => servers[(i + run) % servers.length]);
      for (const spec of order) {
        const label = `run ${
          run + 1
        }/${runs} ${spec.label} ${scenario.clients}×${scenario.rounds}: `;
        const result = await measure(spec, scenario, label);
        const list = results.get(key(spec, scenario)) ?? [];
        list.push(result);
        results.set(key(spec, scenario), list);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;

  console.log(`\nLesson 03's TCP hello server against its peers: medians of ${runs} runs`);
  console.log(
    `(servers alternated; loadavg ${loadBefore} before, ${load()} after; ${seconds.toFixed(0)} s)`,
  );
  for (const note of notes) console.log(note);
  console.log("");
  console.log(table(results, scenarios, servers));
  console.log("");
  for (const v of verdicts(results)) {
    console.log(`${v.status.padEnd(12)} ${v.target}: ${v.detail}`);
  }
  const errors = [...results.values()].flat().flatMap((r) => r.errorSamples);
  for (const message of [...new Set(errors)].slice(0, 5)) console.log(`error seen: ${message}`);

  if (!values["skip-bulk"]) {
    console.log(`\nLesson 05's framed server, bulk: medians of ${runs} alternated runs\n`);
    try {
      for (const line of await bulkBenchmark(runs)) console.log(line);
    } catch (err) {
      clearProgress();
      console.log(`not measured: ${err instanceof Error ? err.message : err}`);
    }
  }

  if (!values["skip-learner"]) {
    console.log("\nLearner's time");
    for (const line of await measureLearnerTime()) console.log(line);
  }
}

if (import.meta.main) await runMain(() => main(Deno.args));
