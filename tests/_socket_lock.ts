/**
 * The test task grants one Unix socket path (`.tmp/08_demo.sock`): Deno's
 * `--allow-net=unix:` rule names one socket, never a folder, so every test
 * of lesson 08 shares it. Two test runs at once (two terminals, two
 * engineers) would collide on it; an exclusive lock on a file beside it
 * makes the second run wait for the first instead.
 *
 * @module
 */

import { within } from "./_util.ts";

/**
 * Waits (at most 2 minutes) for the lock on `path`; dispose to release.
 *
 * @example
 * ```ts ignore
 * await using _lock = await lockSocketPath(".tmp/08_demo.sock");
 * ```
 */
export async function lockSocketPath(path: string): Promise<AsyncDisposable> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const file = await Deno.open(`${path}.lock`, { create: true, write: true });
  try {
    await within(120_000, `the lock on ${path} (is another test run using it?)`, file.lock(true));
  } catch (err) {
    file.close();
    throw err;
  }
  return {
    async [Symbol.asyncDispose]() {
      await file.unlock();
      file.close();
    },
  };
}
