import assert from "node:assert/strict";
import fc from "fast-check";
import { bindUdp, MAX_UDP_PAYLOAD } from "../../lib/udp.ts";
import type { UdpHelloServerOptions } from "../../lessons/04_udp_hello.ts";
import { loadLesson } from "../_lesson.ts";
import { askUdp, atOnce, hostileSuite, RUNS, SEED, text } from "./_harness.ts";

const lesson = await loadLesson<typeof import("../../lessons/04_udp_hello.ts")>("04_udp_hello.ts");

const suite = hostileSuite({
  lesson: "04",
  start: (options: UdpHelloServerOptions, log) =>
    lesson.startUdpHelloServer({ port: 0, ...options, log }),
  async wellBehaved(server) {
    const replies = await lesson.runUdpHelloClient({ port: server.addr.port });
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
    { seed: SEED, numRuns: RUNS },
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
    await log.waitFor(/would be 65515 bytes, more than one datagram holds \(65507\); not sent\.$/);
    // From the same socket, a small one: the first reply we get is to it.
    await socket.send(text.encode("next"), to);
    const [data] = await socket.receive();
    assert.equal(text.decode(data), "Hello, next!");
  } finally {
    socket.close();
  }
});

suite.test("burst", async ({ port, log }) => {
  // 10,000 datagrams as fast as we can send them. The kernel drops what does
  // not fit the server's receive buffer (UDP promises nothing); the server
  // answers what arrives, and then the next client.
  const socket = bindUdp({ port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const payload = text.encode("burst");
    for (let i = 0; i < 10_000; i++) await socket.send(payload, to);
    await log.waitFor(/^Received from/);
  } finally {
    socket.close();
  }
});

suite.test("concurrent", async ({ port }) => {
  const results = await atOnce(
    1_000,
    (i) => lesson.runUdpHelloClient({ port, names: [`c${i}`], timeoutMs: 500, tries: 10 }),
  );
  results.forEach((replies, i) => assert.deepEqual(replies, [`Hello, c${i}!`]));
});

suite.coversItsColumn();
