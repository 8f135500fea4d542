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
import { drift } from "./exercise_drift.ts";

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
  // Outside its TODOs, an exercise must be its lesson, line for line.
  const drifted: string[] = [];
  for (const lesson of lessons) {
    const hunks = drift(
      await Deno.readTextFile(`lessons/${lesson.file}`),
      await Deno.readTextFile(`exercises/${lesson.file}`),
    );
    if (hunks.length === 0) continue;
    drifted.push(lesson.id);
    console.log(`✗ exercise ${lesson.id} differs from its lesson outside its TODOs:`);
    for (const hunk of hunks) {
      console.log(
        `    lessons/${lesson.file}:${hunk.lessonLine} / exercises/${lesson.file}:${hunk.exerciseLine}`,
      );
      for (const line of hunk.lesson.slice(0, 6)) console.log(`      - ${line}`);
      for (const line of hunk.exercise.slice(0, 6)) console.log(`      + ${line}`);
    }
  }
  if (wrong.length > 0) {
    throw new LessonError(
      `exercises ${wrong.join(", ")} do not fail their tests as untouched stubs`,
      "a TODO must be something the tests check",
    );
  }
  if (drifted.length > 0) {
    throw new LessonError(
      `exercises ${drifted.join(", ")} have drifted from their lessons`,
      "copy the lesson's change into the exercise, or mark a deliberate difference `exercise-only`",
    );
  }
  console.log(
    `${lessons.length} exercises checked: every untouched stub fails its tests, ` +
      "and matches its lesson outside its TODOs.",
  );
}

if (import.meta.main) await runMain(main);
