import assert from "node:assert/strict";
import { shutdownAndDrain } from "../lib/linger.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { utf8 } from "./_util.ts";

Deno.test("after shutdownAndDrain a client still sending gets the whole answer, then end of stream", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  // The server answers after reading only a little of a long request...
  await writeAll(client, new Uint8Array(8 * 1024).fill(0x61));
  await readChunk(server, 100);
  await writeAll(server, utf8.encode("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n"));
  const draining = shutdownAndDrain(server, { ms: 60_000 });
  // ...and the client, still sending, is not reset: its writes go through.
  await writeAll(client, new Uint8Array(32 * 1024).fill(0x62));
  const answer = await readChunk(client, 1024);
  assert.equal(utf8.decode(answer!), "HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
  assert.equal(await readChunk(client, 1024), null, "FIN after the answer");
  client.closeWrite(); // the client is done too: the drain ends at its FIN
  await draining;
});

Deno.test("shutdownAndDrain gives up on a client that never closes, after ms", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using _client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  await shutdownAndDrain(server, { ms: 20 }); // resolves; the socket is closed
  await assert.rejects(server.read(new Uint8Array(1)));
});

Deno.test("shutdownAndDrain stops after maxBytes from a client that keeps sending", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  await writeAll(client, new Uint8Array(4096));
  await shutdownAndDrain(server, { ms: 60_000, maxBytes: 1024 });
});

Deno.test("shutdownAndDrain on a connection the peer already reset does not throw", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  await writeAll(server, utf8.encode("x"));
  client.close();
  await shutdownAndDrain(server, { ms: 1000 });
});
