import assert from "node:assert/strict";
import fc from "fast-check";
import * as lesson from "../../lessons/04_udp_hello.ts";
import { netAddr } from "../../lib/addr.ts";
import type { Log } from "../../lib/log.ts";
import { bindUdp, MAX_UDP_PAYLOAD } from "../../lib/udp.ts";
import * as udpServer from "../../lib/udp_server.ts";
import { underTest } from "../_exercise.ts";
import { within } from "../_util.ts";
import { askUdp, atOnce, hostileSuite, RUNS, SEED, text } from "./_harness.ts";

// The server loop under test: lib's, or exercise 04c's (the cases tagged #04c).
const serveUdp = await underTest(udpServer, "serveUdp");

/** The lesson's server; when 04c is checked, the same server around the exercise's loop. */
function start(options: lesson.UdpHelloServerOptions, log: Log): udpServer.UdpServer {
  if (serveUdp === udpServer.serveUdp) {
    return lesson.startUdpHelloServer({ port: 0, ...options, log });
  }
  const socket = lesson.bindLikeTheTutorial(0);
  return serveUdp(socket, lesson.answerHello(socket, { ...options, log }), { log });
}

const LOOP = "#04c";

const suite = hostileSuite({
  lesson: "04",
  start,
  checks: {
    randomBytes: LOOP,
    emptyDatagram: LOOP,
    maxDatagram: LOOP,
    burst: LOOP,
    concurrent: LOOP,
  },
  async wellBehaved(server) {
    const replies = await within(
      5_000,
      "a well-behaved client's three replies (is the server still answering?)",
      lesson.runUdpHelloClient({ port: server.addr.port }),
    );
    assert.deepEqual(replies, ["Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
  },
});

/** The reply to one datagram, as text. */
async function reply(port: number, payload: Uint8Array): Promise<string | undefined> {
  const bytes = await askUdp(port, payload);
  return bytes && text.decode(bytes);
}

suite.test("randomBytes", async ({ port }) => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 1500 }), async (payload) => {
      assert.equal(await reply(port, payload), `Hello, ${text.decode(payload)}!`);
    }),
    // A failure costs a 2 s wait for the reply that never came: report the
    // first one found, without shrinking it at 2 s a try.
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
});

suite.test("invalidUtf8", async ({ port }) => {
  assert.equal(await reply(port, new Uint8Array([0xff, 0xfe, 0xc3, 0x28])), "Hello, ���(!");
});

suite.test("nul", async ({ port }) => {
  assert.equal(await reply(port, new Uint8Array([0])), "Hello, \0!");
});

suite.test("emptyDatagram", async ({ port }) => {
  // UDP can carry zero bytes: the datagram still arrives, with its sender's address.
  assert.equal(await reply(port, new Uint8Array()), "Hello, !");
});

suite.test("maxDatagram", async ({ port, log }) => {
  // The largest datagram IPv4 carries arrives whole; its reply would be 8
  // bytes too big for one datagram, so the server sends none, and says so.
  const socket = bindUdp({ port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    await socket.send(new Uint8Array(MAX_UDP_PAYLOAD).fill(0x61), to);
    // From the same socket, a small one: the first reply we get is to it.
    await socket.send(text.encode("next"), to);
    const what = "the reply to next, after a 65,507-byte datagram (is the server still receiving?)";
    const [data] = await within(2_000, what, socket.receive());
    assert.equal(text.decode(data), "Hello, next!");
    // The big one was handled first: its line is there already.
    const said = log.lines.filter((line) => line.includes("65515"));
    assert.deepEqual(said, [
      `Reply to 127.0.0.1:${netAddr(socket.addr).port} would be 65515 bytes, ` +
      "more than one datagram holds (65507); not sent.",
    ]);
  } finally {
    socket.close();
  }
});

suite.test("burst", async ({ port }) => {
  // 10,000 datagrams as fast as we can send them. The kernel drops what does
  // not fit the server's receive buffer, even on loopback (UDP promises
  // nothing); the server answers what arrives, and then the next client.
  const socket = bindUdp({ port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const payload = text.encode("burst");
    for (let i = 0; i < 10_000; i++) await socket.send(payload, to);
    const what = "a reply to the burst (is the server answering while datagrams pour in?)";
    const [data] = await within(2_000, what, socket.receive());
    assert.equal(text.decode(data), "Hello, burst!");
  } finally {
    socket.close();
  }
});

suite.test("concurrent", async ({ port }) => {
  const results = await within(
    10_000,
    "1,000 clients' replies",
    atOnce(
      1_000,
      (i) => lesson.runUdpHelloClient({ port, names: [`c${i}`], timeoutMs: 500, tries: 10 }),
    ),
  );
  results.forEach((replies, i) => assert.deepEqual(replies, [`Hello, c${i}!`]));
});

suite.coversItsColumn();
