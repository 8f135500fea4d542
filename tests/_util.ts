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
  /** Resolves with the first line (past or future) that matches. */
  waitFor(pattern: RegExp): Promise<string>;
}

/**
 * Records log lines; `waitFor` replaces sleeps: a test waits for the server to
 * say it did something, instead of guessing how long that takes.
 */
export function recordLog(): LogRecorder {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const log: Log = (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  function waitFor(pattern: RegExp): Promise<string> {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ pattern, resolve }));
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
