import assert from "node:assert/strict";
import fc from "fast-check";
import { factorial } from "../../lib/factorial.ts";
import { bindUdp, MAX_UDP_PAYLOAD } from "../../lib/udp.ts";
import type { FactorialServerOptions } from "../../lessons/06_factorial_udp.ts";
import { loadLesson } from "../_lesson.ts";
import { askUdp, atOnce, hostileSuite, RUNS, SEED, text } from "./_harness.ts";

const lesson = await loadLesson<typeof import("../../lessons/06_factorial_udp.ts")>(
  "06_factorial_udp.ts",
);

const suite = hostileSuite({
  lesson: "06",
  start: (options: FactorialServerOptions, log) =>
    lesson.startFactorialServer({ port: 0, ...options, log }),
  async wellBehaved(server) {
    assert.equal(
      await lesson.runFactorialClient({ port: server.addr.port, n: 20 }),
      "2432902008176640000",
    );
  },
});

/** The reply to one datagram, as text. */
async function reply(port: number, payload: Uint8Array | string): Promise<string | undefined> {
  const bytes = await askUdp(port, typeof payload === "string" ? text.encode(payload) : payload);
  return bytes && text.decode(bytes);
}

suite.test("randomBytes", async ({ port }) => {
  // Whatever arrives, the reply is what the lesson's own replyTo() says:
  // the digits of n! for plain digits, ERR and a reason for anything else.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (payload) => {
      assert.equal(await reply(port, payload), lesson.replyTo(payload));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

suite.test("garbageNumbers", async ({ port }) => {
  // Everything Python's int() or a careless parser might take for a number.
  // (Digits with whitespace around them are fine: any Unicode whitespace, as
  // String.prototype.trim() and Python's int() both strip it.)
  const garbage = fc.oneof(
    fc.integer({ min: -1e9, max: -1 }).map(String),
    fc.double().map(String),
    fc.bigInt({ min: 10n ** 5n, max: 10n ** 80n }).map(String),
    fc.constantFrom("0x1f", "0o17", "0b101", "1e3", "1_000", "+5", "5.", ".5", "١٢٣", "１２"),
    fc.constantFrom("Infinity", "-0", "5 5", "5\n6", "NaN", "--5", "5\u200b"),
    fc.string(),
  ).filter((s) => !/^\s*[0-9]+\s*$/.test(s));
  await fc.assert(
    fc.asyncProperty(garbage, async (request) => {
      const answer = await reply(port, request);
      assert.match(answer ?? "(no reply)", /^ERR \S/);
      assert.equal(answer, lesson.replyTo(text.encode(request)));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

suite.test("invalidUtf8", async ({ port }) => {
  assert.equal(
    await reply(port, new Uint8Array([0x35, 0xff])),
    "ERR not UTF-8 text: n must be ASCII decimal digits",
  );
});

suite.test("nul", async ({ port }) => {
  assert.equal(await reply(port, new Uint8Array([0x35, 0])), 'ERR not an integer: "5\\u0000"');
});

suite.test("emptyDatagram", async ({ port }) => {
  assert.equal(await reply(port, ""), "ERR empty request: n must be decimal digits, e.g. 5");
});

suite.test("maxDatagram", async ({ port }) => {
  // 65,507 digits: refused by their count, before any arithmetic.
  assert.equal(
    await reply(port, "9".repeat(MAX_UDP_PAYLOAD)),
    "ERR n too large: n! must fit one 65507-byte datagram (largest n is 17229)",
  );
});

suite.test("burst", async ({ port, log }) => {
  const socket = bindUdp({ port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const payloads = ["-1", "abc", "3.5", "99999999", ""].map(text.encode);
    for (let i = 0; i < 10_000; i++) await socket.send(payloads[i % payloads.length], to);
    await log.waitFor(/→ ERR /);
  } finally {
    socket.close();
  }
});

suite.test("concurrent", async ({ port }) => {
  const results = await atOnce(
    1_000,
    (i) => lesson.runFactorialClient({ port, n: i % 100, timeoutMs: 500, tries: 10 }),
  );
  results.forEach((digits, i) => assert.equal(digits, factorial(i % 100).toString()));
});

suite.coversItsColumn();
