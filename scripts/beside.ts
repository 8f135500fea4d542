/**
 * Two texts side by side in a terminal, for `verify` to show the learner's
 * code next to the reference solution; one after the other when the
 * terminal is too narrow for two readable columns.
 *
 * @module
 */

/**
 * `left` and `right` in two columns of `width` characters in all.
 *
 * @example
 * ```ts
 * import { beside } from "./beside.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(beside(["a"], ["b", "c"], 100), [
 *   `${"yours".padEnd(48)} │ reference`,
 *   `${"─".repeat(48)}─┼─${"─".repeat(48)}`,
 *   `${"a".padEnd(48)} │ b`,
 *   `${"".padEnd(48)} │ c`,
 * ]);
 * assert.deepEqual(beside(["a"], ["b"], 60), ["── yours ──", "a", "── reference ──", "b"]);
 * ```
 */
export function beside(left: readonly string[], right: readonly string[], width: number): string[] {
  const column = Math.floor((width - 3) / 2);
  if (column < 45) return ["── yours ──", ...left, "── reference ──", ...right];
  const cut = (line: string) => {
    const flat = line.replaceAll("\t", "  ");
    return flat.length > column ? flat.slice(0, column - 1) + "…" : flat.padEnd(column);
  };
  const rows = [
    `${"yours".padEnd(column)} │ reference`,
    `${"─".repeat(column)}─┼─${"─".repeat(column)}`,
  ];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    rows.push(`${cut(left[i] ?? "")} │ ${right[i] ?? ""}`.trimEnd());
  }
  return rows;
}
