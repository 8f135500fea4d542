import assert from "node:assert/strict";
import { utf8, within } from "./_util.ts";
import { TimeoutError } from "../lib/errors.ts";
import { seededRandom } from "../lib/random.ts";
import { bindUdp, udpRequest } from "../lib/udp.ts";
import { burstIntoIdleSocket } from "../lessons/04_udp_hello/loopback_loss.ts";
import {
  decideFate,
  type Fate,
  type LossyUdpRelayOptions,
  type RelayEvent,
} from "../lessons/06_factorial_udp/link_faults.ts";
import { startLossyUdpRelay } from "../lessons/06_factorial_udp/lossy_relay.ts";

/** A UDP echo server that remembers what it received, in order. */
function startEcho(options: { answer?: boolean } = {}) {
  const socket = bindUdp({ port: 0 });
  const received: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const serving = (async () => {
    try {
      while (true) {
        const [data, from] = await socket.receive();
        received.push(utf8.decode(data));
        for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
        if (options.answer !== false) await socket.send(data, from);
      }
    } catch {
      // closed: the loop ends
    }
  })();
  return {
    addr: socket.addr as Deno.NetAddr,
    received,
    /** Resolves once `count` datagrams have arrived. */
    waitForCount(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      socket.close();
      await serving;
    },
  };
}

/** A client socket that reads `count` datagrams. */
async function receiveMany(socket: Deno.DatagramConn, count: number): Promise<string[]> {
  const got: string[] = [];
  while (got.length < count) {
    got.push(
      utf8.decode(
        (await within(5_000, `datagram ${got.length + 1} of ${count}`, socket.receive()))[0],
      ),
    );
  }
  return got;
}

/** A relay in front of `echo`, closed with it. */
function relayTo(echo: { addr: Deno.NetAddr }, options: Omit<LossyUdpRelayOptions, "target">) {
  return startLossyUdpRelay({ target: echo.addr, ...options });
}

Deno.test("loopback itself drops datagrams a full receive buffer cannot hold; the relay adds the rest", async () => {
  // The relay exists because loopback never duplicates, delays or reorders a
  // datagram. It does lose them: 10,000 of 100 bytes to a socket that is not
  // reading yet, and the kernel keeps what SO_RCVBUF (212,992 bytes by
  // default) holds, 256 here, and drops the rest without telling anyone.
  const { sent, kept } = await within(
    30_000,
    "the burst and the drain",
    burstIntoIdleSocket(10_000, 100),
  );
  assert.equal(sent, 10_000);
  assert.ok(kept > 0, "the first datagrams are kept");
  assert.ok(kept < sent / 2, `loopback kept ${kept} of ${sent}: it dropped the rest`);
});

Deno.test("with no faults, a datagram and its reply pass through unchanged", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, {});
  try {
    const reply = await within(
      5_000,
      "the echo",
      udpRequest(utf8.encode("ping"), { port: relay.addr.port }),
    );
    assert.equal(utf8.decode(reply), "ping");
    assert.deepEqual(echo.received, ["ping"]);
    assert.deepEqual(relay.stats, {
      requests: 1,
      replies: 1,
      dropped: 0,
      duplicated: 0,
      delayed: 0,
      reordered: 0,
    });
  } finally {
    await relay.close();
    await echo.close();
  }
});

Deno.test("the relay binds 127.0.0.1 and the server sees its own port, not the client's", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, {});
  const client = bindUdp({ port: 0 });
  try {
    assert.equal(relay.addr.hostname, "127.0.0.1");
    await client.send(utf8.encode("hi"), relay.addr);
    assert.deepEqual(await receiveMany(client, 1), ["hi"]);
  } finally {
    client.close();
    await relay.close();
    await echo.close();
  }
});

Deno.test("each reply goes back to the client whose request it answers", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, {});
  const alice = bindUdp({ port: 0 });
  const bob = bindUdp({ port: 0 });
  try {
    await alice.send(utf8.encode("from alice"), relay.addr);
    await bob.send(utf8.encode("from bob"), relay.addr);
    assert.deepEqual(await receiveMany(alice, 1), ["from alice"]);
    assert.deepEqual(await receiveMany(bob, 1), ["from bob"]);
  } finally {
    alice.close();
    bob.close();
    await relay.close();
    await echo.close();
  }
});

Deno.test("at 100% loss nothing gets through and the client times out", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, { loss: 1 });
  try {
    await assert.rejects(
      () =>
        within(
          5_000,
          "the client to give up",
          udpRequest(utf8.encode("lost"), { port: relay.addr.port, timeoutMs: 20, tries: 2 }),
        ),
      TimeoutError,
    );
    assert.equal(relay.stats.requests, 2);
    assert.equal(relay.stats.dropped, 2);
    assert.deepEqual(echo.received, []);
  } finally {
    await relay.close();
    await echo.close();
  }
});

Deno.test("at 100% duplication the server gets each request twice and the client four replies", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, { duplicate: 1 });
  const client = bindUdp({ port: 0 });
  try {
    await client.send(utf8.encode("twice"), relay.addr);
    // Two requests reach the server, each reply is doubled again on the way back.
    assert.deepEqual(await receiveMany(client, 4), ["twice", "twice", "twice", "twice"]);
    assert.deepEqual(echo.received, ["twice", "twice"]);
    assert.equal(relay.stats.duplicated, 3);
  } finally {
    client.close();
    await relay.close();
    await echo.close();
  }
});

Deno.test("a held-back datagram is overtaken by the next one going the same way", async () => {
  const echo = startEcho();
  // holdMs is far beyond the test: only an overtaking datagram releases a held one.
  const relay = relayTo(echo, { reorder: 1, holdMs: 60_000 });
  const client = bindUdp({ port: 0 });
  try {
    await client.send(utf8.encode("first"), relay.addr);
    await client.send(utf8.encode("second"), relay.addr);
    await within(5_000, "both datagrams at the echo", echo.waitForCount(2));
    assert.deepEqual(echo.received, ["second", "first"]);
    // The server's replies ("second", then "first") are swapped back on the way home.
    assert.deepEqual(await receiveMany(client, 2), ["first", "second"]);
    assert.equal(relay.stats.reordered, 2);
  } finally {
    client.close();
    await relay.close();
    await echo.close();
  }
});

Deno.test("a held-back datagram with nothing behind it still goes out after holdMs", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, { reorder: 1, holdMs: 1 });
  try {
    const reply = await within(
      5_000,
      "the echo",
      udpRequest(utf8.encode("alone"), { port: relay.addr.port }),
    );
    assert.equal(utf8.decode(reply), "alone");
    assert.equal(relay.stats.reordered, 0);
  } finally {
    await relay.close();
    await echo.close();
  }
});

Deno.test("delayed datagrams arrive all the same", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, { delay: 1, delayMs: 5 });
  try {
    const reply = await within(
      5_000,
      "the echo",
      udpRequest(utf8.encode("late"), { port: relay.addr.port }),
    );
    assert.equal(utf8.decode(reply), "late");
    assert.equal(relay.stats.delayed, 2);
  } finally {
    await relay.close();
    await echo.close();
  }
});

Deno.test("close() cancels pending delays and holds: no timer or socket outlives the relay", async () => {
  const faults = [{ delay: 1, delayMs: 60_000 }, { reorder: 1, holdMs: 60_000 }];
  for (const fault of faults) {
    const echo = startEcho();
    let decided!: () => void;
    const wasDecided = new Promise<void>((resolve) => decided = resolve);
    const relay = relayTo(echo, { ...fault, onEvent: () => decided() });
    const client = bindUdp({ port: 0 });
    try {
      await client.send(utf8.encode("never"), relay.addr);
      await within(5_000, "the relay to decide", wasDecided); // now a 60 s timer holds the datagram
    } finally {
      client.close();
      await relay.close(); // Deno's sanitizers fail this test if that timer survives
      await echo.close();
    }
    assert.deepEqual(echo.received, [], JSON.stringify(fault));
  }
});

/** The fates of `count` requests from one client, through a relay with `seed`. */
async function fatesOf(seed: number, count: number): Promise<Fate[]> {
  const sink = startEcho({ answer: false });
  const fates: Fate[] = [];
  let done!: () => void;
  const allDecided = new Promise<void>((resolve) => done = resolve);
  const relay = relayTo(sink, {
    loss: 0.3,
    duplicate: 0.3,
    delay: 0.3,
    delayMs: 1,
    reorder: 0.3,
    holdMs: 1,
    seed,
    onEvent: (event: RelayEvent) => {
      fates.push(event.fate);
      if (fates.length === count) done();
    },
  });
  const client = bindUdp({ port: 0 });
  try {
    for (let i = 0; i < count; i++) await client.send(utf8.encode(`#${i}`), relay.addr);
    await within(5_000, "every fate decided", allDecided);
    return fates;
  } finally {
    client.close();
    await relay.close();
    await sink.close();
  }
}

Deno.test("the same seed gives every datagram the same fate; another seed, other fates", async () => {
  const first = await fatesOf(42, 40);
  assert.deepEqual(await fatesOf(42, 40), first);
  assert.notDeepEqual(await fatesOf(43, 40), first);
  assert.ok(first.some((fate) => fate.drop), "some are dropped");
  assert.ok(first.some((fate) => !fate.drop && fate.copies === 2), "some are duplicated");
});

Deno.test("decideFate draws the same five numbers whatever it decides", () => {
  const a = seededRandom(9);
  const b = seededRandom(9);
  decideFate(a, { loss: 1 }); // dropped
  decideFate(b, { duplicate: 1, delay: 1, reorder: 1 }); // everything at once
  assert.equal(a(), b());
});

Deno.test("rates outside 0..1 are refused before anything is bound", () => {
  for (const faults of [{ loss: 1.5 }, { duplicate: -0.1 }, { delay: NaN }, { reorder: 2 }]) {
    assert.throws(
      () => startLossyUdpRelay({ target: { hostname: "127.0.0.1", port: 9 }, ...faults }),
      RangeError,
    );
  }
});

Deno.test("beyond maxClients the oldest client is forgotten, and served afresh if it returns", async () => {
  const echo = startEcho();
  const relay = relayTo(echo, { maxClients: 1 });
  const alice = bindUdp({ port: 0 });
  const bob = bindUdp({ port: 0 });
  try {
    await alice.send(utf8.encode("a1"), relay.addr);
    assert.deepEqual(await receiveMany(alice, 1), ["a1"]);
    await bob.send(utf8.encode("b1"), relay.addr);
    assert.deepEqual(await receiveMany(bob, 1), ["b1"]);
    await alice.send(utf8.encode("a2"), relay.addr);
    assert.deepEqual(await receiveMany(alice, 1), ["a2"]);
  } finally {
    alice.close();
    bob.close();
    await relay.close();
    await echo.close();
  }
});
