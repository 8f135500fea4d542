/**
 * CI's check that the exercises keep the suite honest: every untouched
 * exercise must FAIL its lesson's tests (a test that passes against a TODO
 * stub asserts nothing about the TODO). The lessons passing the same tests is
 * checked by `deno task test`.
 *
 * Run: deno task test:exercises
 *
 * @module
 */

import { runMain } from "../lib/cli.ts";
import { LessonError } from "../lib/errors.ts";
import { lessonsWithExercises, runLessonTests } from "./exercise_runs.ts";

async function main(): Promise<void> {
  const lessons = await lessonsWithExercises();
  const wrong: string[] = [];
  for (const lesson of lessons) {
    const run = await runLessonTests(lesson, "exercises");
    const failed = run.tests.filter((t) => t.failure !== undefined).length;
    if (run.crash !== undefined) {
      wrong.push(lesson.id);
      console.log(`✗ exercise ${lesson.id}: the tests could not run:\n${run.crash}`);
    } else if (failed === 0) {
      wrong.push(lesson.id);
      console.log(`✗ exercise ${lesson.id}: all ${run.tests.length} tests pass against the stub`);
    } else {
      console.log(
        `✓ exercise ${lesson.id}: the untouched stub fails ${failed} of ${run.tests.length} tests`,
      );
      for (const test of run.tests.filter((t) => t.failure === undefined)) {
        console.log(`    (passes without the TODOs: ${test.name})`);
      }
    }
  }
  if (wrong.length > 0) {
    throw new LessonError(
      `exercises ${wrong.join(", ")} do not fail their tests as untouched stubs`,
      "a TODO must be something the tests check",
    );
  }
  console.log(`${lessons.length} exercises checked: every untouched stub fails its tests.`);
}

if (import.meta.main) await runMain(main);
