/**
 * Reading flags: `parseArgs` from `node:util`, strict, with whole numbers
 * checked for range, so `--port abc` is a usage error and not a NaN that
 * fails later. `cli.ts` builds every lesson's command line on these.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "./errors.ts";

/** What {@linkcode parseFlags} returns for a given set of options. */
export type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

/**
 * `parseArgs` from `node:util`, strict, with positionals allowed, whose
 * complaints (an unknown flag, a missing value) become a {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * const { values, positionals } = parseFlags(["client", "--port", "9999"], {
 *   port: { type: "string" },
 * });
 * assert.equal(values.port, "9999");
 * assert.deepEqual(positionals, ["client"]);
 * ```
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
): Parsed<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    // node:util says e.g. "Unknown option '--prot'. To specify a positional
    // argument starting with a '-', place it at the end of the command after
    // '--', as in '-- \"--prot\"". The first sentence is the useful part.
    const message = err instanceof Error ? err.message.split(/\.\s/)[0] : String(err);
    throw new UsageError(message.replace(/\.$/, "").replace(/^U/, "u"));
  }
}

/**
 * Reads a whole-number flag, checking its range: `--port abc` or `--tries 0`
 * is a usage error, not a NaN that fails later.
 *
 * @example
 * ```ts
 * import { intFlag } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(intFlag("--port", "9999", 9000, { min: 0, max: 65535 }), 9999);
 * assert.equal(intFlag("--port", undefined, 9000, { min: 0, max: 65535 }), 9000);
 * assert.throws(() => intFlag("--port", "http", 9000, { min: 0, max: 65535 }));
 * ```
 */
export function intFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`${name} must be a whole number, got "${value}"`);
  }
  const n = Number(value);
  if (n < range.min || n > range.max) {
    throw new UsageError(`${name} must be between ${range.min} and ${range.max}, got ${n}`);
  }
  return n;
}

/** Reads `--port`: 0 to 65535 (0 asks the kernel for any free port). */
export function portFlag(value: string | undefined, fallback: number): number {
  return intFlag("--port", value, fallback, { min: 0, max: 65_535 });
}
