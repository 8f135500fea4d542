/**
 * # 06 · n!, fast, and the largest n one datagram holds
 *
 * Lesson 06's arithmetic: `n!` with `BigInt`, fast enough for a server, and
 * the largest `n` whose digits fit one UDP datagram.
 *
 * The tutorial's `f(n)` multiplies a running product by 1, 2, 3, ... n. That
 * is n multiplications of an ever-longer number by a small one: each step
 * touches every word of the product so far, so the work grows with n². A
 * product tree (binary splitting) multiplies the lower half of the factors
 * and the upper half separately, then the two halves once: the big
 * multiplications happen only near the top, between numbers of similar size,
 * where V8 uses Karatsuba and faster algorithms instead of the schoolbook
 * method. For 17,229! that is 2 ms instead of 50 ms (`bench/factorial_bench.ts`).
 *
 * @module
 */

import { MAX_UDP_PAYLOAD } from "../../lib/udp.ts";

/**
 * `n!` by the tutorial's loop: `j = 1; for i in range(1, n + 1): j = j * i`.
 * Kept as the slow reference the product tree is checked and benchmarked
 * against.
 *
 * @example
 * ```ts
 * import { factorialByRunningProduct } from "./factorial.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(factorialByRunningProduct(5), 120n);
 * ```
 */
export function factorialByRunningProduct(n: number): bigint {
  checkN(n);
  let product = 1n;
  for (let i = 2; i <= n; i++) product *= BigInt(i);
  return product;
}

/**
 * `n!` by a product tree: the factors 2..n are packed into as few exact
 * JavaScript numbers as possible, then multiplied in balanced halves.
 *
 * @example
 * ```ts
 * import { factorial } from "./factorial.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(factorial(0), 1n);
 * assert.equal(factorial(20), 2432902008176640000n);
 * assert.equal(factorial(1000).toString().length, 2568);
 * ```
 */
export function factorial(n: number): bigint {
  checkN(n);
  return product(packFactors(2, n));
}

/**
 * The product of `values`, multiplied as a balanced tree: `(a·b)·(c·d)`, not
 * `((a·b)·c)·d`. Each level of the tree multiplies numbers of equal size.
 *
 * @example
 * ```ts
 * import { product } from "./factorial.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(product([2n, 3n, 4n, 5n]), 120n);
 * assert.equal(product([]), 1n);
 * ```
 */
export function product(values: readonly bigint[]): bigint {
  return productOf(values, 0, values.length);
}

/** The product of `values[from..to)`, split in the middle. */
function productOf(values: readonly bigint[], from: number, to: number): bigint {
  if (to - from === 0) return 1n;
  if (to - from === 1) return values[from];
  const middle = (from + to) >>> 1;
  return productOf(values, from, middle) * productOf(values, middle, to);
}

/**
 * The factors `from..to` multiplied in plain numbers while the product stays
 * exact (below 2^53), one `BigInt` per run: the leaves of the product tree.
 * Small multiplications in doubles cost nothing next to `BigInt` ones.
 */
function packFactors(from: number, to: number): bigint[] {
  const packed: bigint[] = [];
  let run = 1;
  for (let k = from; k <= to; k++) {
    if (run * k > Number.MAX_SAFE_INTEGER) {
      packed.push(BigInt(run));
      run = k;
    } else {
      run *= k;
    }
  }
  packed.push(BigInt(run));
  return packed;
}

/** `n!` is defined here for whole numbers from 0 up. */
function checkN(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`n! needs a whole number n >= 0, got ${n}`);
  }
}

/**
 * The largest `n` whose `n!` has at most `maxDigits` decimal digits.
 *
 * First an estimate: `n!` has `floor(log10(n!)) + 1` digits, and
 * `log10(n!) = log10(2) + log10(3) + ... + log10(n)`. Rounding errors in that
 * sum could put it on the wrong side of a whole number, so the estimate is then
 * checked exactly: `n!` has at most `maxDigits` digits exactly when
 * `n! < 10^maxDigits`, a `BigInt` comparison with no decimal conversion.
 *
 * @example 6! = 720 has three digits, 7! = 5040 has four
 * ```ts
 * import { largestNWithDigits } from "./factorial.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(largestNWithDigits(3), 6);
 * assert.equal(largestNWithDigits(1), 3); // 3! = 6, 4! = 24
 * ```
 */
export function largestNWithDigits(maxDigits: number): number {
  if (!Number.isSafeInteger(maxDigits) || maxDigits < 1) {
    throw new RangeError(`maxDigits must be a whole number >= 1, got ${maxDigits}`);
  }
  // The estimate: add log10(k) while the digit count stays within the limit.
  let n = 1;
  let log10Factorial = 0; // log10(1!)
  while (Math.floor(log10Factorial + Math.log10(n + 1)) + 1 <= maxDigits) {
    n++;
    log10Factorial += Math.log10(n);
  }
  // The exact check, moving n down or up if the estimate was off by one.
  const limit = 10n ** BigInt(maxDigits); // the smallest number with maxDigits + 1 digits
  let nFactorial = factorial(n);
  while (nFactorial >= limit) {
    nFactorial /= BigInt(n);
    n--;
  }
  while (nFactorial * BigInt(n + 1) < limit) {
    n++;
    nFactorial *= BigInt(n);
  }
  return n;
}

/**
 * The largest `n` whose `n!`, written in decimal, fits one UDP datagram
 * over IPv4 ({@linkcode MAX_UDP_PAYLOAD} = 65,507 bytes, one byte a digit):
 * 17,229. 17,229! has 65,507 digits exactly; 17,230! has 65,511. Computed
 * when the module loads, in a few milliseconds, from the datagram size. A
 * loopback figure: on a real network such a datagram travels as 45 IP
 * fragments (see the lesson).
 */
export const LARGEST_N_PER_DATAGRAM: number = largestNWithDigits(MAX_UDP_PAYLOAD);
