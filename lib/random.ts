/**
 * A small seeded random number generator, so that "random" chunk sizes, lost
 * datagrams and generated test inputs come out the same on every run with the
 * same seed: a failure can be replayed.
 *
 * @module
 */

/** A source of numbers in [0, 1), like `Math.random`, but repeatable. */
export type Random = () => number;

/**
 * Mulberry32: a tiny, fast 32-bit generator, plenty for simulating networks
 * (not for cryptography).
 *
 * @example The same seed gives the same sequence
 * ```ts
 * import { seededRandom } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * const a = seededRandom(42);
 * const b = seededRandom(42);
 * assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
 * ```
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A whole number from `min` to `max`, both included.
 *
 * @example
 * ```ts
 * import { randomInt, seededRandom } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * const n = randomInt(seededRandom(1), 1, 6);
 * assert.ok(n >= 1 && n <= 6 && Number.isInteger(n));
 * ```
 */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
