import assert from "node:assert/strict";
import {
  bindUdp,
  isReplyFrom,
  MAX_UDP_PAYLOAD,
  MAX_UDP_PAYLOAD_IPV6,
  raceTimeout,
  udpRequest,
} from "../lib/udp.ts";
import { LessonError, TimeoutError } from "../lib/errors.ts";
import { utf8, within } from "./_util.ts";

Deno.test("the largest UDP payload is 65,507 bytes over IPv4 and 65,527 over IPv6", () => {
  assert.equal(MAX_UDP_PAYLOAD, 65_507);
  assert.equal(MAX_UDP_PAYLOAD_IPV6, 65_527);
});

Deno.test("a 65,507-byte datagram arrives whole; the kernel refuses one byte more (EMSGSIZE)", async () => {
  const a = bindUdp({ port: 0 });
  const b = bindUdp({ port: 0 });
  try {
    const payload = new Uint8Array(MAX_UDP_PAYLOAD).map((_, i) => i % 256);
    await a.send(payload, b.addr);
    const [data] = await within(2_000, "the 65,507-byte datagram", b.receive());
    assert.deepEqual(data, payload);
    await assert.rejects(
      () => a.send(new Uint8Array(MAX_UDP_PAYLOAD + 1), b.addr),
      /Message too long \(os error 90\)/,
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("receive() into a smaller buffer cuts a datagram without a word, as Python's recvfrom(1024)", async () => {
  const a = bindUdp({ port: 0 });
  const b = bindUdp({ port: 0 });
  try {
    await a.send(new Uint8Array(2_000).fill(1), b.addr);
    await a.send(utf8.encode("next"), b.addr);
    const [cut] = await within(2_000, "the first datagram", b.receive(new Uint8Array(1024)));
    assert.equal(cut.length, 1024); // no error, no flag: the other 976 bytes are gone
    const [next] = await within(2_000, "the second datagram", b.receive());
    assert.equal(utf8.decode(next), "next");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("over IPv6 a 65,527-byte datagram is legal, and receive() with no buffer cuts it to 65,507", async () => {
  const a = bindUdp({ host: "::1", port: 0 });
  const b = bindUdp({ host: "::1", port: 0 });
  try {
    const payload = new Uint8Array(MAX_UDP_PAYLOAD_IPV6).fill(7);
    await a.send(payload, b.addr);
    const [cut] = await within(2_000, "the datagram, default buffer", b.receive());
    assert.equal(cut.length, MAX_UDP_PAYLOAD);
    await a.send(payload, b.addr);
    const [whole] = await within(
      2_000,
      "the datagram, own buffer",
      b.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6)),
    );
    assert.equal(whole.length, MAX_UDP_PAYLOAD_IPV6);
    await assert.rejects(
      () => a.send(new Uint8Array(MAX_UDP_PAYLOAD_IPV6 + 1), b.addr),
      /Message too long \(os error 90\)/,
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("udpRequest() over IPv6 sends and takes a 65,527-byte datagram whole", async () => {
  const server = bindUdp({ host: "::1", port: 0 });
  const serving = (async () => {
    const [data, from] = await server.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));
    await server.send(data, from);
  })();
  try {
    const payload = new Uint8Array(MAX_UDP_PAYLOAD_IPV6).map((_, i) => i % 251);
    const port = (server.addr as Deno.NetAddr).port;
    const reply = await within(2_000, "the echo", udpRequest(payload, { host: "::1", port }));
    assert.deepEqual(reply, payload);
  } finally {
    server.close();
    await serving.catch(() => {});
  }
});

Deno.test("udpRequest() refuses a payload too big for one datagram before sending it", async () => {
  await assert.rejects(
    () => udpRequest(new Uint8Array(MAX_UDP_PAYLOAD + 1), { port: 9 }),
    (err) =>
      err instanceof LessonError && /65508 bytes do not fit one UDP datagram/.test(err.message),
  );
});

Deno.test("udpRequest() ignores a datagram from another port than the server's", async () => {
  const server = bindUdp({ port: 0 });
  const stranger = bindUdp({ port: 0 });
  const serving = (async () => {
    const [data, from] = await server.receive();
    // Someone else answers first; then the server does.
    await stranger.send(utf8.encode("not the server"), from);
    await server.send(utf8.encode(`echo ${utf8.decode(data)}`), from);
  })();
  try {
    const reply = await within(
      2_000,
      "the server's echo",
      udpRequest(utf8.encode("hi"), { port: (server.addr as Deno.NetAddr).port, timeoutMs: 2_000 }),
    );
    assert.equal(utf8.decode(reply), "echo hi");
  } finally {
    server.close();
    stranger.close();
    await serving.catch(() => {});
  }
});

Deno.test("udpRequest() ignores a datagram from another host that sends from the server's port", async () => {
  // 127.0.0.2 is loopback too, another address of this machine: a stranger
  // binds it with the server's port number and answers first. Same port,
  // other host: not the server.
  const server = bindUdp({ port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  const stranger = bindUdp({ host: "127.0.0.2", port });
  const serving = (async () => {
    const [data, from] = await server.receive();
    await stranger.send(utf8.encode("not the server"), from);
    await server.send(utf8.encode(`echo ${utf8.decode(data)}`), from);
  })();
  try {
    const reply = await within(
      2_000,
      "the server's echo",
      udpRequest(utf8.encode("hi"), { port, timeoutMs: 1_000, tries: 1 }),
    );
    assert.equal(utf8.decode(reply), "echo hi");
  } finally {
    server.close();
    stranger.close();
    await serving.catch(() => {});
  }
});

Deno.test("isReplyFrom(): another host sending from the server's port is not the server", () => {
  // What udpRequest() checks every datagram with.
  const server = { hostname: "127.0.0.1", port: 9999 };
  const from = (hostname: string, port = 9999): Deno.NetAddr => ({
    transport: "udp",
    hostname,
    port,
  });
  assert.equal(isReplyFrom(from("127.0.0.1"), server), true);
  assert.equal(isReplyFrom(from("127.0.0.2"), server), false);
  assert.equal(isReplyFrom(from("10.0.0.1"), server), false);
  assert.equal(isReplyFrom(from("::ffff:127.0.0.2"), server), false);
  assert.equal(isReplyFrom(from("127.0.0.1", 9998), server), false);
  // The same address however it is spelled; a name matches nothing (udpRequest
  // looks names up before sending, and compares addresses).
  assert.equal(isReplyFrom(from("127.0.0.1"), { hostname: "127.1", port: 9999 }), true);
  assert.equal(isReplyFrom(from("::1"), { hostname: "[0:0::1]", port: 9999 }), true);
  assert.equal(isReplyFrom(from("127.0.0.2"), { hostname: "localhost", port: 9999 }), false);
  assert.equal(isReplyFrom(from("127.0.0.1"), { hostname: "localhost", port: 9999 }), false);
});

Deno.test("udpRequest() sends to an address however it is spelled (127.1 is 127.0.0.1)", async () => {
  const server = bindUdp({ port: 0 });
  const serving = (async () => {
    const [data, from] = await server.receive();
    await server.send(data, from);
  })();
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const reply = await within(
      2_000,
      "the echo",
      udpRequest(utf8.encode("hi"), { host: "127.1", port }),
    );
    assert.equal(utf8.decode(reply), "hi");
  } finally {
    server.close();
    await serving.catch(() => {});
  }
});

Deno.test("a fresh socket on the port just released takes a late reply for its own; only a request id prevents it", async () => {
  // udpRequest asks each request from a fresh socket, so a late reply to an
  // earlier request usually reaches a closed port and is dropped. But the
  // kernel picks a fresh port at random from ip_local_port_range (32768 to
  // 60999: 1 chance in 28,232 per request to draw the one just released;
  // 60,000 bind/close cycles here drew it again twice). Forced here with
  // localPort, that is what happens:
  const server = bindUdp({ port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  try {
    await assert.rejects(
      () =>
        within(
          2_000,
          "request 1 to give up",
          udpRequest(utf8.encode("5"), { port, timeoutMs: 20, tries: 1 }),
        ),
      TimeoutError,
    );
    const [, first] = await within(2_000, "request 1 at the server", server.receive());
    const released = (first as Deno.NetAddr).port;

    const ask = (payload: string, accepts?: (reply: Uint8Array) => boolean) =>
      udpRequest(utf8.encode(payload), {
        port,
        localPort: released,
        timeoutMs: 2_000,
        tries: 1,
        accepts,
      });
    const answer = async (late: string, reply: string) => {
      const [, from] = await within(2_000, "request 2 at the server", server.receive());
      assert.equal((from as Deno.NetAddr).port, released, "request 2 asks from the released port");
      await server.send(utf8.encode(late), first); // the answer to request 1, late
      await server.send(utf8.encode(reply), from);
    };

    // Without an id: the late 5! is taken for 6!.
    const [taken] = await within(2_000, "request 2", Promise.all([ask("6"), answer("120", "720")]));
    assert.equal(utf8.decode(taken), "120");

    // With an id that the reply echoes, the stale reply cannot match.
    const id = "#2 ";
    const matches = (reply: Uint8Array) => utf8.decode(reply).startsWith(id);
    const [kept] = await within(
      2_000,
      "request 2 with an id",
      Promise.all([ask(`${id}6`, matches), answer("#1 120", `${id}720`)]),
    );
    assert.equal(utf8.decode(kept), "#2 720");
  } finally {
    server.close();
  }
});

Deno.test("udpRequest() counts its retries and gives up with a timeout error", async () => {
  const silent = bindUdp({ port: 0 });
  const retries: number[] = [];
  try {
    await assert.rejects(
      () =>
        within(
          2_000,
          "the client to give up",
          udpRequest(utf8.encode("x"), {
            port: (silent.addr as Deno.NetAddr).port,
            timeoutMs: 10,
            tries: 4,
            onRetry: (attempt) => retries.push(attempt),
          }),
        ),
      /after 4 tries of 10 ms/,
    );
  } finally {
    silent.close();
  }
  assert.deepEqual(retries, [2, 3, 4]);
});

Deno.test("raceTimeout() returns the value when it comes first, undefined when time runs out", async () => {
  assert.equal(await raceTimeout(Promise.resolve(7), 1_000), 7);
  const never = Promise.withResolvers<number>();
  assert.equal(await raceTimeout(never.promise, 5), undefined);
});
