/**
 * Narration for lessons: every lesson reports what happens through a `Log`
 * callback instead of calling `console.log`, so a test or the tour can capture
 * the transcript and an imported lesson prints nothing.
 *
 * @module
 */

/** Receives one line of narration (no trailing newline). */
export type Log = (line: string) => void;

/** A `Log` that drops everything: the default when a lesson is imported. */
export const silent: Log = (): void => {};

/** A `Log` that prints each line to stdout. */
export const toConsole: Log = (line: string): void => console.log(line);

/**
 * Tags every line with a label, so a transcript shows who said what.
 *
 * @example Label the server's lines
 * ```ts
 * import { prefixed } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = prefixed((line) => lines.push(line), "server");
 * log("Waiting for connection...");
 * assert.deepEqual(lines, ["server │ Waiting for connection..."]);
 * ```
 */
export function prefixed(log: Log, label: string, width = 6): Log {
  const tag = `${label.padEnd(width)} │ `;
  return (line) => log(tag + line);
}

/**
 * Collects lines in memory: what tests use to assert on a transcript.
 *
 * @example
 * ```ts
 * import { collect } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const { log, lines } = collect();
 * log("one");
 * assert.deepEqual(lines, ["one"]);
 * ```
 */
export function collect(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  return { log: (line) => lines.push(line), lines };
}
