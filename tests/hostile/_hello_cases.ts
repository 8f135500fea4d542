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
import type { HelloServerOptions } from "../../lessons/03_tcp_hello.ts";
import { loadLesson } from "../_lesson.ts";
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

const lesson = await loadLesson<typeof import("../../lessons/03_tcp_hello.ts")>("03_tcp_hello.ts");

/** How a test file reaches its hello server. */
export interface HelloTransport<S> {
  /** Opens a raw connection to `server`. */
  connect(server: S): Promise<Deno.Conn>;
  /** The lesson's own client: the tutorial's conversation with `names`. */
  client(server: S, names?: readonly string[], log?: Log): Promise<string[]>;
}

/** The tutorial's conversation, checked: what every case is followed by. */
export async function helloWellBehaved<S>(transport: HelloTransport<S>, server: S): Promise<void> {
  const replies = await transport.client(server);
  assert.deepEqual(replies, ["Welcome!", "Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
}

/** Registers the cases both transports share. */
export function helloCases<S extends AnyServer & { readonly connections: number }>(
  suite: HostileSuite<S, HelloServerOptions>,
  transport: HelloTransport<S>,
): void {
  /** Connects and reads the greeting. */
  async function greeted(server: S): Promise<Deno.Conn> {
    const conn = await transport.connect(server);
    assert.equal(text.decode(await readBytes(conn, 8)), "Welcome!");
    return conn;
  }

  /** Sends `bytes` in one write and reads the one reply the server owes for them. */
  async function replyTo(server: S, bytes: Uint8Array): Promise<string> {
    using conn = await greeted(server);
    await writeAll(conn, bytes);
    const expected = text.encode(`Hello, ${text.decode(bytes)}!`).length;
    return text.decode(await readBytes(conn, expected));
  }

  suite.test("randomBytes", async ({ server }) => {
    // Any bytes but "exit": the reply is Hello, <them decoded, � for what isn't UTF-8>!
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 1024 })
      .filter((b) => text.decode(b) !== "exit");
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        assert.equal(await replyTo(server, b), `Hello, ${text.decode(b)}!`);
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
    assert.equal(await readChunk(conn, 1024), null); // closed on us
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
      using refused = await transport.connect(server);
      const { bytes, end } = await readToEnd(refused);
      assert.deepEqual([text.decode(bytes), end], [lesson.BUSY, "eof"]);
      await log.waitFor(/^Refused .*: 2 connections are open/);
      await assert.rejects(() => transport.client(server), /the server is full/);
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
      await inFlight.promise;
      const closing = server.close(60_000);
      // Reads end at once: the idle client is let go first...
      assert.equal(await readChunk(idle, 1024), null);
      // ...and the reply in flight still goes out, then the connection closes.
      release.resolve();
      const err = await client.then(() => undefined, (err) => err);
      await closing;
      assert.ok(clientLog.includes("← Hello, A!"), clientLog.join("\n"));
      assert.ok(err instanceof LessonError, `one clear error, not ${err}`);
      assert.match(formatError(err), /^error: the server (closed|reset) the connection[^\n]*$/);
      assert.equal(server.connections, 0);
    }, { delayMs: 1, sleep });
  }

  suite.test("concurrent", async ({ server }) => {
    const results = await atOnce(1_000, (i) => transport.client(server, [`c${i}`]));
    results.forEach((replies, i) => assert.deepEqual(replies, ["Welcome!", `Hello, c${i}!`]));
  });
}
