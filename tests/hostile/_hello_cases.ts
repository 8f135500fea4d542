/**
 * The hostile cases of lesson 03's hello protocol, shared by lesson 03 (over
 * TCP) and lesson 08 (the same handler over a Unix domain socket).
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { formatError, LessonError } from "../../lib/errors.ts";
import { readChunk, writeAll } from "../../lib/io.ts";
import type { Log } from "../../lib/log.ts";
import { BUSY, type HelloServerOptions } from "../../lessons/03_tcp_hello.ts";
import { within } from "../_util.ts";
import {
  type AnyServer,
  atOnce,
  type HostileSuite,
  readBytes,
  readToEnd,
  RUNS,
  SEED,
  text,
} from "./_harness.ts";

/** How a test file reaches its hello server. */
export interface HelloTransport<S> {
  /** Opens a raw connection to `server`. */
  connect(server: S): Promise<Deno.Conn>;
  /** The lesson's own client: the tutorial's conversation with `names`. */
  client(server: S, names?: readonly string[], log?: Log): Promise<string[]>;
}

/** The tutorial's conversation, checked: what every case is followed by. */
export async function helloWellBehaved<S>(transport: HelloTransport<S>, server: S): Promise<void> {
  const what = "the tutorial's conversation (is the server still serving after the attack?)";
  const replies = await within(5_000, what, transport.client(server));
  assert.deepEqual(replies, ["Welcome!", "Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
}

/**
 * The text the server answers for `bytes` sent in one write on a fresh
 * connection: decoded as a stream, so invalid bytes become U+FFFD but an
 * incomplete character at the end waits for more bytes (none come).
 */
function served(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes, { stream: true });
}

/** Registers the cases both transports share. */
export function helloCases<S extends AnyServer & { readonly connections: number }>(
  suite: HostileSuite<S, HelloServerOptions>,
  transport: HelloTransport<S>,
): void {
  /** Connects and reads the greeting. */
  async function greeted(server: S): Promise<Deno.Conn> {
    const conn = await within(2_000, "a connection to the server", transport.connect(server));
    assert.equal(text.decode(await readBytes(conn, 8, 2_000)), "Welcome!");
    return conn;
  }

  /** Sends `bytes` in one write and reads the one reply the server owes for them. */
  async function replyTo(server: S, bytes: Uint8Array): Promise<string> {
    using conn = await greeted(server);
    await writeAll(conn, bytes);
    const expected = text.encode(`Hello, ${served(bytes)}!`).length;
    return text.decode(await readBytes(conn, expected));
  }

  suite.test("randomBytes", async ({ server }) => {
    // Any bytes but "exit": the reply is Hello, <them decoded, � for what isn't UTF-8>!
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 1024 })
      .filter((b) => served(b) !== "exit");
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        assert.equal(await replyTo(server, b), `Hello, ${served(b)}!`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  suite.test("invalidUtf8", async ({ server }) => {
    // 0xff and 0xfe are never UTF-8; 0xc3 starts a 2-byte character that "(" does not finish.
    assert.equal(await replyTo(server, new Uint8Array([0xff, 0xfe, 0xc3, 0x28])), "Hello, ���(!");
  });

  suite.test("nul", async ({ server }) => {
    assert.equal(await replyTo(server, new Uint8Array([0])), "Hello, \0!");
  });

  suite.test("noDelimiter", async ({ server }) => {
    // 1 MiB in one go: the server answers every read of at most 1024 bytes, so
    // it never holds more than 1 KiB of ours. We read while we write, or both
    // sides would stop with full buffers.
    const size = 1024 * 1024;
    using conn = await greeted(server);
    const writing = writeAll(conn, new Uint8Array(size).fill(0x78)).then(() => conn.closeWrite());
    const { bytes, end } = await readToEnd(conn);
    await writing;
    assert.equal(end, "eof");
    const replies = text.decode(bytes).match(/Hello, x*!/g) ?? [];
    assert.equal(replies.join("").length, bytes.length, "nothing but Hello, x…! replies");
    const lengths = replies.map((r) => r.length - "Hello, !".length);
    assert.equal(lengths.reduce((a, b) => a + b, 0), size);
    assert.ok(Math.max(...lengths) <= 1024, "no reply covers more than one 1024-byte read");
  });

  suite.test("idle", async ({ server, log }) => {
    using conn = await greeted(server);
    const closed = readChunk(conn, 1024);
    const what = "the server to close a client that says nothing, after --idle-timeout-ms (100 ms)";
    assert.equal(await within(2_000, what, closed), null);
    await log.waitFor(/ closed: idle for 100 ms \(--idle-timeout-ms\)\.$/);
  }, { idleTimeoutMs: 100 });

  suite.test("halfClose", async ({ server }) => {
    using conn = await greeted(server);
    await writeAll(conn, text.encode("Michael"));
    await conn.closeWrite(); // Python: s.shutdown(SHUT_WR), then keep reading
    const { bytes, end } = await readToEnd(conn);
    assert.deepEqual([text.decode(bytes), end], ["Hello, Michael!", "eof"]);
  });

  suite.test("overLimit", async ({ server, log }) => {
    const held = [await greeted(server), await greeted(server)];
    try {
      using refused = await within(2_000, "a third connection", transport.connect(server));
      const { bytes, end } = await readToEnd(refused, 1024, 2_000);
      assert.deepEqual([text.decode(bytes), end], [BUSY, "eof"]);
      await log.waitFor(/^Refused .*: 2 connections are open/);
      const turnedAway = within(
        2_000,
        "the client over the limit to be turned away",
        transport.client(server),
      );
      await assert.rejects(turnedAway, /the server is full/);
    } finally {
      for (const conn of held) conn.close();
    }
    // The well-behaved client needs a free place: wait until both are gone.
    await log.waitFor(/^Connection from .* closed\.$/, 2);
  }, { maxConnections: 2 });

  {
    // The server holds its reply to A until the test says so: the reply is
    // "in flight" while the server is told to stop.
    const inFlight = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    let calls = 0;
    const sleep = async () => {
      if (calls++ > 0) return;
      inFlight.resolve();
      await release.promise;
    };
    suite.test("stop", async ({ server }) => {
      using idle = await greeted(server); // a second client, between two names
      const clientLog: string[] = [];
      const client = transport.client(server, ["A", "B"], (line) => clientLog.push(line));
      await within(2_000, "the reply to A to be held in flight", inFlight.promise);
      const closing = server.close(60_000);
      // Reads end at once: the idle client is let go first...
      const what = "the idle client to be let go as soon as the server is told to stop";
      assert.equal(await within(2_000, what, readChunk(idle, 1024)), null);
      // ...and the reply in flight still goes out, then the connection closes.
      release.resolve();
      const ended = client.then(() => undefined, (err) => err);
      const err = await within(2_000, "the client's conversation to end after the stop", ended);
      await within(2_000, "close() to finish once the reply in flight went out", closing);
      assert.ok(clientLog.includes("← Hello, A!"), clientLog.join("\n"));
      assert.ok(err instanceof LessonError, `one clear error, not ${err}`);
      assert.match(formatError(err), /^error: the server (closed|reset) the connection[^\n]*$/);
      assert.equal(server.connections, 0);
    }, { delayMs: 1, sleep });
  }

  suite.test("concurrent", async ({ server }) => {
    const all = atOnce(1_000, (i) => transport.client(server, [`c${i}`]));
    const results = await within(30_000, "1,000 conversations at once", all);
    results.forEach((replies, i) => assert.deepEqual(replies, ["Welcome!", `Hello, c${i}!`]));
  });
}
