import assert from "node:assert/strict";
import { bindUdp, MAX_UDP_PAYLOAD, raceTimeout, sendDatagram, udpRequest } from "../lib/udp.ts";
import { LessonError } from "../lib/errors.ts";
import { utf8 } from "./_util.ts";

Deno.test("the largest UDP payload over IPv4 is 65,507 bytes", () => {
  assert.equal(MAX_UDP_PAYLOAD, 65_507);
});

Deno.test("a datagram too big for UDP is refused before it reaches the kernel", async () => {
  const socket = bindUdp({ port: 0 });
  try {
    await assert.rejects(
      () => sendDatagram(socket, new Uint8Array(MAX_UDP_PAYLOAD + 1), socket.addr as Deno.NetAddr),
      (err) => err instanceof LessonError && /do not fit one UDP datagram/.test(err.message),
    );
  } finally {
    socket.close();
  }
});

Deno.test("a 65,507-byte datagram arrives whole", async () => {
  const a = bindUdp({ port: 0 });
  const b = bindUdp({ port: 0 });
  try {
    const payload = new Uint8Array(MAX_UDP_PAYLOAD).map((_, i) => i % 256);
    await sendDatagram(a, payload, b.addr as Deno.NetAddr);
    const [data] = await b.receive();
    assert.deepEqual(data, payload);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("udpRequest ignores a datagram from anyone but the server", async () => {
  const server = bindUdp({ port: 0 });
  const stranger = bindUdp({ port: 0 });
  const serving = (async () => {
    const [data, from] = await server.receive();
    // Someone else answers first; then the server does.
    await stranger.send(utf8.encode("not the server"), from);
    await server.send(utf8.encode(`echo ${utf8.decode(data)}`), from);
  })();
  try {
    const reply = await udpRequest(utf8.encode("hi"), {
      port: (server.addr as Deno.NetAddr).port,
      timeoutMs: 2_000,
    });
    assert.equal(utf8.decode(reply), "echo hi");
  } finally {
    server.close();
    stranger.close();
    await serving.catch(() => {});
  }
});

Deno.test("udpRequest counts its retries and gives up with a timeout error", async () => {
  const silent = bindUdp({ port: 0 });
  const retries: number[] = [];
  try {
    await assert.rejects(
      () =>
        udpRequest(utf8.encode("x"), {
          port: (silent.addr as Deno.NetAddr).port,
          timeoutMs: 10,
          tries: 4,
          onRetry: (attempt) => retries.push(attempt),
        }),
      /after 4 tries of 10 ms/,
    );
  } finally {
    silent.close();
  }
  assert.deepEqual(retries, [2, 3, 4]);
});

Deno.test("raceTimeout returns the value when it comes first, undefined when time runs out", async () => {
  assert.equal(await raceTimeout(Promise.resolve(7), 1_000), 7);
  const never = Promise.withResolvers<number>();
  assert.equal(await raceTimeout(never.promise, 5), undefined);
});
