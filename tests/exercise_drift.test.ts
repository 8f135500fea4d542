import assert from "node:assert/strict";
import { diffLines, drift } from "../scripts/exercise_drift.ts";

const lesson = `/**
 * # 03 · Lesson
 */
import { a } from "./a.ts";

export function f(): number {
  // Python: x = 1
  const x = 1;
  return x;
}

export const LIMIT = 5;
`;

Deno.test("identical texts have no differences", () => {
  assert.deepEqual(diffLines(lesson, lesson), []);
});

Deno.test("a TODO that replaces lesson code is not drift", () => {
  const exercise = lesson.replace(
    "  // Python: x = 1\n  const x = 1;\n  return x;",
    '  // TODO 1: return one.\n  todo("03", "return one (f)");',
  ).replace("# 03 · Lesson", "# Exercise 03");
  assert.deepEqual(drift(lesson, exercise), []);
});

Deno.test("a lesson change the exercise did not follow is drift, with its place", () => {
  const exercise = lesson.replace("export const LIMIT = 5;", "export const LIMIT = 4;");
  const hunks = drift(lesson, exercise);
  assert.equal(hunks.length, 1);
  assert.equal(hunks[0].lessonLine, 12);
  assert.deepEqual(hunks[0].lesson, ["export const LIMIT = 5;"]);
  assert.deepEqual(hunks[0].exercise, ["export const LIMIT = 4;"]);
});

Deno.test("a difference marked exercise-only is allowed", () => {
  const exercise = lesson.replace(
    "export const LIMIT = 5;",
    "export const LIMIT = 5; // exercise-only: a spare line\nexport const SPARE = 1;",
  );
  // The marked line and the unmarked one are one hunk, so both are allowed.
  assert.deepEqual(drift(lesson, exercise), []);
});
