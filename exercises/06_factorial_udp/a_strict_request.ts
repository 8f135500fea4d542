/**
 * # Exercise 06a · Strict input: what a request may be
 *
 * Lesson 06, part 3 (`lessons/06_factorial_udp/request.ts`). server6.py
 * does `f(int(data))` on whatever arrives: `-5` quietly gets 1, `abc` ends
 * the server, `99999999` keeps it multiplying for hours. A protocol says
 * exactly what it accepts: one or more ASCII digits, whitespace around them
 * ignored, leading zeros allowed, n at most `maxN` (17,229 by default, the
 * largest n whose n! fits one datagram). Anything else is refused with a
 * reason, which the server sends back as `ERR <reason>`.
 *
 * Check it:  deno task verify 06a        Stuck?  deno task hint 06a
 *
 * @module
 */

import { LARGEST_N } from "../../lessons/06_factorial_udp.ts";
import type { FactorialRequest } from "../../lessons/06_factorial_udp/request.ts";

/** Reads a request: `{ ok: true, n }`, or `{ ok: false, reason }`. */
export function parseRequest(
  data: Uint8Array | string,
  maxN: number = LARGEST_N,
): FactorialRequest {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  // TODO(06a): accept only ASCII digits with optional whitespace around them,
  // and only n <= maxN; refuse anything else with a short reason, bytes that
  // are not UTF-8 included (a TextDecoder with { fatal: true } throws on
  // them). When it works, " 007\n" gives { ok: true, n: 7 }, while "-5",
  // "1e3", "0x10", "", "17230" and 65,506 digits and a letter are each
  // refused in well under a millisecond, and the server answers them ERR.
  return { ok: true, n: Number(text) }; // the tutorial's int(data)
}
