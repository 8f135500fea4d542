/**
 * Lesson 06's speed goal: the largest n (17,229) in milliseconds. Compares
 * the product tree with the tutorial's running product, and times the
 * multiplication and the decimal conversion separately.
 *
 * Measured (Deno 2.9.6, a 2-core x86-64 VM), before lesson 06 was reshaped:
 *
 *     n        product tree   running product   toString()
 *     1,000        0.02 ms          0.13 ms        0.05 ms   (2,568 digits)
 *     5,000        0.25 ms          3.3  ms        0.9  ms   (16,326 digits)
 *     17,229       2.0  ms         50    ms        7.4  ms   (65,507 digits)
 *
 * So the largest n costs the server 9 to 14 ms per request, most of it in
 * the decimal conversion (V8's `BigInt.prototype.toString` already divides
 * and conquers; a hand-written one in TypeScript measured slower). A request
 * of 65,507 digits is refused in ~0.09 ms (its length gives it away), one of
 * 65,506 digits and a letter in ~0.7 ms.
 *
 *     deno task bench                       (every bench file)
 *     deno bench bench/factorial_bench.ts   (this one; it needs no permission)
 *
 * @module
 */

import { factorial, factorialByRunningProduct } from "../lessons/06_factorial_udp/factorial.ts";
import { LARGEST_N, replyTo } from "../lessons/06_factorial_udp.ts";

for (const n of [1_000, 5_000, LARGEST_N]) {
  // Multiplication only: the BigInt n!, no digits yet.
  Deno.bench({
    name: `product tree, ${n}!`,
    group: `multiply ${n}!`,
    baseline: true,
    fn: () => {
      factorial(n);
    },
  });
  Deno.bench({
    name: `running product, ${n}!`,
    group: `multiply ${n}!`,
    fn: () => {
      factorialByRunningProduct(n);
    },
  });

  // Decimal conversion only: the same number, already computed.
  const value = factorial(n);
  Deno.bench({
    name: `toString, ${n}! (${value.toString().length} digits)`,
    group: `decimal ${n}!`,
    fn: () => {
      value.toString();
    },
  });
}

// What the server does per datagram at the limit: parse, multiply, convert.
const request = new TextEncoder().encode(String(LARGEST_N));
Deno.bench({
  name: `the server's whole reply to "${LARGEST_N}"`,
  fn: () => {
    replyTo(request);
  },
});

// Hostile datagrams. 65,507 digits: refused by its length, never parsed.
// 65,506 digits and a letter: every check must stay linear (no regex that
// can split a run of digits in many ways; one such took 3.5 s).
const digitsAndLetter = new TextEncoder().encode(`${"9".repeat(65_506)}x`);
Deno.bench({
  name: "refusing 65,506 digits and a letter",
  fn: () => {
    replyTo(digitsAndLetter);
  },
});

const huge = new TextEncoder().encode("9".repeat(65_507));
Deno.bench({
  name: "refusing a 65,507-digit request",
  fn: () => {
    replyTo(huge);
  },
});
