/**
 * # Exercise 06a · Strict input: what a request may be (the reference solution)
 *
 * @module
 */

import { LARGEST_N } from "../../../lessons/06_factorial_udp.ts";
import type { FactorialRequest } from "../../../lessons/06_factorial_udp/request.ts";

/** `fatal: true`: invalid UTF-8 throws, rather than becoming U+FFFD. */
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** Reads a request: `{ ok: true, n }`, or `{ ok: false, reason }`. */
export function parseRequest(
  data: Uint8Array | string,
  maxN: number = LARGEST_N,
): FactorialRequest {
  let text: string;
  try {
    text = typeof data === "string" ? data : strictDecoder.decode(data);
  } catch {
    return { ok: false, reason: "not UTF-8 text: n must be ASCII decimal digits" };
  }
  text = text.trim(); // Python's int() ignores whitespace around the digits too
  // One pattern that matches in one way only: no backtracking, however long.
  if (!/^[0-9]+$/.test(text)) return { ok: false, reason: "n must be ASCII decimal digits" };
  // Compare lengths before parsing: 65,507 digits are refused by their count.
  const digits = text.replace(/^0+(?=[0-9])/, "");
  const n = digits.length > String(maxN).length ? Infinity : Number(digits);
  if (n > maxN) return { ok: false, reason: `n too large: at most ${maxN}` };
  return { ok: true, n };
}
