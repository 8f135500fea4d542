/**
 * Small helpers the tests share.
 *
 * @module
 */

import type { Log } from "../lib/log.ts";

/** A `Log` that records lines and lets a test wait for one to appear. */
export interface LogRecorder {
  /** Pass this to the code under test. */
  log: Log;
  /** Every line so far. */
  lines: string[];
  /**
   * Resolves with the first line (past or future) that matches; rejects if
   * none comes within `giveUpMs` (default 10 s), so a broken server fails the
   * test with a message instead of hanging it.
   */
  waitFor(pattern: RegExp, giveUpMs?: number): Promise<string>;
}

/**
 * Records log lines; `waitFor` replaces sleeps: a test waits for the server to
 * say it did something, instead of guessing how long that takes.
 */
export function recordLog(): LogRecorder {
  const lines: string[] = [];
  const waiters: {
    pattern: RegExp;
    resolve: (line: string) => void;
    reject: (err: Error) => void;
  }[] = [];
  const log: Log = (line) => {
    lines.push(line);
    // An exercise's unfinished step shows up in the server's log: fail the
    // wait at once with it, rather than waiting for a line that cannot come.
    if (line.includes("TODO(")) {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(line));
      return;
    }
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  function waitFor(pattern: RegExp, giveUpMs = 10_000): Promise<string> {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    const todo = lines.find((line) => line.includes("TODO("));
    if (todo !== undefined) return Promise.reject(new Error(todo));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `expected a log line matching ${pattern}; got instead:\n${lines.join("\n")}`,
          ),
        );
      }, giveUpMs);
      const waiter = {
        pattern,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      waiters.push(waiter);
    });
  }
  return { log, lines, waitFor };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Text to bytes and back, for short assertions. */
export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new TextDecoder().decode(bytes),
};

/**
 * Cuts `data` into reads of `size` bytes (the last may be shorter): how a
 * stream arrives when the network delivers `size` bytes at a time.
 */
export function splitEvery(data: Uint8Array, size: number): Uint8Array[] {
  const reads: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) reads.push(data.subarray(at, at + size));
  return reads;
}

/** Cuts `data` at the given offsets (in any order; repeats ignored). */
export function splitAt(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [0, ...[...new Set(offsets)].sort((a, b) => a - b), data.length];
  return cuts.slice(1).map((end, i) => data.subarray(cuts[i], end));
}

/**
 * Waits for `promise`, but never longer than `ms`: past that the test fails
 * with a sentence naming what it waited for — `waited 2 s for Welcome!` —
 * instead of hanging. Every wait on the network in a test goes through this.
 *
 * @example
 * ```ts ignore
 * const greeting = await within(2_000, "Welcome! from the server", conn.read(buffer));
 * ```
 */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(ms, what)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What {@linkcode within} fails with: `waited 2 s for Welcome! from the server`. */
export class DeadlineError extends Error {
  /** `ms` and `what` as given to {@linkcode within}. */
  constructor(ms: number, what: string) {
    const time = ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms)} ms`;
    super(`waited ${time} for ${what}`);
    this.name = "DeadlineError";
  }
}

/**
 * Runs a lesson's command line in this process, as a learner would type it,
 * and returns the exit code and what it printed on stdout and stderr.
 */
export async function runCli(
  cli: import("../lib/cli.ts").LessonCli,
  args: string[],
  signal?: AbortSignal,
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const { runLesson } = await import("../lib/cli.ts");
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runLesson(cli, args, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    signal,
  });
  return { code, stdout, stderr };
}

/** True when `program --version` runs and succeeds: the interop tests are ignored without it. */
export async function canRun(program: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(program, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
