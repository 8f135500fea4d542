/**
 * The edge of every lesson: flags in, one readable line out when something
 * expected goes wrong.
 *
 * Lessons throw typed errors (see `errors.ts`); {@linkcode runMain} is the one
 * place that turns them into `error: <what> (<what to do>)` and exit code 1.
 * A stack trace is printed only for a real bug.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { formatError, LessonError, UsageError } from "./errors.ts";
import type { RunningServer } from "./server.ts";
import type { Log } from "./log.ts";
import { exposureWarning } from "./addr.ts";

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
 * import { parseFlags } from "./cli.ts";
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
    const message = err instanceof Error ? err.message.split(/\. /)[0] : String(err);
    throw new UsageError(message.replace(/\.$/, "").replace(/^U/, "u"));
  }
}

/**
 * Reads a whole-number flag, checking its range: `--port abc` or `--tries 0`
 * is a usage error, not a NaN that fails later.
 *
 * @example
 * ```ts
 * import { intFlag } from "./cli.ts";
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

/**
 * Runs a lesson's command-line entry point. An expected failure (a
 * {@linkcode LessonError}) prints one `error:` line on stderr and exits 1;
 * anything else is a bug, printed with its stack, exit 1.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof LessonError) {
      console.error(formatError(err));
    } else {
      console.error(formatError(err));
      console.error("(this is a bug in the lesson; the stack trace follows)");
      console.error(err);
    }
    Deno.exit(1);
  }
}

/** Options for {@linkcode serveUntilCtrlC}. */
export interface ServeUntilCtrlCOptions {
  /**
   * How long open conversations get to finish after Ctrl+C before they are
   * closed (`--grace-ms`). Default 0: close them at once.
   */
  graceMs?: number;
  /** Stops the server as Ctrl+C would when it aborts (what tests use instead of a signal). */
  signal?: AbortSignal;
}

/**
 * Keeps a server running until Ctrl+C (SIGINT), then closes it cleanly: stop
 * accepting, let open connections finish for up to `graceMs`, close the rest,
 * resolve so the process exits 0. A server that other machines can reach
 * (not bound to loopback) gets a one-line warning first.
 */
export async function serveUntilCtrlC(
  server: Pick<RunningServer, "finished"> & {
    close(graceMs?: number): Promise<void>;
    readonly addr?: Deno.Addr;
  },
  log: Log,
  options: ServeUntilCtrlCOptions = {},
): Promise<void> {
  const graceMs = options.graceMs ?? 0;
  const addr = server.addr;
  if (addr && (addr.transport === "tcp" || addr.transport === "udp")) {
    const warning = exposureWarning(addr);
    if (warning) log(warning);
  }
  const stop = () => {
    log(
      graceMs > 0
        ? `Ctrl+C: no new connections; open ones have ${graceMs} ms to finish...`
        : "Ctrl+C: closing the server...",
    );
    server.close(graceMs);
  };
  Deno.addSignalListener("SIGINT", stop);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    await server.finished;
    log("Server closed.");
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    options.signal?.removeEventListener("abort", stop);
  }
}

/** True when the command line asks for help (`--help` or `-h`). */
export function helpRequested(args: string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}
