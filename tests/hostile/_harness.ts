/**
 * The hostile-peer suite's harness: one test per cell of
 * `tests/hostile/table.ts`, each followed by a well-behaved client that must
 * still be served correctly; and the rude peers the tests play.
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import { concatBytes } from "../../lib/io.ts";
import type { Log } from "../../lib/log.ts";
import { bindUdp, raceTimeout } from "../../lib/udp.ts";
import { within } from "../_util.ts";
import { type Input, INPUTS, OUTCOMES, type ServerLesson, SERVERS } from "./table.ts";

/**
 * fast-check's seed for every property in the suite: runs are the same each
 * time, and a failure prints this seed with the shrunk input that broke it.
 */
export const SEED = 9;

/** How many random cases each property tries: enough to matter, few enough to stay fast. */
export const RUNS = 100;

/** What every server lesson returns. */
export interface AnyServer {
  /** Where it listens (a Unix socket server has a path instead). */
  readonly addr?: Deno.NetAddr;
  /** Stops it; TCP servers take a grace period. */
  close(graceMs?: number): Promise<void>;
}

/** How a test file plugs its lesson into the suite. */
export interface Target<S extends AnyServer, O> {
  /** Which column of the table this is. */
  lesson: ServerLesson;
  /** Starts the server on port 0 with `options` (a case's, else `{}`). */
  start(options: O, log: Log): S | Promise<S>;
  /** A correct conversation: asserts every reply, throws if anything is off. */
  wellBehaved(server: S): Promise<void>;
  /**
   * The exercises a case checks, by input: `{ overLimit: "#03e" }` appends
   * `#03e` to that test's name, so `deno task verify 03e` runs it.
   */
  checks?: Partial<Record<Input, string>>;
}

/** What a case gets: the server, its port, and its log. */
export interface CaseContext<S> {
  /** The server under attack. */
  server: S;
  /** Its port on 127.0.0.1 (0 for a Unix socket server). */
  port: number;
  /** Everything the server logged, and a way to wait for a line. */
  log: ServerLog;
}

/** A lesson's part of the suite. */
export interface HostileSuite<S, O> {
  /** Registers the test for one cell: the attack, then a well-behaved client. */
  test(input: Input, attack: (ctx: CaseContext<S>) => Promise<void>, options?: O): void;
  /** Registers the test that every cell of the lesson's column was given a test. */
  coversItsColumn(): void;
}

/** C0 controls but tab, DEL, C1 controls: what a terminal may obey instead of showing. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/** Lines that only a bug makes a server log (a failure that is not a LessonError). */
const BUG = /\bfailed: |this is a bug/;

/** Starts a lesson's part of the suite. */
export function hostileSuite<S extends AnyServer, O>(target: Target<S, O>): HostileSuite<S, O> {
  const column = OUTCOMES[target.lesson];
  const tested = new Set<Input>();
  return {
    test(input, attack, options) {
      const outcome = column[input];
      if (outcome === undefined) {
        throw new Error(`add ${input} for lesson ${target.lesson} to tests/hostile/table.ts`);
      }
      tested.add(input);
      const tags = target.checks?.[input] ? ` ${target.checks[input]}` : "";
      Deno.test(`${SERVERS[target.lesson]} · ${INPUTS[input]} → ${outcome}${tags}`, async () => {
        const log = serverLog();
        const server = await target.start(options ?? ({} as O), log.log);
        try {
          await attack({ server, port: server.addr?.port ?? 0, log });
          // After a stop there is no server left to ask: that case checks the close itself.
          if (input !== "stop") await target.wellBehaved(server);
          const bugs = log.lines.filter((line) => BUG.test(line));
          assert.deepEqual(bugs, [], "the server logged a failure that only a bug explains");
          // A peer's bytes must not reach the log as terminal control codes.
          const raw = log.lines.filter((line) => CONTROL.test(line));
          assert.deepEqual(raw, [], "the server logged a peer's control characters raw");
        } finally {
          await within(10_000, "the server to close after the test", server.close());
        }
      });
    },
    coversItsColumn() {
      Deno.test(`${SERVERS[target.lesson]} · every outcome in tests/hostile/table.ts has its test`, () => {
        assert.deepEqual([...tested].sort(), Object.keys(column).sort());
      });
    },
  };
}

/** A server's log, recorded, with a way to wait for lines. */
export interface ServerLog {
  /** Pass this to the server. */
  log: Log;
  /** Every line so far. */
  lines: string[];
  /**
   * Resolves with the `count`-th line (default the first) matching
   * `pattern`, past or future; rejects after 10 s with what was logged.
   */
  waitFor(pattern: RegExp, count?: number): Promise<string>;
}

/** Records a server's log: tests wait for what it says instead of sleeping. */
export function serverLog(): ServerLog {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const log: Log = (line) => {
    lines.push(line);
    for (const check of [...waiters]) check();
  };
  function waitFor(pattern: RegExp, count = 1): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const matching = lines.filter((line) => pattern.test(line));
        if (matching.length < count) return false;
        done();
        resolve(matching[count - 1]);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`expected ${count} log line(s) matching ${pattern}; got:\n${lines.join("\n")}`),
        );
      }, 10_000);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      if (!check()) waiters.add(check);
    });
  }
  return { log, lines, waitFor };
}

// ─── Rude peers ─────────────────────────────────────────────────────────────

/** How a read loop ended: the peer closed (FIN), or reset (RST). */
export interface Received {
  /** Every byte read. */
  bytes: Uint8Array;
  /** `eof` for a FIN, `reset` for an RST. */
  end: "eof" | "reset";
}

/** Reads until the peer closes or resets, up to `max` bytes (then throws). */
export async function readToEnd(
  conn: Deno.Conn,
  max = 8 * 1024 * 1024,
  deadlineMs = 10_000,
): Promise<Received> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(64 * 1024);
  const until = performance.now() + deadlineMs;
  const next = () =>
    within(
      Math.max(0, until - performance.now()),
      `the server to close the connection (${total} bytes came)`,
      conn.read(buffer),
    );
  try {
    for (let n; (n = await next()) !== null;) {
      chunks.push(buffer.slice(0, n));
      total += n;
      if (total > max) throw new Error(`more than ${max} bytes: the server should have stopped`);
    }
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionReset) {
      return { bytes: concatBytes(chunks), end: "reset" };
    }
    throw err;
  }
  return { bytes: concatBytes(chunks), end: "eof" };
}

/** Reads exactly `n` bytes; fails if the stream ends first. */
export async function readBytes(
  conn: Deno.Conn,
  n: number,
  deadlineMs = 10_000,
): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  const until = performance.now() + deadlineMs;
  for (let got = 0; got < n;) {
    const left = Math.max(0, until - performance.now());
    const what = `${n} bytes from the server (${got} came)`;
    const read = await within(left, what, conn.read(out.subarray(got)));
    if (read === null) throw new Error(`end of stream after ${got} of ${n} bytes`);
    got += read;
  }
  return out;
}

/**
 * Connects, optionally writes `bytes`, then resets the connection (an RST,
 * not a FIN), as a crashed client or a scanner does. Deno has no way to ask
 * for a reset (Python: `SO_LINGER` with a zero timeout), Node's `net` has
 * `resetAndDestroy()`. Resolves to the local port it used, once closed.
 */
export async function connectAndReset(port: number, bytes?: Uint8Array): Promise<number> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const localPort = socket.localPort!;
  if (bytes) await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.resetAndDestroy();
  await closed;
  return localPort;
}

/**
 * Sends one datagram from a fresh socket and waits up to `timeoutMs` for one
 * back: the reply, or `undefined` if none came.
 */
export async function askUdp(
  port: number,
  payload: Uint8Array,
  timeoutMs = 2_000,
): Promise<Uint8Array | undefined> {
  const socket = bindUdp({ port: 0 });
  const receiving = socket.receive();
  receiving.catch(() => {}); // closing the socket cancels it
  try {
    await socket.send(payload, { transport: "udp", hostname: "127.0.0.1", port });
    const got = await raceTimeout(receiving, timeoutMs);
    return got?.[0];
  } finally {
    socket.close();
  }
}

/** Runs `count` copies of `client(i)` at once; resolves to their results, in order. */
export function atOnce<T>(count: number, client: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => client(i)));
}

/** Text to bytes, and bytes to text the way the lessons' servers decode it (lenient). */
export const text = {
  encode: (s: string): Uint8Array => new TextEncoder().encode(s),
  decode: (b: Uint8Array): string => new TextDecoder().decode(b),
};
