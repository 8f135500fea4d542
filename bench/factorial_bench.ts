/**
 * Lesson 06's speed goal: the largest n (17,229) in milliseconds. Compares
 * the product tree with the tutorial's running product, and times the
 * multiplication and the decimal conversion separately.
 *
 *     deno task bench                       (every bench file)
 *     deno bench bench/factorial_bench.ts   (this one; it needs no permission)
 *
 * @module
 */

import { factorial, factorialByRunningProduct } from "../lib/factorial.ts";
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
