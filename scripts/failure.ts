/**
 * A failed check in the few lines a learner needs: what was expected and
 * what came back, without the stack trace, with long runs of one byte
 * shortened and named ("1,017 × \x00: the whole buffer was decoded"), and a
 * deadline that passed said as what was waited for.
 *
 * @module
 */

/** At most this many lines of a failure are shown. */
const MAX_LINES = 14;

/**
 * Turns a test failure (error message, diff, stack) into lines for a learner.
 *
 * @example A deadline, and a decoded buffer full of NULs
 * ```ts
 * import { explainFailure } from "./failure.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   explainFailure("Uncaught DeadlineError: waited 2 s for Welcome! from the server\n    at within (file:///x.ts:1:1)"),
 *   ["nothing came: waited 2 s for Welcome! from the server"],
 * );
 * const nul = "\\x00".repeat(1017);
 * assert.deepEqual(
 *   explainFailure(`Uncaught AssertionError: Expected values to be strictly equal:\n+ actual - expected\n\n+ 'Hello, Michael${nul}!'\n- 'Hello, Michael!'`),
 *   [
 *     "AssertionError: Expected values to be strictly equal:",
 *     "+ what came back   - what was expected",
 *     "",
 *     "+ 'Hello, Michael\\x00…(1,017 × \\x00)…!'",
 *     "- 'Hello, Michael!'",
 *     "(a long run of \\x00 is an unused part of a buffer: decode only buffer.subarray(0, n), the n bytes read() filled)",
 *   ],
 * );
 * ```
 */
export function explainFailure(failure: string): string[] {
  const deadline = /DeadlineError: (waited [^\n]*)/.exec(failure);
  if (deadline) return [`nothing came: ${deadline[1]}`];
  const lines: string[] = [];
  let nuls = false;
  const raw = failure.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i];
    if (/^\s+at /.test(line)) break; // the stack trace: not for learners
    if (/^\s*\^+\s*$/.test(raw[i + 1] ?? "")) { // a source excerpt and its caret
      i++;
      continue;
    }
    const unequal = /^(.*) !== (.*)$/.exec(line);
    if (unequal) {
      lines.push(`expected:  ${shortenRuns(unequal[2])}`, `but got:   ${shortenRuns(unequal[1])}`);
      continue;
    }
    const shortened = shortenRuns(line);
    if (shortened !== line && /\\x00|\\u0000/.test(line)) nuls = true;
    lines.push(
      shortened.replace(/^Uncaught /, "")
        .replace("+ actual - expected", "+ what came back   - what was expected"),
    );
  }
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), "..."] : lines;
  if (nuls) {
    shown.push(
      "(a long run of \\x00 is an unused part of a buffer: decode only buffer.subarray(0, n), the n bytes read() filled)",
    );
  }
  return shown;
}

/**
 * Shortens every run of more than 8 copies of one escape (`\x00`, `\u0000`)
 * or character to its first copy and a count.
 *
 * @example
 * ```ts
 * import { shortenRuns } from "./failure.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(shortenRuns("ab" + "x".repeat(20) + "c"), "abx…(20 × x)…c");
 * assert.equal(shortenRuns("short"), "short");
 * ```
 */
export function shortenRuns(line: string): string {
  return line.replace(/(\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|.)\1{8,}/gi, (run, unit: string) => {
    const count = run.length / unit.length;
    return `${unit}…(${count.toLocaleString("en")} × ${unit})…`;
  });
}
