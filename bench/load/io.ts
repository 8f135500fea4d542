/**
 * The few socket helpers the benchmarks use, kept here so the benchmarks do
 * not break while the lessons' shared code (`lib/`) is reshaped.
 *
 * @module
 */

/**
 * Closes `resource`; one that is already closed is fine.
 *
 * @example
 * ```ts
 * import { closeQuietly } from "./io.ts";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * closeQuietly(listener);
 * closeQuietly(listener); // no BadResource
 * ```
 */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch (err) {
    if (!(err instanceof Deno.errors.BadResource)) throw err;
  }
}

/** Writes all of `bytes` (Python's `sendall`): `write()` may take only a prefix. */
export async function writeAll(
  writer: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  while (bytes.length > 0) bytes = bytes.subarray(await writer.write(bytes));
}

/**
 * Joins byte arrays into one.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(concatBytes([Uint8Array.of(1), Uint8Array.of(2, 3)]), Uint8Array.of(1, 2, 3));
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) out.set(chunk, (at += chunk.length) - chunk.length);
  return out;
}
