/**
 * Which code the tests check: the lessons (always, in `deno task test`), or
 * one exercise (`deno task verify 03a` sets `EXERCISE=03a`). An exercise
 * exports the function it asks for under the lesson's name; a test asks for
 * that function through {@linkcode underTest} and gets the exercise's when
 * that exercise is being checked, the lesson's otherwise.
 *
 * @module
 */

import { findExercise } from "../exercises/catalog.ts";

/** The exercise being checked, or `undefined` when the lessons are. */
export const EXERCISE: string | undefined = Deno.env.get("EXERCISE") || undefined;

/**
 * Where exercise files are taken from: `exercises` (the learner's), or
 * `exercises/solutions` (CI checks the reference solutions with the same tests).
 */
export const EXERCISE_ROOT: string = Deno.env.get("EXERCISE_ROOT") || "exercises";

/**
 * `lesson[name]`, or the exercise's export of the same name when the
 * exercise being checked has one.
 *
 * ```ts ignore
 * import * as lesson from "../lessons/03_tcp_hello.ts";
 * const handleHelloConnection = await underTest(lesson, "handleHelloConnection");
 * ```
 */
export async function underTest<M extends object, K extends keyof M & string>(
  lesson: M,
  name: K,
): Promise<M[K]> {
  if (EXERCISE === undefined) return lesson[name];
  const exercise = findExercise(EXERCISE);
  if (exercise === undefined) throw new Error(`EXERCISE=${EXERCISE}: no such exercise`);
  const url = new URL(`../${EXERCISE_ROOT}/${exercise.file}`, import.meta.url);
  const module: Record<string, unknown> = await import(url.href);
  return name in module ? module[name] as M[K] : lesson[name];
}
