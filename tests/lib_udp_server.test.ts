import assert from "node:assert/strict";
import * as udpServer from "../lib/udp_server.ts";
import { bindUdp, MAX_UDP_PAYLOAD, MAX_UDP_PAYLOAD_IPV6, udpRequest } from "../lib/udp.ts";
import { underTest } from "./_exercise.ts";
import { recordLog, utf8, within } from "./_util.ts";

// The loop under test: lib's, or exercise 04c's (tests tagged #04c).
const serveUdp = await underTest(udpServer, "serveUdp");

/** An echo server around `serveUdp`, whose handler `before` may throw or add a suffix. */
function startEcho(
  options: { before?: (text: string) => string; log?: (line: string) => void; host?: string } = {},
) {
  const socket = bindUdp({ host: options.host, port: 0 });
  return serveUdp(socket, async (data, sender) => {
    const text = options.before?.(utf8.decode(data)) ?? utf8.decode(data);
    await socket.send(utf8.encode(text), sender);
  }, { log: options.log });
}

/** The reply to `text` within 2 s (two tries of 500 ms), failing with `why` if none comes. */
async function ask(port: number, text: string, why: string): Promise<string> {
  const asking = udpRequest(utf8.encode(text), { port, timeoutMs: 500, tries: 2 });
  return utf8.decode(await within(2_000, `the reply to ${text} ${why}`, asking));
}

Deno.test("serveUdp() calls the handler with each datagram and its sender, one reply each #04c", async () => {
  const senders: string[] = [];
  const socket = bindUdp({ port: 0 });
  await using server = serveUdp(socket, async (data, sender) => {
    senders.push(`${sender.hostname}:${typeof sender.port}`);
    await socket.send(data, sender);
  });
  const why = "(does the loop receive datagrams and call the handler with each?)";
  assert.equal(await ask(server.addr.port, "one", why), "one");
  assert.equal(await ask(server.addr.port, "two", why), "two");
  assert.deepEqual(senders, ["127.0.0.1:number", "127.0.0.1:number"]);
});

Deno.test("serveUdp(): a handler that throws drops only that datagram; the next is answered #04c", async () => {
  const { log, lines } = recordLog();
  await using server = startEcho({
    before: (text) => {
      if (text === "boom") throw new Error("bad datagram");
      return text;
    },
    log,
  });
  await assert.rejects(
    () =>
      within(
        2_000,
        "the client to give up on boom",
        udpRequest(utf8.encode("boom"), { port: server.addr.port, timeoutMs: 50, tries: 1 }),
      ),
    /no reply/,
  );
  const why = "(does one handler's error end the loop? catch it, log it, and receive the next)";
  assert.equal(await ask(server.addr.port, "fine", why), "fine");
  assert.ok(
    lines.some((line) => line.includes("bad datagram")),
    `the server should log why it dropped a datagram; it logged:\n${lines.join("\n")}`,
  );
});

Deno.test("serveUdp() logs a dropped datagram as: Datagram from <ip>:<port> dropped: <why>", async () => {
  const { log, waitFor } = recordLog();
  await using server = udpServer.serveUdp(bindUdp({ port: 0 }), async () => {
    await Promise.reject(new Error("bad datagram"));
  }, { log });
  await assert.rejects(
    () =>
      within(
        2_000,
        "the client to give up",
        udpRequest(utf8.encode("boom"), { port: server.addr.port, timeoutMs: 50, tries: 1 }),
      ),
    /no reply/,
  );
  await waitFor(/^Datagram from 127\.0\.0\.1:\d+ dropped: bad datagram$/, 2_000);
});

Deno.test("serveUdp(): a send the kernel refuses (EMSGSIZE) costs that datagram, not the server #04c", async () => {
  const { log, waitFor } = recordLog();
  await using server = startEcho({ before: (text) => `${text}!`, log });
  const client = bindUdp({ port: 0 });
  try {
    // Its reply would be one byte over a datagram: the handler's send() throws.
    await client.send(new Uint8Array(MAX_UDP_PAYLOAD), server.addr);
  } finally {
    client.close();
  }
  const why = "(did the big datagram's failed send() end the loop?)";
  assert.equal(await ask(server.addr.port, "ok", why), "ok!");
  if (serveUdp === udpServer.serveUdp) {
    await waitFor(
      /^Datagram from 127\.0\.0\.1:\d+ dropped: Message too long \(os error 90\)$/,
      2_000,
    );
  }
});

Deno.test("serveUdp(): close() ends the loop and resolves finished #04c", async () => {
  const server = serveUdp(bindUdp({ port: 0 }), async () => {});
  await within(2_000, "close() (does the loop end when its socket is closed?)", server.close());
  await within(2_000, "finished", server.finished);
});

Deno.test("serveUdp(): closing is no failure: nothing is logged #04c", async () => {
  const { log, lines } = recordLog();
  const server = serveUdp(bindUdp({ port: 0 }), async () => {}, { log });
  await within(2_000, "close()", server.close());
  assert.deepEqual(
    lines,
    [],
    "a receive() that fails because close() closed the socket is expected",
  );
});

Deno.test("serveUdp(): close(graceMs) lets the reply being sent go out first #04c", async () => {
  const socket = bindUdp({ port: 0 });
  const started = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  const server = serveUdp(socket, async (data, sender) => {
    started.resolve();
    await gate.promise;
    await socket.send(data, sender);
  });
  const asking = udpRequest(utf8.encode("last"), {
    port: server.addr.port,
    timeoutMs: 2_000,
    tries: 1,
  });
  asking.catch(() => {}); // awaited below
  try {
    await within(2_000, "the handler to start", started.promise);
    const closing = server.close(2_000);
    gate.resolve();
    const what = "the last reply (does close(graceMs) wait for the datagram being handled?)";
    assert.equal(utf8.decode(await within(2_000, what, asking)), "last");
    await within(2_000, "close(2000)", closing);
  } finally {
    gate.resolve();
    await server.close();
    await asking.catch(() => {});
  }
});

Deno.test("serveUdp(): over IPv6 a 65,527-byte datagram reaches the handler whole #04c", async () => {
  const received = Promise.withResolvers<number>();
  await using server = serveUdp(bindUdp({ host: "::1", port: 0 }), (data) => {
    received.resolve(data.length);
    return Promise.resolve();
  });
  const client = bindUdp({ host: "::1", port: 0 });
  try {
    await client.send(new Uint8Array(MAX_UDP_PAYLOAD_IPV6), server.addr);
    const what = "the 65,527-byte datagram at the handler";
    const length = await within(2_000, what, received.promise);
    assert.equal(
      length,
      MAX_UDP_PAYLOAD_IPV6,
      `the handler got ${length} bytes: receive() with no buffer cuts at 65,507; ` +
        "give it one of MAX_UDP_PAYLOAD_IPV6 bytes",
    );
  } finally {
    client.close();
  }
});
