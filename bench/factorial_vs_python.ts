/**
 * # Factorial, Deno against Python, side by side
 *
 * Lesson 06's arithmetic against the tutorial's language: for n = 1,000,
 * 5,000 and 17,229 (the largest n whose n! fits one UDP datagram), times
 * the multiplication and the decimal conversion separately, in this process
 * (BigInt: a product tree, and the tutorial's running product) and in
 * `python3` (`math.factorial`, the tutorial's loop, and `str()`), and prints
 * one table with the ratio and the verdict on the target (at least 6× faster
 * than Python's best for 17,229!).
 *
 * Python 3.11 refuses to `str()` an integer of more than 4,300 digits
 * (`sys.set_int_max_str_digits`, a guard against slow conversions): the
 * tutorial's server6.py would raise ValueError for every n from 1,559 up. The
 * bench lifts the limit to measure the conversion.
 *
 * Run: deno task bench:factorial
 *
 * @module
 */

import {
  factorial,
  factorialByRunningProduct,
  LARGEST_N_PER_DATAGRAM,
} from "../lessons/06_factorial_udp/factorial.ts";

/** One n's timings, in milliseconds (best of several runs). */
interface Timings {
  multiply: number;
  runningProduct: number;
  toString: number;
}

/** The fastest of `runs` calls of `fn`, in milliseconds. */
function best(runs: number, fn: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

/** Times Deno's BigInt for `n`: product tree, running product, toString. */
function timeDeno(n: number, runs: number): Timings {
  const value = factorial(n);
  return {
    multiply: best(runs, () => factorial(n)),
    runningProduct: best(Math.max(1, Math.floor(runs / 3)), () => factorialByRunningProduct(n)),
    toString: best(runs, () => value.toString()),
  };
}

const PYTHON = `
import json, math, sys, time
sys.set_int_max_str_digits(0)  # Python 3.11+ refuses str() past 4,300 digits
def best(runs, fn):
    fastest = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest * 1000
def running(n):  # the tutorial's f(n)
    j = 1
    for i in range(1, n + 1):
        j = j * i
    return j
out = {}
for n in map(int, sys.argv[1:-1]):
    runs = int(sys.argv[-1])
    value = math.factorial(n)
    out[n] = {
        "multiply": best(runs, lambda: math.factorial(n)),
        "runningProduct": best(max(1, runs // 3), lambda: running(n)),
        "toString": best(runs, lambda: str(value)),
    }
print(json.dumps(out))
`;

/** Times Python's `math.factorial`, the tutorial's loop and `str()`. */
async function timePython(ns: number[], runs: number): Promise<Record<string, Timings>> {
  const { success, stdout, stderr } = await new Deno.Command("python3", {
    args: ["-c", PYTHON, ...ns.map(String), String(runs)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`python3 failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

function ms(value: number): string {
  return value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** The middle value. */
function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The median of each field over several rounds. */
function medianTimings(rounds: Timings[]): Timings {
  return {
    multiply: median(rounds.map((t) => t.multiply)),
    runningProduct: median(rounds.map((t) => t.runningProduct)),
    toString: median(rounds.map((t) => t.toString)),
  };
}

if (import.meta.main) {
  const runs = 15;
  const rounds = 5;
  const ns = [1_000, 5_000, LARGEST_N_PER_DATAGRAM];
  // Warm the JIT first: the first BigInt multiplications compile code.
  timeDeno(LARGEST_N_PER_DATAGRAM, 3);
  // Alternate the two languages, round after round: this machine is noisy,
  // and a burst of load should hit both sides, not one.
  const deno = new Map<number, Timings[]>(ns.map((n) => [n, []]));
  const python = new Map<number, Timings[]>(ns.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const py = await timePython(ns, runs);
    for (const n of ns) {
      python.get(n)!.push(py[String(n)]);
      deno.get(n)!.push(timeDeno(n, runs));
    }
  }
  console.log(
    `Factorial: milliseconds, the best of ${runs} runs, median of ${rounds} alternating rounds ` +
      `(Deno ${Deno.version.deno})\n`,
  );
  console.log(
    "| n | Deno product tree | Deno running product | Deno toString | Deno total | " +
      "Python math.factorial | Python loop | Python str() | Python total | Python ÷ Deno |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  let ratio = 0;
  for (const n of ns) {
    const d = medianTimings(deno.get(n)!);
    const p = medianTimings(python.get(n)!);
    const denoTotal = d.multiply + d.toString;
    const pyTotal = Math.min(p.multiply, p.runningProduct) + p.toString;
    ratio = pyTotal / denoTotal;
    console.log(
      `| ${n.toLocaleString("en")} | ${ms(d.multiply)} | ${ms(d.runningProduct)} | ${
        ms(d.toString)
      } | ${ms(denoTotal)} | ${ms(p.multiply)} | ${ms(p.runningProduct)} | ${ms(p.toString)} | ${
        ms(pyTotal)
      } | ${ratio.toFixed(1)}× |`,
    );
  }
  console.log("");
  console.log(
    `${ratio >= 6 ? "met   " : "missed"} ${
      LARGEST_N_PER_DATAGRAM.toLocaleString("en")
    }! (multiply + decimal) at least 6× faster than Python's best: ${ratio.toFixed(1)}×`,
  );
  console.log(
    "No cache: every request is computed, so cold and warm are the same; the worst request " +
      "is bounded by the limit on n.",
  );
}
