import assert from "node:assert/strict";
import {
  exchangesFor,
  firstDifference,
  runSession,
  type SessionRecorder,
} from "../bench/load/session.ts";
import { closeQuietly, writeAll } from "../bench/load/io.ts";
import { ProtocolError } from "../lib/errors.ts";
import { helloReply } from "../lib/hello.ts";
import { within } from "./_util.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A test server on a free port: `handler` per connection; disposing closes everything. */
function testServer(handler: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      handlers.push(handler(conn).catch(() => {}).finally(() => closeQuietly(conn)));
    }
  })();
  return {
    addr: listener.addr,
    async [Symbol.asyncDispose]() {
      closeQuietly(listener);
      await within(5_000, "the test server's handlers", Promise.all([accepting, ...handlers]));
    },
  };
}

/** A hello server whose reply to each message is `reply(text)`, sent in `pieces` writes. */
function helloServer(reply: (message: string) => string, pieces = 1) {
  return testServer(async (conn) => {
    await writeAll(conn, utf8.encode("Welcome!"));
    const buffer = new Uint8Array(1024);
    for (let n; (n = await conn.read(buffer)) !== null;) {
      const message = text.decode(buffer.subarray(0, n));
      if (message === "exit") return;
      const bytes = utf8.encode(reply(message));
      const step = Math.ceil(bytes.length / pieces);
      for (let at = 0; at < bytes.length; at += step) {
        await writeAll(conn, bytes.subarray(at, at + step));
      }
    }
  });
}

function recorder(): SessionRecorder & { welcomes: number[]; roundTrips: number[] } {
  const welcomes: number[] = [], roundTrips: number[] = [];
  return {
    welcomes,
    roundTrips,
    welcome: (ms) => void welcomes.push(ms),
    roundTrip: (ms) => void roundTrips.push(ms),
  };
}

Deno.test("the load client finishes a correct conversation and times the greeting and every round trip", async () => {
  await using server = helloServer(helloReply);
  const record = recorder();
  await within(
    5_000,
    "a 6-round session",
    runSession({ port: server.addr.port, id: 3, rounds: 6 }, record),
  );
  assert.equal(record.welcomes.length, 1);
  assert.equal(record.roundTrips.length, 6);
  assert.ok(record.roundTrips.every((ms) => ms >= 0));
});

Deno.test("a reply that arrives in three reads is reassembled and still checked byte for byte", async () => {
  await using server = helloServer(helloReply, 3);
  const record = recorder();
  await within(
    5_000,
    "a 4-round session",
    runSession({ port: server.addr.port, id: 42, rounds: 4 }, record),
  );
  assert.equal(record.roundTrips.length, 4);
});

Deno.test("a reply one byte off fails the client with the byte and both texts", async () => {
  await using server = helloServer((name) => `Hello, ${name}?`);
  await assert.rejects(
    within(
      5_000,
      "a failing session",
      runSession({ port: server.addr.port, id: 7, rounds: 1 }, recorder()),
    ),
    (err: unknown) => {
      assert.ok(err instanceof ProtocolError);
      assert.match(err.message, /byte 16 of reply 1 is wrong/);
      assert.match(err.message, /"Hello, Michael-7!"/);
      assert.match(err.message, /got "Hello, Michael-7\?"/);
      return true;
    },
  );
});

Deno.test("a reply meant for another client is caught: names carry the client's number", async () => {
  await using server = helloServer(() => "Hello, Michael-8!");
  await assert.rejects(
    within(
      5_000,
      "a failing session",
      runSession({ port: server.addr.port, id: 9, rounds: 1 }, recorder()),
    ),
    ProtocolError,
  );
});

Deno.test("a server that hangs up mid-reply is an error, not a short success", async () => {
  await using server = testServer(async (conn) => {
    await writeAll(conn, utf8.encode("Welcome!"));
    await conn.read(new Uint8Array(1024));
    await writeAll(conn, utf8.encode("Hello, Mi"));
  });
  await assert.rejects(
    within(
      5_000,
      "a failing session",
      runSession({ port: server.addr.port, id: 0, rounds: 1 }, recorder()),
    ),
    /closed the connection after 9 of 17 bytes of reply 1/,
  );
});

Deno.test("firstDifference finds the first wrong byte, and treats extra bytes as wrong", () => {
  const expected = utf8.encode("Hello!");
  const cases: { label: string; got: string; offset: number; want: number }[] = [
    { label: "all of it, right", got: "Hello!", offset: 0, want: -1 },
    { label: "the second half, right", got: "lo!", offset: 3, want: -1 },
    { label: "wrong third byte", got: "HeLlo!", offset: 0, want: 2 },
    { label: "one byte too many", got: "lo!x", offset: 3, want: 3 },
  ];
  for (const { label, got, offset, want } of cases) {
    assert.equal(firstDifference(utf8.encode(got), expected, offset), want, label);
  }
});

Deno.test("every client's names and replies are UTF-8, non-ASCII name included", () => {
  const names = exchangesFor(5).map((e) => text.decode(e.request));
  assert.deepEqual(names, ["Michael-5", "Tracy-5", "Sarah-5", "张三-5"]);
  assert.deepEqual(exchangesFor(5)[3].reply, utf8.encode("Hello, 张三-5!"));
});
