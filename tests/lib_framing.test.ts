import assert from "node:assert/strict";
import { encodeFrame, encodeLine, readableFrom, readFrames, readLines } from "../lib/framing.ts";
import { drawPicture } from "../lib/boundary_picture.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { LimitError } from "../lib/errors.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("after the peer half-closes, the framed reader ends and the connection can still answer", async () => {
  using listener = listenTcp({ port: 0 });
  using client = await connectTcp({ port: listener.addr.port });
  using server = await listener.accept();
  await writeAll(client, concatBytes([encodeFrame(bytes("one")), encodeFrame(bytes("two"))]));
  await client.closeWrite(); // Python: s.shutdown(SHUT_WR)

  const frames = await Array.fromAsync(readFrames(server));
  assert.deepEqual(frames.map((f) => new TextDecoder().decode(f)), ["one", "two"]);
  // conn.readable would have closed `server` here; readableFrom leaves it open.
  await writeAll(server, bytes("answer"));
  server.close();
  const answer = await readChunk(client, 64);
  assert.equal(new TextDecoder().decode(answer!), "answer");
});

Deno.test("readLines: whole lines over a real connection, one byte per write", async () => {
  using listener = listenTcp({ port: 0 });
  using client = await connectTcp({ port: listener.addr.port });
  using server = await listener.accept();
  const wire = concatBytes([encodeLine("héllo"), encodeLine("wörld")]);
  for (const byte of wire) await writeAll(client, new Uint8Array([byte]));
  await client.closeWrite();
  assert.deepEqual(await Array.fromAsync(readLines(server)), ["héllo", "wörld"]);
});

Deno.test("readLines errors with LimitError when a line goes over maxLine", async () => {
  using listener = listenTcp({ port: 0 });
  using client = await connectTcp({ port: listener.addr.port });
  using server = await listener.accept();
  await writeAll(client, bytes("x".repeat(100)));
  await client.closeWrite();
  await assert.rejects(Array.fromAsync(readLines(server, { maxLine: 10 })), LimitError);
});

Deno.test("readableFrom yields one chunk per read and ends at end of stream", async () => {
  const reads = [bytes("ab"), bytes("c")];
  const source = {
    read(p: Uint8Array) {
      const next = reads.shift();
      if (!next) return Promise.resolve(null);
      p.set(next);
      return Promise.resolve(next.length);
    },
  };
  const chunks = await Array.fromAsync(readableFrom(source, 16));
  assert.deepEqual(chunks, [bytes("ab"), bytes("c")]);
});

Deno.test("the picture aligns boundaries byte for byte, and summarises long streams", () => {
  const exact = drawPicture([
    { label: "3 writes", pieces: [bytes("ab"), bytes("c"), bytes("d\n")] },
    { label: "2 reads", pieces: [bytes("a"), bytes("bcd\n")] },
  ]);
  assert.deepEqual(exact, [
    "           ┌───┬─┬───┐",
    "3 writes   │a b│c│d ↵│",
    "           └───┴─┴───┘",
    "           ┌─┬───────┐",
    "2 reads    │a│b c d ↵│",
    "           └─┴───────┘",
  ]);
  const reads = Array.from({ length: 10 }, () => new Uint8Array(100));
  const summary = drawPicture([
    { label: "1 write", pieces: [new Uint8Array(1000)] },
    { label: "10 reads", pieces: reads },
  ]);
  assert.equal(summary[1].trim(), "1 write    │           1000 bytes           │");
  assert.equal(summary[4], "10 reads   │100│100│100│ … 5 more … │100│100│");
  assert.ok(new Set(summary.map((line) => line.length)).size === 1, "every line the same width");
});
