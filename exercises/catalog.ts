/**
 * Every exercise, in the order a learner does them: what `deno task verify`,
 * `deno task hint` and CI's exercise check read. Each lesson keeps its part
 * in `catalog/NN.ts`.
 *
 * An exercise is a small file under `exercises/` with one TODO; its reference
 * solution has the same path under `exercises/solutions/`. The tests that
 * check it carry its id in their name (`... #03a`): `deno task verify 03a`
 * runs exactly those, with the exercise's export standing in for the
 * lesson's (see `tests/_exercise.ts`).
 *
 * @module
 */

import { EXERCISES_01 } from "./catalog/01.ts";
import { EXERCISES_02 } from "./catalog/02.ts";
import { EXERCISES_03 } from "./catalog/03.ts";
import { EXERCISES_04 } from "./catalog/04.ts";
import { EXERCISES_05 } from "./catalog/05.ts";
import { EXERCISES_06 } from "./catalog/06.ts";
import { EXERCISES_07 } from "./catalog/07.ts";
import { EXERCISES_08 } from "./catalog/08.ts";
import { EXERCISES_09 } from "./catalog/09.ts";

/** Words in English and in Chinese. */
export interface Text {
  /** English. */
  en: string;
  /** 中文. */
  zh: string;
}

/** One of an exercise's checks, as `verify` explains it when it fails. */
export interface Check {
  /** Words of the failing test's name that pick this check. */
  test: string;
  /** What the check expects, in Chinese (the test's name says it in English). */
  zh: string;
  /** The hint (1-based) that helps when this check fails. */
  hint: number;
}

/** One exercise. */
export interface Exercise {
  /** `03a`: the lesson's number and a letter, in teaching order. */
  id: string;
  /** The path under `exercises/` (and `exercises/solutions/`): `03_tcp_hello/a_greet.ts`. */
  file: string;
  /** The one goal, in a line. */
  goal: Text;
  /** The test files holding the checks (tests named with `#<id>`). */
  tests: readonly string[];
  /** Hints, each a little more than the last: first what to look up, the last may show code. */
  hints: readonly Text[];
  /** Which hint helps when which check fails. */
  checks: readonly Check[];
}

/** Every exercise, in order. */
export const EXERCISES: readonly Exercise[] = [
  ...EXERCISES_01,
  ...EXERCISES_02,
  ...EXERCISES_03,
  ...EXERCISES_04,
  ...EXERCISES_05,
  ...EXERCISES_06,
  ...EXERCISES_07,
  ...EXERCISES_08,
  ...EXERCISES_09,
];

/** The exercise with this id (`03a`), or `undefined`. */
export function findExercise(id: string): Exercise | undefined {
  return EXERCISES.find((exercise) => exercise.id === id.toLowerCase());
}
