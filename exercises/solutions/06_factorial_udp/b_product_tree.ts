/**
 * # Exercise 06b · n! fast enough for a server: a product tree (the reference solution)
 *
 * @module
 */

/** n! as a BigInt, for a whole number n >= 0. */
export function factorial(n: number): bigint {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`n! needs a whole number n >= 0, got ${n}`);
  }
  return productOf(2, n);
}

/** from × (from + 1) × ... × to, split in the middle; 1 when the range is empty. */
function productOf(from: number, to: number): bigint {
  if (from > to) return 1n;
  if (from === to) return BigInt(from);
  const middle = Math.floor((from + to) / 2);
  // Two halves of about equal size, then one big multiplication.
  return productOf(from, middle) * productOf(middle + 1, to);
}
