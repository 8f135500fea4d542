import assert from "node:assert/strict";
import fc from "fast-check";
import * as factorialModule from "../lessons/06_factorial_udp/factorial.ts";
import { MAX_UDP_PAYLOAD } from "../lib/udp.ts";
import { findExercise } from "../exercises/catalog.ts";
import { EXERCISE, EXERCISE_ROOT, underTest } from "./_exercise.ts";
import { within } from "./_util.ts";

const { factorialByRunningProduct, LARGEST_N_PER_DATAGRAM, largestNWithDigits, product } =
  factorialModule;

// The n! under test: the lesson's, or exercise 06b's (tests tagged #06b).
const factorial = await underTest(factorialModule, "factorial");

/** The module the `factorial` under test comes from. */
const factorialUrl = factorial === factorialModule.factorial
  ? new URL("../lessons/06_factorial_udp/factorial.ts", import.meta.url)
  : new URL(`../${EXERCISE_ROOT}/${findExercise(EXERCISE ?? "")?.file}`, import.meta.url);

/** What the worker posts back: n!, or what it threw. */
type Answer = { value: bigint } | { error: string };

/**
 * n! by the `factorial` under test, computed in a worker: resolves to its
 * value, or fails after `ms` with a sentence saying so. A slow computation
 * is stopped (`terminate()`), not waited out: a sync call on this thread
 * could not be.
 */
async function factorialWithin(n: number, ms: number): Promise<bigint> {
  const code = `const { factorial } = await import(${JSON.stringify(factorialUrl.href)});
    self.onmessage = (event) => {
      try { self.postMessage({ value: factorial(event.data) }); }
      catch (err) { self.postMessage({ error: String(err) }); }
    };
    self.postMessage("ready");`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    const answer = new Promise<Answer>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<Answer | "ready">) => {
        if (event.data === "ready") worker.postMessage(n);
        else resolve(event.data);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
    });
    const what = `factorial(${n}) (a running product takes about a minute, ` +
      "a product tree under a second)";
    const result = await within(ms, what, answer);
    if ("error" in result) throw new Error(`factorial(${n}) threw ${result.error}`);
    return result.value;
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

Deno.test("factorial(): small factorials are the textbook values #06b", () => {
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

Deno.test("factorial() agrees with the tutorial's running product for every n up to 400 #06b", () => {
  for (let n = 0; n <= 400; n++) assert.equal(factorial(n), factorialByRunningProduct(n), `${n}!`);
});

Deno.test("factorial() agrees with the running product at random n up to 5000 #06b", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), (n) => {
      assert.equal(factorial(n), factorialByRunningProduct(n));
    }),
    { numRuns: 25, seed: 6 },
  );
});

Deno.test("factorial(): (n + 1)! is n! times n + 1 #06b", () => {
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

Deno.test("factorial() and the running product refuse an n that is not a whole number from 0 up #06b", () => {
  for (const n of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => factorial(n), RangeError, String(n));
    assert.throws(() => factorialByRunningProduct(n), RangeError, String(n));
  }
});

Deno.test("factorial() computes 100,000! in seconds, exact: a product tree, not a running product #06b", async () => {
  // 100,000! has 456,574 digits. A product tree takes well under a second; a
  // running product multiplies an ever-longer number 100,000 times: about a
  // minute here. 10 s leaves room for a busy machine (the worker starts cold,
  // beside other tests) and still fails the running product.
  const value = await factorialWithin(100_000, 10_000);
  assert.ok(value === factorialModule.factorial(100_000), "100,000! is not exact");
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
