import assert from "node:assert/strict";
import { shutdownAndDrain } from "../lib/linger.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { utf8, within } from "./_util.ts";

/** A connected pair on loopback. */
async function pair(listener: Deno.TcpListener): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  return [client, await listener.accept()];
}

Deno.test("shutdownAndDrain() after an answer: a client still sending gets the whole answer, then end of stream", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [c, s] = await pair(listener);
  using client = c;
  using server = s;
  // The server answers after reading only a little of a long request...
  await writeAll(client, new Uint8Array(8 * 1024).fill(0x61));
  await within(2_000, "the start of the request", readChunk(server, 100));
  await writeAll(server, utf8.encode("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n"));
  const draining = shutdownAndDrain(server, { ms: 60_000 });
  // ...and the client, still sending, is not reset: its writes go through.
  await within(2_000, "the server to take more", writeAll(client, new Uint8Array(32 * 1024)));
  const answer = await within(2_000, "the answer", readChunk(client, 1024));
  assert.equal(utf8.decode(answer!), "HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
  const end = await within(2_000, "end of stream after the answer", readChunk(client, 1024));
  assert.equal(end, null, "FIN after the answer");
  client.closeWrite(); // the client is done too: the drain ends at its FIN
  await within(2_000, "the drain to end at the client's FIN", draining);
});

Deno.test("shutdownAndDrain() sends FIN at once: the peer reads end of stream long before the drain time", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [c, s] = await pair(listener);
  using client = c;
  using server = s;
  await writeAll(client, utf8.encode("a request the server never reads"));
  await writeAll(server, utf8.encode("400"));
  const draining = shutdownAndDrain(server, { ms: 60_000 });
  const answer = await within(2_000, "the answer", readChunk(client, 16));
  assert.equal(utf8.decode(answer!), "400");
  // Without closeWrite() the FIN would come only when the drain gives up, 60 s on.
  const end = await within(
    2_000,
    "end of stream (our FIN) well before the 60 s drain time: does shutdownAndDrain() call closeWrite()?",
    readChunk(client, 16),
  );
  assert.equal(end, null);
  client.closeWrite();
  await within(2_000, "the drain to end at the client's FIN", draining);
});

Deno.test("shutdownAndDrain() gives up on a client that never closes, after ms", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [c, s] = await pair(listener);
  using _client = c;
  using server = s;
  // resolves; the socket is closed
  await within(2_000, "the drain to give up after 20 ms", shutdownAndDrain(server, { ms: 20 }));
  await assert.rejects(server.read(new Uint8Array(1)));
});

Deno.test("shutdownAndDrain() stops after maxBytes from a client that keeps sending", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [c, s] = await pair(listener);
  using client = c;
  using server = s;
  await writeAll(client, new Uint8Array(4096));
  await within(
    2_000,
    "the drain to stop after 1024 bytes",
    shutdownAndDrain(server, { ms: 60_000, maxBytes: 1024 }),
  );
});

Deno.test("shutdownAndDrain() on a connection the peer already reset does not throw", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, s] = await pair(listener);
  using server = s;
  await writeAll(server, utf8.encode("x"));
  client.close();
  await within(2_000, "the drain to end", shutdownAndDrain(server, { ms: 1000 }));
});
