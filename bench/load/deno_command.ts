/**
 * How the benchmarks start Deno itself.
 *
 * @module
 */

/**
 * The Deno to run: `Deno.execPath()`, the one running this script, when the
 * permissions allow it. `--allow-run=deno` grants the `deno` found on PATH,
 * which may be a symlink to it (npm installs one), and Deno compares paths
 * without following links: then run it by that name.
 */
export function denoCommand(): string {
  const real = Deno.execPath();
  return Deno.permissions.querySync({ name: "run", command: real }).state === "granted"
    ? real
    : "deno";
}
