/**
 * # n! as a decimal string: what was tried for issue 17's factorial goal
 *
 * Lesson 06 answers n! (17,229! is 65,507 digits, one datagram) with a packed
 * product tree and `BigInt.prototype.toString()`. The goal: a freshly started
 * server ≥ 6× faster than Python's `str(math.factorial(n))`. Measured here
 * (fresh process per run, CPU time, `--v8-flags=--single-threaded` so that
 * V8's compiler threads are counted where they run, machine under load):
 * packing the factors 5.1 ms, the product tree 3.3 ms, `toString` 5.4 ms;
 * warm, in one process, the packing drops to ~1 ms and `toString` stays.
 *
 * Tried, each checked digit for digit against `toString`:
 *
 * - `dc`: divide-and-conquer conversion (split by 10^(1200·2^i), convert the
 *   halves, pad the low half). Slower than V8's own: 6.8–7.1 ms CPU against
 *   5.2–6.2 ms warm, and slower cold. V8's BigInt division (64,000 by 32,000
 *   digits: 1.1 ms) is not fast enough to beat its `toString`.
 * - `zeros`: leave the ⌊n/5⌋+⌊n/25⌋+… trailing zeros (4,304) out of the
 *   arithmetic (take out every 5 and as many 2s), append them as text: 6.6%
 *   fewer digits to convert; within the noise cold (24.7 vs 26.4 ms CPU).
 * - `primes`: n! from its prime factorization (Legendre), a sieve instead of
 *   a loop over every factor: slower (34.6 ms CPU cold), the squarings cost more.
 * - `onemul`: today's loop, one multiplication per factor instead of two and
 *   the limit hoisted out of the loop: the only change that measured better,
 *   12.4 against 14.1 ms CPU cold, single-threaded (≈12%).
 *
 *   deno run bench/factorial_decimal.ts               check every way, time warm
 *   deno run --allow-run=python3,deno --allow-sys --allow-read bench/factorial_decimal.ts --cold 9
 *       fresh processes, alternated: Python, then every way; wall and CPU time
 *       (add --single-threaded to run V8's compilers on the main thread: steadier CPU figures)
 *
 * @module
 */

import process from "node:process";
import { denoCommand } from "./load/deno_command.ts";

/** Below this many digits, `toString` itself is fastest. */
const LEAF_DIGITS = 1_200;

/**
 * `x` (≥ 0) in decimal, by divide and conquer.
 *
 * @example
 * ```ts
 * import { toDecimal } from "./factorial_decimal.ts";
 * import assert from "node:assert/strict";
 *
 * const x = 3n ** 20_000n;
 * assert.equal(toDecimal(x), x.toString());
 * assert.equal(toDecimal(0n), "0");
 * ```
 */
export function toDecimal(x: bigint): string {
  if (x < 0n) return "-" + toDecimal(-x);
  // powers[i] = 10^(LEAF_DIGITS · 2^i), up to the first whose square exceeds x.
  const powers = [10n ** BigInt(LEAF_DIGITS)];
  while (powers.at(-1)! * powers.at(-1)! <= x) powers.push(powers.at(-1)! ** 2n);
  return convert(x, powers, powers.length - 1, false);
}

/** `x` < 10^(LEAF·2^(level+1)) in decimal; `pad`: exactly LEAF·2^(level+1) digits. */
function convert(x: bigint, powers: bigint[], level: number, pad: boolean): string {
  if (level < 0) {
    const text = x.toString();
    return pad ? text.padStart(LEAF_DIGITS, "0") : text;
  }
  if (!pad && x < powers[level]) return convert(x, powers, level - 1, false);
  const high = x / powers[level];
  const low = x - high * powers[level];
  return convert(high, powers, level - 1, pad) + convert(low, powers, level - 1, true);
}

/**
 * n! in decimal, the proposed arithmetic for lesson 06: the product of the
 * factors without their 2s and 5s (one multiplication per factor), then the
 * 2s left over as a shift, then `convert` (V8's `toString` unless told), then
 * the trailing zeros as text.
 *
 * @example
 * ```ts
 * import { factorialDecimal } from "./factorial_decimal.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(factorialDecimal(10), "3628800");
 * assert.equal(factorialDecimal(0), "1");
 * assert.equal(factorialDecimal(25), "15511210043330985984000000");
 * ```
 */
export function factorialDecimal(
  n: number,
  convert: (m: bigint) => string = (m) => m.toString(),
): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0`);
  const limit = Number.MAX_SAFE_INTEGER;
  let twos = 0, fives = 0;
  const packed: bigint[] = [];
  let run = 1;
  for (let k = 2; k <= n; k++) {
    let f = k;
    while (f % 2 === 0) f /= 2, twos++;
    while (f % 5 === 0) f /= 5, fives++;
    const next = run * f;
    if (next > limit) packed.push(BigInt(run)), run = f;
    else run = next;
  }
  packed.push(BigInt(run));
  const m = productOf(packed, 0, packed.length) << BigInt(twos - fives);
  return convert(m) + "0".repeat(fives);
}

function productOf(values: bigint[], from: number, to: number): bigint {
  if (to - from === 1) return values[from];
  const middle = (from + to) >>> 1;
  return productOf(values, from, middle) * productOf(values, middle, to);
}

/**
 * n! / 10^z in binary, from n's prime factorization (Legendre: p divides n!
 * ⌊n/p⌋ + ⌊n/p²⌋ + … times), with the 5s and as many 2s left out (z is the
 * number of trailing zeros). The JavaScript loop runs over the ~2,000 primes
 * up to n instead of all n factors; the sieve is small-integer work. The
 * product is built by the exponents' bits: m = ∏ P_i^(2^i), where P_i
 * multiplies the primes whose exponent has bit i set, squared Horner-style.
 *
 * @example
 * ```ts
 * import { factorialWithoutZeros } from "./factorial_decimal.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(factorialWithoutZeros(10), { m: 36288n, zeros: 2 });
 * ```
 */
export function factorialWithoutZeros(n: number): { m: bigint; zeros: number } {
  const composite = new Uint8Array(n + 1);
  const primes: number[] = [];
  const exponents: number[] = [];
  for (let p = 2; p <= n; p++) {
    if (composite[p]) continue;
    primes.push(p);
    for (let q = p * p; q <= n; q += p) composite[q] = 1;
    let e = 0;
    for (let q = n; q >= p;) e += q = Math.floor(q / p);
    exponents.push(e);
  }
  const zeros = n >= 5 ? exponents[2] : 0; // the 5s: each pairs with a 2 into a trailing zero
  const twos = n >= 2 ? exponents[0] - zeros : 0;
  if (n >= 2) exponents[0] = 0;
  if (n >= 5) exponents[2] = 0;
  let m = 1n;
  for (let bit = 31 - Math.clz32(Math.max(1, ...exponents)); bit >= 0; bit--) {
    const chosen = primes.filter((_, i) => (exponents[i] >> bit) & 1);
    m = m * m * product(packNumbers(chosen));
  }
  return { m: m << BigInt(twos), zeros };
}

/** Multiplies neighbours while the product stays exact in a double: fewer, bigger BigInts. */
function packNumbers(values: number[]): bigint[] {
  const packed: bigint[] = [];
  let run = 1;
  for (const v of values) {
    if (run * v > Number.MAX_SAFE_INTEGER) packed.push(BigInt(run)), run = v;
    else run *= v;
  }
  packed.push(BigInt(run));
  return packed;
}

function product(values: bigint[]): bigint {
  return values.length === 0 ? 1n : productOf(values, 0, values.length);
}

/** n! in decimal from {@linkcode factorialWithoutZeros}: V8's `toString`, then the zeros. */
export function factorialDecimalByPrimes(n: number): string {
  const { m, zeros } = factorialWithoutZeros(n);
  return m.toString() + "0".repeat(zeros);
}

/**
 * The proposed change to lesson 06's packing loop: one multiplication per
 * factor, the limit read once. Same leaves, same product as today.
 *
 * @example
 * ```ts
 * import { packFactors } from "./factorial_decimal.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(packFactors(2, 5), [120n]);
 * ```
 */
export function packFactors(from: number, to: number): bigint[] {
  const limit = Number.MAX_SAFE_INTEGER;
  const packed: bigint[] = [];
  let run = 1;
  for (let k = from; k <= to; k++) {
    const next = run * k;
    if (next > limit) {
      packed.push(BigInt(run));
      run = k;
    } else {
      run = next;
    }
  }
  packed.push(BigInt(run));
  return packed;
}

/** Today's lesson 06 arithmetic, for comparison: packed product tree, then `toString()`. */
export function factorialToStringToday(n: number): string {
  const packed: bigint[] = [];
  let run = 1;
  for (let k = 2; k <= n; k++) {
    if (run * k > Number.MAX_SAFE_INTEGER) packed.push(BigInt(run)), run = k;
    else run *= k;
  }
  packed.push(BigInt(run));
  return productOf(packed, 0, packed.length).toString();
}

const N = 17_229;
const PYTHON = `import math, sys, time
sys.set_int_max_str_digits(0)
t, c = time.perf_counter(), time.process_time()
s = str(math.factorial(${N}))
print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)`;

/** The ways to compute n! in decimal that `--cold` compares. */
const WAYS: Record<string, (n: number) => string> = {
  today: factorialToStringToday,
  zeros: (n) => factorialDecimal(n),
  onemul: (n) => {
    const packed = packFactors(2, n);
    return productOf(packed, 0, packed.length).toString();
  },
  dc: (n) => factorialDecimal(n, toDecimal),
  primes: factorialDecimalByPrimes,
};

/** One fresh process: [wall ms, CPU ms] it reports for n! → decimal. */
async function coldRun(which: string): Promise<[number, number]> {
  const [cmd, args] = which === "python" ? ["python3", ["-c", PYTHON]] : [denoCommand(), [
    "run",
    "--allow-sys",
    ...(Deno.args.includes("--single-threaded") ? ["--v8-flags=--single-threaded"] : []),
    import.meta.filename!,
    `--once-${which}`,
  ]];
  const out = await new Deno.Command(cmd, { args, stdout: "piped" }).output();
  const [wall, cpu] = new TextDecoder().decode(out.stdout).trim().split(" ").map(Number);
  return [wall, cpu];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (import.meta.main) {
  const [flag, count] = Deno.args;
  if (flag?.startsWith("--once-")) {
    const started = performance.now(), cpu = process.cpuUsage();
    WAYS[flag.slice("--once-".length)](N);
    const used = process.cpuUsage(cpu);
    console.log(performance.now() - started, (used.user + used.system) / 1000);
  } else if (flag === "--cold") {
    const ways = ["python", ...Object.keys(WAYS)];
    const wall = new Map(ways.map((w) => [w, [] as number[]]));
    const cpu = new Map(ways.map((w) => [w, [] as number[]]));
    for (let i = 0; i < Number(count ?? 9); i++) {
      for (const which of ways) {
        const [w, c] = await coldRun(which);
        wall.get(which)!.push(w), cpu.get(which)!.push(c);
      }
    }
    const [pyWall, pyCpu] = [median(wall.get("python")!), median(cpu.get("python")!)];
    console.log(`${N}! → decimal in a fresh process, medians of ${count ?? 9} alternated runs`);
    for (const which of ways) {
      const [w, c] = [median(wall.get(which)!), median(cpu.get(which)!)];
      console.log(
        `${which.padEnd(10)} wall ${w.toFixed(1).padStart(6)} ms (Python ÷ this ${
          (pyWall / w).toFixed(2)
        }×)   CPU ${c.toFixed(1).padStart(6)} ms (${(pyCpu / c).toFixed(2)}×)`,
      );
    }
  } else {
    for (const n of [0, 1, 4, 5, 10, 24, 25, 100, 1_000, 3_125, N]) {
      const today = factorialToStringToday(n);
      for (const [way, f] of Object.entries(WAYS)) {
        if (n > 1 && f(n) !== today) throw new Error(`${n}! differs (${way})`);
      }
    }
    const best = (f: () => unknown) => {
      let b = Infinity;
      for (let i = 0; i < 9; i++) {
        const t = performance.now();
        f();
        b = Math.min(b, performance.now() - t);
      }
      return b;
    };
    const warm = Object.entries(WAYS).map(([way, f]) => `${way} ${best(() => f(N)).toFixed(2)} ms`);
    console.log(`${N}!: every way gives the same digits; warm, best of 9: ${warm.join(", ")}`);
  }
}
