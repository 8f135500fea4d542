import assert from "node:assert/strict";
import fc from "fast-check";
import {
  factorial,
  factorialByRunningProduct,
  LARGEST_N_PER_DATAGRAM,
  largestNWithDigits,
  product,
} from "../lib/factorial.ts";
import { MAX_UDP_PAYLOAD } from "../lib/udp.ts";

Deno.test("small factorials are the textbook values", () => {
  const table: [number, bigint][] = [
    [0, 1n],
    [1, 1n],
    [2, 2n],
    [3, 6n],
    [5, 120n],
    [10, 3_628_800n],
    [20, 2_432_902_008_176_640_000n],
    [25, 15_511_210_043_330_985_984_000_000n],
  ];
  for (const [n, expected] of table) assert.equal(factorial(n), expected, `${n}!`);
});

Deno.test("the product tree agrees with the tutorial's running product for every n up to 400", () => {
  for (let n = 0; n <= 400; n++) assert.equal(factorial(n), factorialByRunningProduct(n), `${n}!`);
});

Deno.test("the product tree agrees with the running product at random n up to 5000", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), (n) => {
      assert.equal(factorial(n), factorialByRunningProduct(n));
    }),
    { numRuns: 25, seed: 6 },
  );
});

Deno.test("(n + 1)! is n! times n + 1", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3000 }), (n) => {
      assert.equal(factorial(n + 1), factorial(n) * BigInt(n + 1));
    }),
    { numRuns: 25, seed: 7 },
  );
});

Deno.test("a balanced product equals the product taken left to right", () => {
  fc.assert(
    fc.property(
      fc.array(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), { maxLength: 40 }),
      (xs) => {
        assert.equal(product(xs), xs.reduce((a, b) => a * b, 1n));
      },
    ),
    { seed: 8 },
  );
});

Deno.test("n must be a whole number from 0 up", () => {
  for (const n of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => factorial(n), RangeError, String(n));
    assert.throws(() => factorialByRunningProduct(n), RangeError, String(n));
  }
});

Deno.test("the largest n per datagram is derived from 65,507 bytes: 17229! has 65507 digits, 17230! has 65511", () => {
  assert.equal(MAX_UDP_PAYLOAD, 65_507);
  assert.equal(LARGEST_N_PER_DATAGRAM, 17_229);
  // Checked by decimal conversion, which the derivation itself never uses.
  const digits = factorialByRunningProduct(17_229).toString();
  assert.equal(digits.length, 65_507);
  assert.equal((factorialByRunningProduct(17_229) * 17_230n).toString().length, 65_511);
});

Deno.test("largestNWithDigits is exact for every digit limit from 1 to 2000", () => {
  // digitsOf[n] = how many digits n! has, by the slow, obvious method.
  const digitsOf: number[] = [];
  let value = 1n;
  for (let n = 0; n <= 900; n++) { // 900! has 2270 digits
    if (n > 0) value *= BigInt(n);
    digitsOf.push(value.toString().length);
  }
  for (let maxDigits = 1; maxDigits <= 2000; maxDigits++) {
    let expected = 0;
    while (digitsOf[expected + 1] <= maxDigits) expected++;
    assert.equal(largestNWithDigits(maxDigits), expected, `${maxDigits} digits`);
  }
});

Deno.test("largestNWithDigits refuses a limit below one digit", () => {
  assert.throws(() => largestNWithDigits(0), RangeError);
  assert.throws(() => largestNWithDigits(2.5), RangeError);
});
