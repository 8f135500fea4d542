/**
 * Runs one exercise's checks: type-check the file, then the tests tagged
 * with its id, with the exercise's functions standing in for the lesson's
 * (`EXERCISE=03a`, see `tests/_exercise.ts`). Shared by `deno task verify`
 * (the learner's files) and `deno task test:exercises` (CI: every stub must
 * fail, every reference solution must pass).
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import type { Exercise } from "../exercises/catalog.ts";

/** One check's outcome. */
export interface CheckOutcome {
  /** The test's name: a sentence saying what must happen. */
  name: string;
  /** `undefined` if it passed, else what went wrong. */
  failure?: string;
}

/** What one run of an exercise's checks found. */
export interface ExerciseRun {
  /** The exercise. */
  exercise: Exercise;
  /** The first type error in the file, in one line, if `deno check` found any. */
  typeError?: string;
  /** Every check, in order. */
  checks: CheckOutcome[];
  /** True when the file type-checks and every check passed (and at least one ran). */
  passed: boolean;
  /** What deno printed when it could not run the checks at all. */
  crash?: string;
}

/** Where exercise files are read from: the learner's, or the reference solutions. */
export type Root = "exercises" | "exercises/solutions";

/** A run that takes longer than this is stopped: the checks have their own, shorter limits. */
const RUN_LIMIT_MS = 120_000;

/**
 * The permission flags of the `deno test` in deno.json's `test` task, with
 * `$PWD` meaning `pwd` (the project, or `deno task mutate`'s copy of it).
 */
export function testPermissions(pwd: string = Deno.cwd()): string[] {
  const task: string = config.tasks.test;
  const run = task.slice(task.indexOf("deno test"));
  const end = run.indexOf("&&");
  const flags = (end === -1 ? run : run.slice(0, end)).match(/--allow-[a-z-]+(=\S+)?/g) ?? [];
  // deno task's shell expands $PWD; we are not in a shell, so do it here.
  return flags.map((flag) => flag.replaceAll("$PWD", pwd));
}

/** Type-checks `file`: `undefined`, or the first error in one line. */
export async function typeCheck(file: string): Promise<string | undefined> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", file],
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (success) return undefined;
  return firstTypeError(new TextDecoder().decode(stderr));
}

/**
 * The first error of `deno check`'s output in one line: `TS2322: Type 'string'
 * is not assignable to type 'number'. (a_greet.ts:19:9)`.
 *
 * @example
 * ```ts
 * import { firstTypeError } from "./exercise_runs.ts";
 * import assert from "node:assert/strict";
 *
 * const output = `TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.
 *   const oops: number = "not a number";
 *         ~~~~
 *     at file:///work/exercises/03_tcp_hello/a_greet.ts:19:9
 *
 * error: Type checking failed.`;
 * assert.equal(
 *   firstTypeError(output),
 *   "TS2322: Type 'string' is not assignable to type 'number'. (exercises/03_tcp_hello/a_greet.ts:19:9)",
 * );
 * ```
 */
export function firstTypeError(output: string): string {
  const error = /(TS\d+) \[ERROR\]: ([^\n]*)/.exec(output);
  if (!error) return output.trim().split("\n")[0] ?? "deno check failed";
  const at = /at file:\/\/\S*?((?:exercises|lessons|lib)\/\S+)/.exec(output.slice(error.index));
  return `${error[1]}: ${error[2]}${at ? ` (${at[1]})` : ""}`;
}

/**
 * Type-checks many files in one `deno check` (much faster than one each):
 * the first error of each file that has any, by path.
 */
export async function typeCheckAll(files: readonly string[]): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  if (files.length === 0) return errors;
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", ...files],
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (success) return errors;
  const output = new TextDecoder().decode(stderr);
  for (const block of output.split(/\n(?=TS\d+ \[ERROR\])/)) {
    const file = files.find((f) => block.includes(`/${f}:`));
    if (file && !errors.has(file)) errors.set(file, firstTypeError(block));
  }
  // An error outside these files (in a lesson they import) counts for all.
  if (errors.size === 0) { for (const file of files) errors.set(file, firstTypeError(output)); }
  return errors;
}

/** Options for {@linkcode runExercise}. */
export interface RunOptions {
  /** The type check's verdict if already known (from {@linkcode typeCheckAll}). */
  typeError?: string | null;
}

/** Runs `exercise`'s checks against the file under `root`. */
export async function runExercise(
  exercise: Exercise,
  root: Root,
  options: RunOptions = {},
): Promise<ExerciseRun> {
  const file = `${root}/${exercise.file}`;
  const typeError = options.typeError === undefined
    ? await typeCheck(file)
    : options.typeError ?? undefined;
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--no-check", // the tests were checked with the lessons; the exercise just above
      "--reporter=junit",
      ...testPermissions(),
      "--allow-read=exercises",
      "--allow-env=EXERCISE,EXERCISE_ROOT",
      "--filter",
      `#${exercise.id}`,
      ...exercise.tests,
    ],
    env: { EXERCISE: exercise.id, EXERCISE_ROOT: root, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
  const { stdout, stderr } = await child.output().finally(() => clearTimeout(timer));
  const checks = parseJunit(new TextDecoder().decode(stdout));
  const crash = checks.length === 0 ? new TextDecoder().decode(stderr).trim() : undefined;
  return {
    exercise,
    typeError,
    checks,
    passed: typeError === undefined && checks.length > 0 &&
      checks.every((check) => check.failure === undefined),
    crash: crash || (checks.length === 0 ? `no check is tagged #${exercise.id}` : undefined),
  };
}

/** Reads `deno test --reporter=junit` output: one outcome per `<testcase>`. */
export function parseJunit(xml: string): CheckOutcome[] {
  const outcomes: CheckOutcome[] = [];
  const testcase = /<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(testcase)) {
    const body = match[3] ?? "";
    if (/<skipped/.test(body)) continue;
    // A test cut short (an uncaught error elsewhere in its file) is an
    // <error>, not a <failure>: it did not pass either.
    const failure = /<failure[^>]*>([\s\S]*?)<\/failure>/.exec(body) ??
      /<error message="([^"]*)"/.exec(body);
    const name = unescapeXml(match[1]);
    if (/ > /.test(name) && !/#\w+/.test(name)) continue; // a step of a tagged test
    outcomes.push({ name, failure: failure ? unescapeXml(failure[1]) : undefined });
  }
  return outcomes;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");
}

/**
 * Runs `jobs` at most `width` at a time, in order of start, and resolves to
 * their results in the same order.
 */
export async function inParallel<T>(
  jobs: readonly (() => Promise<T>)[],
  width = 2,
): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}
