/**
 * # 05 · Where the re-slicing proxy cuts
 *
 * The cutting part of `reslice_proxy.ts`: sizes from a seeded generator, so
 * the same seed cuts a stream at the same offsets on every run.
 *
 * @module
 */

import type { Random } from "../../lib/random.ts";

/**
 * Cuts a byte stream into pieces whose sizes come from a seeded generator.
 * The cut offsets depend only on the seed and the sizes, not on how the bytes
 * were chunked when they reached {@linkcode Slicer.cut}: a piece in progress
 * carries over into the next chunk (a chunk's end also ends a piece: the
 * proxy cannot wait for bytes that may never come). Sizes are log-uniform,
 * so headers get split often and large messages still move.
 *
 * @example
 * ```ts
 * import { Slicer } from "./slicer.ts";
 * import { seededRandom } from "../../lib/random.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("hellostickypackets");
 * const pieces = new Slicer(seededRandom(5), 1, 6).cut(bytes);
 * assert.ok(pieces.length > 1 && pieces.every((p) => p.length >= 1 && p.length <= 6));
 * assert.deepEqual(new Uint8Array(pieces.flatMap((p) => [...p])), bytes);
 * ```
 */
export class Slicer {
  #random: Random;
  #min: number;
  #max: number;
  #left = 0; // bytes left in the piece in progress

  /** Pieces of `min` to `max` bytes (both at least 1), sizes drawn from `random`. */
  constructor(random: Random, min: number, max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new RangeError(`piece sizes need 1 <= min <= max, got ${min} and ${max}`);
    }
    this.#random = random;
    this.#min = min;
    this.#max = max;
  }

  /** The next piece size: log-uniform in [min, max]. */
  nextSize(): number {
    const size = Math.floor(this.#min * Math.pow((this.#max + 1) / this.#min, this.#random()));
    return Math.min(this.#max, Math.max(this.#min, size));
  }

  /** Cuts one chunk into pieces (views into `chunk`, no copies). */
  cut(chunk: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.#left === 0) this.#left = this.nextSize();
      const take = Math.min(this.#left, chunk.length - at);
      pieces.push(chunk.subarray(at, at + take));
      this.#left -= take;
      at += take;
    }
    return pieces;
  }
}
