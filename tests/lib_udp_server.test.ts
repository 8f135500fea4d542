import assert from "node:assert/strict";
import { sendReply, serveUdp } from "../lib/udp_server.ts";
import { bindUdp, MAX_UDP_PAYLOAD, udpRequest } from "../lib/udp.ts";
import { recordLog, utf8 } from "./_util.ts";

Deno.test("a handler that throws drops only that datagram; the server answers the next", async () => {
  const { log, waitFor } = recordLog();
  const socket = bindUdp({ port: 0 });
  const server = serveUdp(socket, async (data, sender) => {
    if (utf8.decode(data) === "boom") throw new Error("bad datagram");
    await socket.send(data, sender);
  }, { log });
  try {
    await assert.rejects(
      () => udpRequest(utf8.encode("boom"), { port: server.addr.port, timeoutMs: 50, tries: 1 }),
      /no reply/,
    );
    await waitFor(/^Datagram from 127\.0\.0\.1:\d+ dropped: bad datagram$/);
    const reply = await udpRequest(utf8.encode("fine"), { port: server.addr.port });
    assert.equal(utf8.decode(reply), "fine");
  } finally {
    await server.close();
  }
});

Deno.test("close() ends the loop and resolves finished", async () => {
  const server = serveUdp(bindUdp({ port: 0 }), async () => {});
  await server.close();
  await server.finished;
});

Deno.test("sendReply logs a reply too big for one datagram instead of sending it", async () => {
  const { log, lines } = recordLog();
  const socket = bindUdp({ port: 0 });
  try {
    const to = socket.addr as Deno.NetAddr;
    await sendReply(socket, new Uint8Array(MAX_UDP_PAYLOAD + 1), to, log);
    assert.deepEqual(lines, [
      `Reply to 127.0.0.1:${to.port} would be 65508 bytes, more than one datagram holds (65507); not sent.`,
    ]);
  } finally {
    socket.close();
  }
});
