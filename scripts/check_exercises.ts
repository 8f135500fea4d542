/**
 * # deno task test:exercises: CI's check of every exercise
 *
 * For each exercise in `exercises/catalog.ts`:
 * - the file is small: at most 80 non-blank lines, exactly one TODO;
 * - the untouched stub type-checks and FAILS at least one of its checks
 *   (else the checks do not check what it asks);
 * - its reference solution (`exercises/solutions/`, same path) type-checks
 *   and PASSES every check;
 * - every check the catalog names matches a tagged test.
 *
 * Prints one line per exercise and `N passed, M failed` in Deno's summary
 * format, so CI's count includes it.
 *
 * @module
 */

import { type Exercise, EXERCISES } from "../exercises/catalog.ts";
import { inParallel, runExercise, typeCheckAll } from "./exercise_runs.ts";

/** The problems with one exercise; empty when it is sound. */
export async function problemsOf(
  exercise: Exercise,
  typeErrors: Map<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  const text = await Deno.readTextFile(`exercises/${exercise.file}`);
  const lines = text.split("\n").filter((line) => line.trim() !== "").length;
  if (lines > 80) problems.push(`${lines} non-blank lines, over 80`);
  const todos = text.match(/\bTODO\b/g)?.length ?? 0;
  if (todos !== 1) problems.push(`${todos} TODOs, not one`);
  const stub = await runExercise(exercise, "exercises", {
    typeError: typeErrors.get(`exercises/${exercise.file}`) ?? null,
  });
  if (stub.typeError) problems.push(`the stub does not type-check: ${stub.typeError}`);
  if (stub.crash) problems.push(`the stub's checks could not run: ${stub.crash.split("\n")[0]}`);
  else if (stub.passed) problems.push("the untouched stub passes its checks");
  const solution = await runExercise(exercise, "exercises/solutions", {
    typeError: typeErrors.get(`exercises/solutions/${exercise.file}`) ?? null,
  });
  if (solution.typeError) problems.push(`the solution does not type-check: ${solution.typeError}`);
  if (!solution.passed) {
    const failed = solution.checks.filter((c) => c.failure !== undefined).map((c) => c.name);
    problems.push(`the solution fails: ${failed.join("; ") || solution.crash?.split("\n")[0]}`);
  }
  for (const check of exercise.checks) {
    if (!solution.checks.some((c) => c.name.includes(check.test))) {
      problems.push(`no check named with "${check.test}"`);
    }
  }
  return problems;
}

async function main(): Promise<number> {
  const started = performance.now();
  const typeErrors = await typeCheckAll(
    EXERCISES.flatMap((e) => [`exercises/${e.file}`, `exercises/solutions/${e.file}`]),
  );
  const results = await inParallel(EXERCISES.map((exercise) => async () => {
    const problems = await problemsOf(exercise, typeErrors);
    console.log(`${exercise.id} ${exercise.file} ... ${problems.length === 0 ? "ok" : "FAILED"}`);
    for (const problem of problems) console.log(`    ${problem}`);
    return problems.length === 0;
  }));
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `\n${failed === 0 ? "ok" : "FAILED"} | ${passed} passed | ${failed} failed (${seconds}s)`,
  );
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
