import assert from "node:assert/strict";
import fc from "fast-check";
import * as lesson from "../../lessons/06_factorial_udp.ts";
import { factorial } from "../../lessons/06_factorial_udp/factorial.ts";
import type { Log } from "../../lib/log.ts";
import { bindUdp, MAX_UDP_PAYLOAD } from "../../lib/udp.ts";
import { serveUdp, type UdpServer } from "../../lib/udp_server.ts";
import { underTest } from "../_exercise.ts";
import { within } from "../_util.ts";
import { askUdp, atOnce, hostileSuite, RUNS, SEED, text } from "./_harness.ts";

// The parser under test: the lesson's, or exercise 06a's (the cases tagged #06a).
const parseRequest = await underTest(lesson, "parseRequest");
const checkingExercise = parseRequest !== lesson.parseRequest;

/**
 * The lesson's server; when 06a is checked, the same loop around the
 * exercise's parseRequest: n! for a request it accepts, ERR and its reason
 * for one it refuses.
 */
function start(options: lesson.FactorialServerOptions, log: Log): UdpServer {
  if (!checkingExercise) return lesson.startFactorialServer({ port: 0, ...options, log });
  const socket = bindUdp({ port: 0 });
  return serveUdp(socket, async (data, sender) => {
    const request = parseRequest(data, options.maxN);
    const reply = request.ok ? factorial(request.n).toString() : `ERR ${request.reason}`;
    await socket.send(text.encode(reply), sender);
  }, { log });
}

const PARSE = "#06a";

const suite = hostileSuite({
  lesson: "06",
  start,
  checks: {
    randomBytes: PARSE,
    garbageNumbers: PARSE,
    invalidUtf8: PARSE,
    nul: PARSE,
    emptyDatagram: PARSE,
    maxDatagram: PARSE,
  },
  async wellBehaved(server) {
    const asking = lesson.runFactorialClient({ port: server.addr.port, n: 20 });
    const what = "a well-behaved client's 20! (is the server still answering?)";
    assert.equal(await within(5_000, what, asking), "2432902008176640000");
  },
});

/** The reply to one datagram, as text, or `(no reply)` after 2 s. */
async function reply(port: number, payload: Uint8Array | string): Promise<string> {
  const bytes = await askUdp(port, typeof payload === "string" ? text.encode(payload) : payload);
  return bytes ? text.decode(bytes) : "(no reply)";
}

/**
 * Asserts `answer` is a refusal: `ERR ` and a reason. The lesson's reason is
 * `lessonReply` word for word; an exercise may put its reasons its own way.
 */
function assertRefused(answer: string, lessonReply: string, request: string): void {
  assert.match(
    answer,
    /^ERR \S/,
    `${request} got ${JSON.stringify(answer.slice(0, 80))}, not ERR and a reason ` +
      "(no reply means the server threw: does parseRequest accept it?)",
  );
  if (!checkingExercise) assert.equal(answer, lessonReply);
}

/** Plain ASCII digits with whitespace around, within the limit: the requests a server answers. */
function acceptable(payload: Uint8Array): number | undefined {
  let request: string;
  try {
    request = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch {
    return undefined;
  }
  const digits = /^\s*([0-9]+)\s*$/.exec(request)?.[1];
  return digits !== undefined && Number(digits) <= lesson.LARGEST_N ? Number(digits) : undefined;
}

suite.test("randomBytes", async ({ port }) => {
  // Whatever arrives, the reply is the digits of n! for plain digits, ERR
  // and a reason for anything else.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (payload) => {
      const n = acceptable(payload);
      const answer = await reply(port, payload);
      const shown = `[${payload.join(", ")}]`;
      if (n !== undefined) assert.equal(answer, factorial(n).toString(), shown);
      else assertRefused(answer, lesson.replyTo(payload), shown);
    }),
    // A failure may cost a 2 s wait for a reply that never comes: report the
    // first one, without shrinking it at 2 s a try.
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
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
      assertRefused(answer, lesson.replyTo(text.encode(request)), JSON.stringify(request));
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
});

suite.test("invalidUtf8", async ({ port }) => {
  assertRefused(
    await reply(port, new Uint8Array([0x35, 0xff])),
    "ERR not UTF-8 text: n must be ASCII decimal digits",
    "the bytes 35 ff",
  );
});

suite.test("nul", async ({ port }) => {
  assertRefused(
    await reply(port, new Uint8Array([0x35, 0])),
    'ERR not an integer: "5\\u0000"',
    "5 and a NUL byte",
  );
});

suite.test("emptyDatagram", async ({ port }) => {
  assertRefused(
    await reply(port, ""),
    "ERR empty request: n must be decimal digits, e.g. 5",
    "an empty datagram",
  );
});

suite.test("maxDatagram", async ({ port }) => {
  // 65,507 digits: refused by their count, before any arithmetic.
  assertRefused(
    await reply(port, "9".repeat(MAX_UDP_PAYLOAD)),
    "ERR n too large: n! must fit one 65507-byte datagram (largest n is 17229)",
    "65,507 nines",
  );
});

suite.test("burst", async ({ port }) => {
  const socket = bindUdp({ port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const payloads = ["-1", "abc", "3.5", "99999999", ""].map(text.encode);
    for (let i = 0; i < 10_000; i++) await socket.send(payloads[i % payloads.length], to);
    const what = "a reply to the burst (is the server answering while datagrams pour in?)";
    const [data] = await within(2_000, what, socket.receive());
    assert.match(text.decode(data), /^ERR /);
  } finally {
    socket.close();
  }
});

suite.test("concurrent", async ({ port }) => {
  const results = await within(
    10_000,
    "1,000 clients' answers",
    atOnce(
      1_000,
      (i) => lesson.runFactorialClient({ port, n: i % 100, timeoutMs: 500, tries: 10 }),
    ),
  );
  results.forEach((digits, i) => assert.equal(digits, factorial(i % 100).toString()));
});

suite.coversItsColumn();
