/**
 * Bugs to plant in lesson 06 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const LESSON = "lessons/06_factorial_udp.ts";
const REQUEST = "lessons/06_factorial_udp/request.ts";
const FACTORIAL = "lessons/06_factorial_udp/factorial.ts";
const TESTS = ["tests/06_factorial_udp.test.ts", "tests/hostile/06_factorial_udp.test.ts"];
const MATH = ["tests/06_factorial_udp_factorial.test.ts", "tests/06_factorial_udp.test.ts"];

/** Lesson 06's mutations. */
export const MUTATIONS_06: readonly Mutation[] = [
  {
    id: "06-sign-accepted",
    file: REQUEST,
    find: `if (!/^[0-9]+$/.test(text)) return { ok: false, reason: whyNotDigits(text) };`,
    replace: `if (!/^[+-]?[0-9]+$/.test(text)) return { ok: false, reason: whyNotDigits(text) };`,
    why: "-5 and +5 pass as numbers",
    tests: TESTS,
  },
  {
    id: "06-limit-off-by-one",
    file: REQUEST,
    find: `if (n > maxN) return { ok: false, reason: tooLargeReason(maxN) };`,
    replace: `if (n >= maxN) return { ok: false, reason: tooLargeReason(maxN) };`,
    why: "17229, the largest n that fits, is refused",
    tests: TESTS,
  },
  {
    id: "06-wrong-radix",
    file: REQUEST,
    find: `const n = Number(digits);`,
    replace: `const n = parseInt(digits, 8);`,
    why: "the digits are read in base 8",
    tests: TESTS,
  },
  {
    id: "06-no-trim",
    file: REQUEST,
    find: `text = text.trim();`,
    replace: ``,
    why: "7 and a newline (what nc sends) is refused",
    tests: TESTS,
  },
  {
    id: "06-lenient-utf8",
    file: REQUEST,
    find: `new TextDecoder("utf-8", { fatal: true });`,
    replace: `new TextDecoder("utf-8");`,
    why: "invalid UTF-8 is guessed at instead of refused",
    tests: TESTS,
  },
  {
    id: "06-max-n-ignored",
    file: LESSON,
    find: `const reply = replyTo(data, maxN);`,
    replace: `const reply = replyTo(data);`,
    why: "the server ignores --max-n",
    tests: TESTS,
  },
  {
    id: "06-err-not-refused",
    file: LESSON,
    find: `if (reply.startsWith("ERR ")) {`,
    replace: `if (reply.startsWith("ERR: ")) {`,
    why: "the client reports a refusal as a protocol error",
    tests: TESTS,
  },
  {
    id: "06-client-one-try",
    file: LESSON,
    find: `tries: options.tries ?? 3,`,
    replace: `tries: 1,`,
    why: "the client never asks again",
    tests: TESTS,
  },
  {
    id: "06-tree-degenerates",
    file: FACTORIAL,
    find: `const middle = (from + to) >>> 1;`,
    replace: `const middle = from + 1;`,
    why: "the product tree becomes a running product",
    tests: MATH,
  },
  {
    id: "06-pack-inexact",
    file: FACTORIAL,
    find: `if (run * k > Number.MAX_SAFE_INTEGER) {`,
    replace: `if (run * k > Number.MAX_VALUE) {`,
    why: "factors are packed past 2^53, where doubles are no longer exact",
    tests: MATH,
  },
  {
    id: "06-largest-n",
    file: FACTORIAL,
    find: `largestNWithDigits(MAX_UDP_PAYLOAD);`,
    replace: `largestNWithDigits(MAX_UDP_PAYLOAD - 1);`,
    why: "the limit on n is derived from one byte less than a datagram",
    tests: MATH,
  },
  {
    id: "06-id-prefix",
    file: "lessons/06_factorial_udp/late_replies.ts",
    find: "const tag = `#${id} `;",
    replace: "const tag = `#${id}`;",
    why: "the reply to request 21 is taken for request 2's",
    tests: ["tests/06_factorial_udp.test.ts"],
  },
];
