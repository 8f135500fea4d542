/**
 * One load-test client: the lesson 03 conversation, timed and checked byte
 * for byte.
 *
 * It connects, reads `Welcome!`, then does `rounds` lock-step round trips
 * (send a name, read `Hello, <name>!`), sends `exit` and waits for the server
 * to close. Any byte that differs from what lesson 03 specifies, a reply that
 * is too long or too short, or an early close throws: the load generator
 * counts that client as an error.
 *
 * The names carry the client's number, so a reply that went to the wrong
 * connection (a server mixing up its clients under load) is caught too.
 *
 * @module
 */

import { ProtocolError } from "../../lib/errors.ts";
import { closeQuietly, writeAll } from "./io.ts";

const encoder = new TextEncoder();

/** The 8 bytes lesson 03's server sends first. */
export const WELCOME_BYTES: Uint8Array = encoder.encode("Welcome!");

/** The message that ends the conversation. */
export const EXIT_BYTES: Uint8Array = encoder.encode("exit");

/** One request and the exact reply it must get. */
export interface Exchange {
  /** The name, as UTF-8. */
  request: Uint8Array;
  /** `Hello, <name>!`, as UTF-8. */
  reply: Uint8Array;
}

/**
 * The names client number `id` sends in turn, each with its expected reply:
 * the tutorial's three names and one that is not ASCII, tagged with `id`.
 *
 * @example
 * ```ts
 * import { exchangesFor } from "./session.ts";
 * import assert from "node:assert/strict";
 *
 * const [first] = exchangesFor(7);
 * assert.equal(new TextDecoder().decode(first.request), "Michael-7");
 * assert.equal(new TextDecoder().decode(first.reply), "Hello, Michael-7!");
 * ```
 */
export function exchangesFor(id: number): Exchange[] {
  return ["Michael", "Tracy", "Sarah", "张三"].map((name) => ({
    request: encoder.encode(`${name}-${id}`),
    reply: encoder.encode(`Hello, ${name}-${id}!`),
  }));
}

/** What one session needs to know. */
export interface SessionPlan {
  /** Server host. Default 127.0.0.1. */
  host?: string;
  /** Server port. */
  port: number;
  /** This client's number; it goes into the names. */
  id: number;
  /** How many round trips after the greeting. */
  rounds: number;
}

/** Where a session reports its timings, in milliseconds. */
export interface SessionRecorder {
  /** From just before `connect()` until `Welcome!` has been read and checked. */
  welcome(ms: number): void;
  /** From just before a name is written until its reply has been read and checked. */
  roundTrip(ms: number): void;
  /** Called with the open connection, so the caller can close it to abort. */
  opened?(conn: Deno.Conn): void;
}

/**
 * Runs one client's whole conversation. Resolves when the server has closed
 * the connection after `exit`; throws on any deviation from the protocol.
 */
export async function runSession(plan: SessionPlan, record: SessionRecorder): Promise<void> {
  const exchanges = exchangesFor(plan.id);
  const buffer = new Uint8Array(1024); // one read buffer for the whole session
  const started = performance.now();
  const conn = await Deno.connect({ hostname: plan.host ?? "127.0.0.1", port: plan.port });
  try {
    record.opened?.(conn);
    await expectBytes(conn, WELCOME_BYTES, buffer, "the greeting");
    record.welcome(performance.now() - started);

    for (let round = 0; round < plan.rounds; round++) {
      const { request, reply } = exchanges[round % exchanges.length];
      const sent = performance.now();
      await writeAll(conn, request);
      await expectBytes(conn, reply, buffer, `reply ${round + 1}`);
      record.roundTrip(performance.now() - sent);
    }

    await writeAll(conn, EXIT_BYTES);
    const extra = await conn.read(buffer);
    if (extra !== null) {
      throw new ProtocolError(
        `the server sent ${extra} bytes after exit instead of closing`,
        "lesson 03's server closes the connection on exit",
      );
    }
  } finally {
    closeQuietly(conn); // quietly: the load generator may have closed it to abort
  }
}

/**
 * Reads until `expected.length` bytes have arrived (a reply may come in more
 * than one read) and checks every one; more bytes than expected is an error
 * too, since a lock-step client has only one request outstanding.
 */
export async function expectBytes(
  conn: Deno.Conn,
  expected: Uint8Array,
  buffer: Uint8Array,
  what: string,
): Promise<void> {
  let matched = 0;
  while (matched < expected.length) {
    const n = await conn.read(buffer);
    if (n === null) {
      throw new ProtocolError(
        `the server closed the connection after ${matched} of ${expected.length} bytes of ${what}`,
        "is a lesson 03 server on that port?",
      );
    }
    const at = firstDifference(buffer.subarray(0, n), expected, matched);
    if (at !== -1) {
      throw new ProtocolError(
        `byte ${matched + at} of ${what} is wrong: expected ${
          JSON.stringify(new TextDecoder().decode(expected))
        }, got ${
          JSON.stringify(new TextDecoder().decode(buffer.subarray(0, n)))
        } from byte ${matched}`,
        "the server does not speak lesson 03's protocol exactly",
      );
    }
    matched += n;
  }
}

/**
 * The index in `got` of the first byte that differs from `expected` read from
 * `offset`, or -1 when all match. A byte beyond the end of `expected` differs.
 */
export function firstDifference(got: Uint8Array, expected: Uint8Array, offset: number): number {
  for (let i = 0; i < got.length; i++) {
    if (offset + i >= expected.length || got[i] !== expected[offset + i]) return i;
  }
  return -1;
}
