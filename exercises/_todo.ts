/**
 * What an unfinished exercise throws: the tests report it as "not done yet"
 * with the TODO's own words.
 *
 * @module
 */

import { LessonError } from "../lib/errors.ts";

/** An exercise step the learner has not written yet. */
export class TodoError extends LessonError {
  /** `lesson` is the lesson's number, `what` the TODO's instruction. */
  constructor(lesson: string, what: string) {
    super(`TODO(${lesson}): ${what}`, `open exercises/ and fill it in; deno task hint ${lesson}`);
    this.name = "TodoError";
  }
}

/**
 * Marks a step to fill in. Returns `never`, so the code around it type-checks
 * before the learner has written anything.
 */
export function todo(lesson: string, what: string): never {
  throw new TodoError(lesson, what);
}
