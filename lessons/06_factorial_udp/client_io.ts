/**
 * # 06 · The client's terminal side: asking for n, printing n!
 *
 * client6.py asks with `input('请输入一个大于1的整数:')` and prints
 * `计算结果: <digits>`. Lesson 06's client asks the same way when no N is
 * given, and prints `n! = <digits>`, shortened for a long result (17,229! has
 * 65,507 digits) unless `--full`.
 *
 * @module
 */

import { UnexpectedEofError, UsageError } from "../../lib/errors.ts";
import { ByteReader } from "../../lib/io.ts";

/**
 * The tutorial's `input('请输入一个大于1的整数:')`, in both languages. (0 and 1
 * are fine too: 0! = 1! = 1.)
 */
export const PROMPT = "请输入一个大于1的整数 / Enter an integer greater than 1:";

/** How many digits a long result shows at each end, unless `--full`. */
export const SUMMARY_DIGITS = 20;

/**
 * The line the client prints: `5! = 120`. A long result shows its first and
 * last digits and how many there are, unless `full`.
 *
 * @example
 * ```ts
 * import { factorial } from "./factorial.ts";
 * import { formatResult } from "./client_io.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatResult(5, "120"), "5! = 120");
 * assert.equal(
 *   formatResult(100, factorial(100).toString()),
 *   "100! = 93326215443944152681...00000000000000000000 (158 digits; --full prints them all)",
 * );
 * ```
 */
export function formatResult(n: number, digits: string, full = false): string {
  if (full || digits.length <= 3 * SUMMARY_DIGITS) return `${n}! = ${digits}`;
  const head = digits.slice(0, SUMMARY_DIGITS);
  const tail = digits.slice(-SUMMARY_DIGITS);
  return `${n}! = ${head}...${tail} (${digits.length} digits; --full prints them all)`;
}

/**
 * Asks for n when none was given. At a terminal, like the tutorial's
 * `input()`; from a pipe (`echo 5 | deno task 06 client`), the first line.
 */
export async function askForN(): Promise<string> {
  if (Deno.stdin.isTerminal()) {
    // Python: data = int(input('请输入一个大于1的整数:'))
    const answer = prompt(PROMPT);
    if (answer === null) throw new UsageError("no N given");
    return answer;
  }
  const reader = new ByteReader(Deno.stdin, 1024);
  const decoder = new TextDecoder();
  try {
    const line = await reader.readUntil(new TextEncoder().encode("\n"), 1024);
    if (line === null) throw new UsageError("no N given, and stdin is empty");
    return decoder.decode(line);
  } catch (err) {
    // The last line of a pipe may lack its newline: `printf 5 | ...`.
    if (err instanceof UnexpectedEofError) return decoder.decode(reader.peek());
    throw err;
  }
}
