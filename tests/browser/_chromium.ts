/**
 * Headless Chromium for the browser tests: found on PATH as `chromium`
 * (Debian: `apt-get install chromium`); without it, the tests that need it
 * are reported as ignored, not passed.
 *
 * @module
 */

import assert from "node:assert/strict";

/** The browser command, found on PATH. */
const CHROMIUM = "chromium";

/** Headless, no sandbox (CI runs as root in a container), nothing fetched from the internet. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Chromium's version line, or `undefined` if it is not installed. */
export async function chromiumVersion(): Promise<string | undefined> {
  try {
    const { success, stdout } = await new Deno.Command(CHROMIUM, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout).trim() : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Runs Chromium with `args` and a fresh profile in `.tmp/`; returns its stdout. */
export async function chromium(args: string[]): Promise<string> {
  await Deno.mkdir(".tmp", { recursive: true });
  const profile = await Deno.realPath(await Deno.makeTempDir({ dir: ".tmp", prefix: "chromium_" }));
  // A safety net, not a speed check: a wedged browser must not hang CI.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 120_000);
  try {
    const { success, code, stdout, stderr } = await new Deno.Command(CHROMIUM, {
      args: [...FLAGS, `--user-data-dir=${profile}`, ...args],
      stdout: "piped",
      stderr: "piped",
      signal: abort.signal,
    }).output();
    const errors = new TextDecoder().decode(stderr).trim().split("\n").slice(-5).join("\n");
    assert.ok(success, `chromium exited with ${code}:\n${errors}`);
    return new TextDecoder().decode(stdout);
  } finally {
    clearTimeout(timer);
    await Deno.remove(profile, { recursive: true });
  }
}
