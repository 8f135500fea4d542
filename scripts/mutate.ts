/**
 * # deno task mutate: do the tests catch the bugs a real person makes?
 *
 * Applies each mutation in `scripts/mutations/` — a one-line bug of the kind
 * people write (an off-by-one limit, a loop turned into an `if`, a removed
 * check or `closeWrite()`, swapped byte order, the wrong radix, a swallowed
 * error, a stripped filter) — to a copy of the project, runs the tests that
 * should notice under a time limit, and reports each as
 *
 *   killed     a test failed: the tests catch this bug
 *   timed out  the tests did not finish in time: caught, but only by a hang
 *   survived   every test passed: a bug the tests miss
 *
 * and last `mutation score: K/N killed, T by time-out, S survived`. Not part
 * of `deno task test`; it takes minutes.
 *
 *   deno task mutate              every mutation
 *   deno task mutate 03 serve     only those whose id starts with one of these
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Mutation, MUTATIONS } from "./mutations/all.ts";
import { inParallel, parseJunit, testPermissions } from "./exercise_runs.ts";

/** How one mutation went. */
export type Verdict = "killed" | "timed out" | "survived" | "not applied";

/** A mutation's verdict, and the first failing test when killed. */
export interface Outcome {
  /** The mutation. */
  mutation: Mutation;
  /** What the tests did about it. */
  verdict: Verdict;
  /** The first failed test's name, or why it could not be applied. */
  detail?: string;
  /** How long the tests took. */
  ms: number;
}

/** Each run of the tests gets at most this long. */
const LIMIT_MS = 180_000;

/** What the copy of the project holds. */
const COPIED = [
  "deno.json",
  "deno.lock",
  "lessons",
  "lib",
  "tests",
  "exercises",
  "scripts",
  "README.md",
  "README.zh-CN.md",
];

/** Copies the project into a fresh temporary folder. */
async function copyProject(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mutate-" });
  const { success } = await new Deno.Command("cp", { args: ["-r", ...COPIED, dir] }).output();
  if (!success) throw new Error("could not copy the project");
  await Deno.mkdir(`${dir}/.tmp`, { recursive: true });
  return dir;
}

/** Applies `mutation` in the copy at `dir`, runs its tests, puts the file back. */
export async function tryMutation(mutation: Mutation, dir: string): Promise<Outcome> {
  const path = `${dir}/${mutation.file}`;
  const original = await Deno.readTextFile(path);
  const count = original.split(mutation.find).length - 1;
  if (count !== 1) {
    return {
      mutation,
      verdict: "not applied",
      detail: `"${mutation.find}" occurs ${count} times`,
      ms: 0,
    };
  }
  await Deno.writeTextFile(path, original.replace(mutation.find, mutation.replace));
  const started = performance.now();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--no-check",
        "--reporter=junit",
        ...testPermissions(dir),
        "--allow-run",
        ...mutation.tests,
      ],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => (timedOut = true, child.kill("SIGKILL")), LIMIT_MS);
    const { success, stdout } = await child.output().finally(() => clearTimeout(timer));
    const ms = performance.now() - started;
    if (timedOut) return { mutation, verdict: "timed out", ms };
    if (success) return { mutation, verdict: "survived", ms };
    const failed = parseJunit(new TextDecoder().decode(stdout))
      .find((check) => check.failure !== undefined)?.name;
    return { mutation, verdict: "killed", detail: failed ?? "the test run failed", ms };
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

/** The closing line. */
export function score(outcomes: readonly Outcome[]): string {
  const applied = outcomes.filter((o) => o.verdict !== "not applied");
  const killed = applied.filter((o) => o.verdict === "killed").length;
  const timedOut = applied.filter((o) => o.verdict === "timed out").length;
  const survived = applied.filter((o) => o.verdict === "survived").length;
  return `mutation score: ${killed}/${applied.length} killed, ${timedOut} by time-out, ${survived} survived`;
}

async function main(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: { jobs: { type: "string" } },
    allowPositionals: true,
  });
  const chosen = positionals.length === 0
    ? MUTATIONS
    : MUTATIONS.filter((m) => positionals.some((p) => m.id.startsWith(p)));
  const jobs = Number(values.jobs ?? 1);
  // One copy per parallel job: a mutation must not see another's.
  const dirs = await Promise.all(Array.from({ length: jobs }, copyProject));
  const free = [...dirs];
  console.log(
    `${chosen.length} mutations, ${jobs} at a time, each run limited to ${LIMIT_MS / 1000} s`,
  );
  const outcomes = await inParallel(
    chosen.map((mutation) => async () => {
      const dir = free.pop()!;
      try {
        const outcome = await tryMutation(mutation, dir);
        const detail = outcome.detail ? ` (${outcome.detail})` : "";
        console.log(
          `${outcome.verdict.padEnd(11)} ${mutation.id.padEnd(28)} ${
            (outcome.ms / 1000).toFixed(0).padStart(4)
          } s  ${mutation.why}${detail}`,
        );
        return outcome;
      } finally {
        free.push(dir);
      }
    }),
    jobs,
  );
  await Promise.all(dirs.map((dir) => Deno.remove(dir, { recursive: true })));
  console.log("");
  console.log(score(outcomes));
  return outcomes.every((o) => o.verdict === "killed") ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
