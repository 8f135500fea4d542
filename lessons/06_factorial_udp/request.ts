/**
 * # 06 · Strict input: what a request may be
 *
 * server6.py does `f(int(data))` on whatever arrives. Python's `int()` is
 * generous (`" +1_000 \n"` is 1000) and its failures end the server: `abc`
 * raises ValueError; `-5` quietly gets 1 (`range(1, -4)` is empty);
 * `99999999` keeps it multiplying for hours; and from Python 3.11 on, `str()`
 * of a result over 4,300 digits raises ValueError too (a guard against
 * slow conversions, `sys.set_int_max_str_digits`), so server6.py dies for
 * every n from 1,559 up (1,559! has 4,303 digits).
 *
 * A protocol should say exactly what it accepts. Lesson 06's: one or more
 * ASCII digits, whitespace around them ignored, leading zeros allowed, n no
 * larger than the limit; anything else gets a reply beginning `ERR ` and the
 * reason, and the server goes on.
 *
 * @module
 */

import { factorial, LARGEST_N_PER_DATAGRAM as LARGEST_N } from "./factorial.ts";
import { LessonError } from "../../lib/errors.ts";
import { MAX_UDP_PAYLOAD } from "../../lib/udp.ts";

/** `fatal: true`: invalid UTF-8 is an error to answer, not text to guess at. */
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** A parsed request: the n to compute, or why there is none. */
export type FactorialRequest = { ok: true; n: number } | { ok: false; reason: string };

/**
 * The reason a server gives for an n over its limit. At the datagram limit
 * this is exactly `n too large: n! must fit one 65507-byte datagram (largest n is 17229)`.
 */
export function tooLargeReason(maxN: number = LARGEST_N): string {
  return maxN === LARGEST_N
    ? `n too large: n! must fit one ${MAX_UDP_PAYLOAD}-byte datagram (largest n is ${LARGEST_N})`
    : `n too large: this server computes n! up to n = ${maxN}`;
}

/**
 * Reads a request: one or more ASCII digits, whitespace around them ignored,
 * leading zeros allowed. Anything else is refused with a reason. A digit
 * string longer than the limit's is refused by its length alone: a
 * 65,507-digit request costs a scan, never a 65,507-digit `BigInt`.
 *
 * @example
 * ```ts
 * import { parseRequest } from "./request.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseRequest(" 007\n"), { ok: true, n: 7 });
 * assert.deepEqual(parseRequest("3.5"), {
 *   ok: false,
 *   reason: 'not an integer: "3.5" has a decimal point',
 * });
 * ```
 */
export function parseRequest(
  data: Uint8Array | string,
  maxN: number = LARGEST_N,
): FactorialRequest {
  let text: string;
  if (typeof data === "string") {
    text = data;
  } else {
    try {
      text = strictDecoder.decode(data);
    } catch {
      return { ok: false, reason: "not UTF-8 text: n must be ASCII decimal digits" };
    }
  }
  text = text.trim();
  if (!/^[0-9]+$/.test(text)) return { ok: false, reason: whyNotDigits(text) };
  // Leading zeros say nothing: compare lengths first, parse only short strings.
  const digits = text.replace(/^0+(?=[0-9])/, "");
  if (digits.length > String(maxN).length) return { ok: false, reason: tooLargeReason(maxN) };
  const n = Number(digits);
  if (n > maxN) return { ok: false, reason: tooLargeReason(maxN) };
  return { ok: true, n };
}

/**
 * Names what is wrong with a request that is not plain digits. Every pattern
 * here can match in only one way: a pattern such as `[0-9]+\.?[0-9]*` can
 * split a run of digits in n ways, and on 65,506 digits and a letter the
 * regex engine tries them all (measured: 3.5 s per datagram, a denial of
 * service in one packet).
 */
function whyNotDigits(text: string): string {
  if (text === "") return "empty request: n must be decimal digits, e.g. 5";
  const body = text[0] === "+" || text[0] === "-" ? text.slice(1) : text;
  if (/^[0-9]+$/.test(body)) {
    return text[0] === "-" && /[1-9]/.test(body)
      ? "n is negative: n! is defined for n >= 0"
      : "a sign is not allowed: n must be digits only";
  }
  if (/^0[xXoObB]/.test(body)) return `not decimal: ${quote(text)} has a base prefix`;
  const e = body.search(/[eE]/);
  const mantissa = e === -1 ? body : body.slice(0, e);
  const exponent = e === -1 ? undefined : body.slice(e + 1);
  const isNumber = /^[0-9]+$/.test(mantissa) ||
    (/^[0-9]*\.[0-9]*$/.test(mantissa) && /[0-9]/.test(mantissa));
  if (isNumber && exponent !== undefined && /^[+-]?[0-9]+$/.test(exponent)) {
    return `not an integer: ${quote(text)} has an exponent`;
  }
  if (isNumber && exponent === undefined) {
    return `not an integer: ${quote(text)} has a decimal point`;
  }
  return `not an integer: ${quote(text)}`;
}

/**
 * A peer's text, shortened and escaped, safe to put in a reply or a log line.
 *
 * @example
 * ```ts
 * import { quote } from "./request.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(quote("5\u001b[2J"), '"5\\u001b[2J"');
 * ```
 */
export function quote(text: string, max = 16): string {
  // JSON escapes C0 controls (\u001b, the start of a terminal escape
  // sequence); DEL and the C1 controls, which some terminals obey too, we
  // escape ourselves.
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)
    .replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The server's whole job for one datagram: the digits of n!, or
 * `ERR <reason>`. The reply always fits one datagram.
 *
 * @example
 * ```ts
 * import { replyTo } from "./request.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(replyTo(new TextEncoder().encode("5")), "120");
 * assert.equal(
 *   replyTo(new TextEncoder().encode("-5")),
 *   "ERR n is negative: n! is defined for n >= 0",
 * );
 * ```
 */
export function replyTo(data: Uint8Array, maxN: number = LARGEST_N): string {
  const request = parseRequest(data, maxN);
  if (!request.ok) return `ERR ${request.reason}`;
  // Python: str(f(int(data))). A product tree, then V8's decimal conversion.
  return factorial(request.n).toString();
}

/** What a client makes of an `ERR` reply: the server understood the request and refused it. */
export class FactorialRefusedError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "FactorialRefusedError";
  }
}
