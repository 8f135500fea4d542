/**
 * The mutations `deno task mutate` applies: each a one-line bug of a kind a
 * real person writes, where it would hurt. Each lesson keeps its own list in
 * `NN.ts`; the shared code's is `lib.ts`.
 *
 * @module
 */

import { MUTATIONS_01 } from "./01.ts";
import { MUTATIONS_02 } from "./02.ts";
import { MUTATIONS_03 } from "./03.ts";
import { MUTATIONS_04 } from "./04.ts";
import { MUTATIONS_05 } from "./05.ts";
import { MUTATIONS_06 } from "./06.ts";
import { MUTATIONS_07 } from "./07.ts";
import { MUTATIONS_08 } from "./08.ts";
import { MUTATIONS_09 } from "./09.ts";
import { MUTATIONS_LIB } from "./lib.ts";

/** One bug to plant. */
export interface Mutation {
  /** A short name, starting with the lesson or `lib`: `03-exit-prefix`. */
  id: string;
  /** The file to change. */
  file: string;
  /** Text that occurs exactly once in the file... */
  find: string;
  /** ...and what it becomes. */
  replace: string;
  /** The bug in words. */
  why: string;
  /** The test files that should notice. */
  tests: readonly string[];
}

/** Every mutation. */
export const MUTATIONS: readonly Mutation[] = [
  ...MUTATIONS_LIB,
  ...MUTATIONS_01,
  ...MUTATIONS_02,
  ...MUTATIONS_03,
  ...MUTATIONS_04,
  ...MUTATIONS_05,
  ...MUTATIONS_06,
  ...MUTATIONS_07,
  ...MUTATIONS_08,
  ...MUTATIONS_09,
];
