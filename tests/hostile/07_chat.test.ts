import assert from "node:assert/strict";
import fc from "fast-check";
import * as lesson from "../../lessons/07_chat.ts";
import * as relay from "../../lessons/07_chat/3_relay.ts";
import * as controls from "../../lessons/07_chat/5_control_characters.ts";
import { concatBytes, writeAll } from "../../lib/io.ts";
import { underTest } from "../_exercise.ts";
import { within } from "../_util.ts";
import {
  atOnce,
  connectAndReset,
  hostileSuite,
  readToEnd,
  type Received,
  RUNS,
  SEED,
  text,
} from "./_harness.ts";

// The relay passes each line through the lesson's withoutControls(), or
// exercise 07d's when `deno task verify 07d` checks it.
const withoutControls = await underTest(controls, "withoutControls");

/** How long one wait for the server may take before the case fails, naming it. */
const DEADLINE = 10_000;
const CONNECT_DEADLINE = 40_000;

/** One chat member on a raw connection: send lines, read lines. */
class Member implements AsyncDisposable {
  #conn: Deno.TcpConn;
  #lines: AsyncGenerator<string, void, undefined>;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#lines = lesson.linesFrom(conn, 1 << 20);
  }

  /** Connects and sends `name`; resolves once the welcome (or a refusal) arrived. */
  static async join(port: number, name: string): Promise<{ member: Member; first: string }> {
    // 1,000 connects at once can overflow the accept queue (Deno's backlog is
    // 511): Linux drops the SYN, and the client retries after 1, 3, 7, 15 s.
    const conn = await within(
      CONNECT_DEADLINE,
      `${name}'s connection`,
      Deno.connect({ hostname: "127.0.0.1", port }),
    );
    const member = new Member(conn);
    await member.say(name);
    return { member, first: await member.next(`${name}'s welcome`) };
  }

  say(line: string): Promise<void> {
    return within(
      DEADLINE,
      `the server to take "${line}"`,
      writeAll(this.#conn, text.encode(`${line}\n`)),
    );
  }

  async next(what = "a line from the server"): Promise<string> {
    const { value, done } = await within(DEADLINE, what, this.#lines.next());
    if (done) throw new Error("the server closed the connection");
    return value;
  }

  /** Ctrl+D: shuts down writing, returns every line until the server hangs up. */
  async leave(): Promise<string[]> {
    await within(DEADLINE, "our end of stream to be sent", this.#conn.closeWrite());
    const rest: string[] = [];
    const what = "the server to hang up after Ctrl+D";
    for (let r; !(r = await within(DEADLINE, what, this.#lines.next())).done;) rest.push(r.value);
    return rest;
  }

  [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    return Promise.resolve();
  }
}

const suite = hostileSuite({
  lesson: "07",
  start: (options: relay.ChatServerOptions, log) =>
    relay.startChatServer({
      port: 0,
      idleTimeoutMs: 10_000,
      clean: withoutControls,
      ...options,
      log,
    }),
  async wellBehaved(server) {
    const port = server.addr.port;
    const bob = await Member.join(port, "bob");
    await using _bob = bob.member;
    assert.match(bob.first, /^\* welcome, bob!/);
    const alice = await Member.join(port, "alice");
    await using _alice = alice.member;
    assert.match(alice.first, /^\* welcome, alice! here: .*\bbob\b/);
    assert.equal(await bob.member.next(), "* alice joined");
    await alice.member.say("hi bob");
    assert.equal(await bob.member.next(), "alice: hi bob");
    assert.deepEqual(await alice.member.leave(), ["* alice left"]);
    assert.deepEqual(await bob.member.leave(), ["* alice left", "* bob left"]);
  },
  checks: { nul: "#07d" },
});

/** Sends `bytes`, shuts down writing, reads until the server hangs up. */
async function exchange(port: number, bytes: Uint8Array | string): Promise<Received> {
  using conn = await within(
    DEADLINE,
    "the connection",
    Deno.connect({ hostname: "127.0.0.1", port }),
  );
  const data = typeof bytes === "string" ? text.encode(bytes) : bytes;
  const writing = writeAll(conn, data).then(() => conn.closeWrite()).catch(() => {});
  const received = await readToEnd(conn);
  await within(DEADLINE, "the server to take what we sent", writing);
  return received;
}

const linesOf = (received: Received) => text.decode(received.bytes).split("\n").slice(0, -1);

suite.test("randomBytes", async ({ port }) => {
  // Alone in the chat, whatever we send, we hear only the server's notices.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (input) => {
      for (const line of linesOf(await exchange(port, input))) assert.match(line, /^\* /);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

suite.test("invalidUtf8", async ({ port }) => {
  const received = await exchange(port, new Uint8Array([0x61, 0xff, 0x0a]));
  assert.deepEqual(linesOf(received), ["* a line is not valid UTF-8"]);
});

suite.test("nul", async ({ port, log }) => {
  const listener = await Member.join(port, "listener");
  await using _listener = listener.member;
  const rude = await Member.join(port, "rude");
  await using _rude = rude.member;
  assert.equal(await listener.member.next(), "* rude joined");
  // NUL, ESC, DEL, and CSI (U+009B, the one-character ESC [): none goes through.
  await rude.member.say("a\0b \x1b[2J c\x7fd\u009b2J");
  assert.equal(await listener.member.next(), "rude: a�b �[2J c�d�2J");
  await log.waitFor(/^rude: a�b �\[2J c�d�2J$/);
});

suite.test("noDelimiter", async ({ port }) => {
  const input = concatBytes([text.encode("flood\n"), new Uint8Array(1024 * 1024).fill(0x61)]);
  assert.deepEqual(linesOf(await exchange(port, input)), [
    "* welcome, flood! nobody else is here yet",
    '* flood left (a line longer than 65536 bytes arrived without "\\n")',
  ]);
});

suite.test("idle", async ({ port, log }) => {
  const quiet = await Member.join(port, "quiet");
  await using _quiet = quiet.member;
  await log.waitFor(/closed: idle for 100 ms/);
}, { idleTimeoutMs: 100 });

suite.test("reset", async ({ port, log }) => {
  const peer = `127.0.0.1:${await within(DEADLINE, "a connect and reset", connectAndReset(port))}`;
  // A reset before a name makes no member: at most one line, and no "left".
  const about = log.lines.filter((line) => line.includes(peer));
  assert.ok(about.length <= 1, about.join("\n"));
});

suite.test("halfClose", async ({ port }) => {
  const received = await exchange(port, "solo\nanyone?\n");
  assert.deepEqual(linesOf(received), [
    "* welcome, solo! nobody else is here yet",
    "* solo left",
  ]);
  assert.equal(received.end, "eof");
});

suite.test("overLimit", async ({ port, log }) => {
  const a = await Member.join(port, "a");
  await using _a = a.member;
  const b = await Member.join(port, "b");
  await using _b = b.member;
  const received = await exchange(port, "c\n");
  assert.deepEqual(linesOf(received), ["* the server is full: try again later"]);
  await log.waitFor(/^Refused .*: 2 connections are open/);
  await a.member.leave();
  await b.member.leave();
  await log.waitFor(/^b left\.$/);
}, { maxConnections: 2 });

suite.test("stop", async ({ server, port }) => {
  const stay = await Member.join(port, "stay");
  await using _stay = stay.member;
  const closing = server.close(60_000);
  assert.equal(await stay.member.next(), "* server left");
  assert.deepEqual(await stay.member.leave(), []);
  await within(DEADLINE, "the server to finish closing once its last member left", closing);
});

suite.test("concurrent", async ({ port }) => {
  // 1,000 people join at once (--max-members 1000), each hears its welcome, then leaves.
  const results = await atOnce(1_000, async (i) => {
    const { member, first } = await Member.join(port, `p${i}`);
    await using _member = member;
    await member.leave();
    return first;
  });
  results.forEach((first, i) => assert.match(first, new RegExp(`^\\* welcome, p${i}!`)));
}, { maxMembers: 1_000 });

suite.coversItsColumn();
