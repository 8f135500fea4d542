import assert from "node:assert/strict";
import fc from "fast-check";
import { type Piece, Slicer, startResliceProxy } from "../lessons/05_framing/reslice_proxy.ts";
import { seededRandom } from "../lib/random.ts";
import { concatBytes, readChunk, writeAll } from "../lib/io.ts";
import { collect } from "../lib/log.ts";
import { serve } from "../lib/serve.ts";
import { closedPort, within } from "./_util.ts";

const listen = () => Deno.listen({ hostname: "127.0.0.1", port: 0 });
const connect = (port: number) =>
  within(5_000, `a connection to port ${port}`, Deno.connect({ hostname: "127.0.0.1", port }));

/** The offsets (after the start, before the end) where pieces meet. */
function boundaries(pieces: readonly Uint8Array[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const piece of pieces.slice(0, -1)) offsets.push(at += piece.length);
  return offsets;
}

async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const next = () => within(10_000, "bytes or the end of the stream", readChunk(conn, 64 * 1024));
  for (let chunk; (chunk = await next()) !== null;) chunks.push(chunk);
  return concatBytes(chunks);
}

Deno.test("the slicer's pieces put together are the input, each min..max bytes", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 5000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 0, max: 500 }),
      fc.nat(),
      (data, min, extra, seed) => {
        const pieces = new Slicer(seededRandom(seed), min, min + extra).cut(data);
        assert.deepEqual(concatBytes(pieces), data);
        // Every piece but the last is within bounds (the last is what was left).
        for (const piece of pieces.slice(0, -1)) {
          assert.ok(piece.length >= min && piece.length <= min + extra, `${piece.length} bytes`);
        }
      },
    ),
  );
});

Deno.test("the same seed cuts at the same offsets, however the input was chunked", () => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1 }),
      (seed, sizes) => {
        const data = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
        const whole = boundaries(new Slicer(seededRandom(seed), 1, 64).cut(data));
        // The same bytes, arriving in chunks of `sizes`:
        const slicer = new Slicer(seededRandom(seed), 1, 64);
        const chunkEnds: number[] = [];
        const pieces: Uint8Array[] = [];
        let at = 0;
        for (const size of sizes) {
          pieces.push(...slicer.cut(data.subarray(at, at + size)));
          chunkEnds.push(at += size);
        }
        // Its cuts are the seed's cuts, plus the chunk ends (a piece cannot wait).
        const expected = [...new Set([...whole, ...chunkEnds.slice(0, -1)])].sort((a, b) => a - b);
        assert.deepEqual(boundaries(pieces), expected);
      },
    ),
  );
  const a = new Slicer(seededRandom(1), 1, 64).cut(new Uint8Array(500)).map((p) => p.length);
  const b = new Slicer(seededRandom(1), 1, 64).cut(new Uint8Array(500)).map((p) => p.length);
  const c = new Slicer(seededRandom(2), 1, 64).cut(new Uint8Array(500)).map((p) => p.length);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("the proxy forwards 1 MiB each way unchanged, and passes the half-close on", async () => {
  await using echo = serve(listen(), async (conn) => {
    for (let chunk; (chunk = await readChunk(conn, 4096)) !== null;) await writeAll(conn, chunk);
  });
  await using proxy = startResliceProxy({ target: echo.addr, seed: 3, maxPiece: 4000 });
  using conn = await connect(proxy.addr.port);
  const data = new Uint8Array(1024 * 1024).map((_, i) => (i * 7919) % 251);
  const sending = (async () => {
    await writeAll(conn, data);
    await conn.closeWrite(); // the echo server sees end of stream only if the proxy passes it on
  })();
  const echoed = await readAll(conn);
  await within(5_000, "the sending to finish", sending);
  assert.deepEqual(echoed, data);
  assert.equal(proxy.bytes, 2 * data.length);
  assert.ok(proxy.pieces > 2 * data.length / 4000, `${proxy.pieces} pieces`);
});

Deno.test("holding each piece until the last was read makes every cut a read boundary", async () => {
  using listener = listen();
  const readsDone: PromiseWithResolvers<void>[] = [];
  const readDone = (i: number) => (readsDone[i] ??= Promise.withResolvers<void>());
  const forwarded: Piece[] = [];
  await using proxy = startResliceProxy({
    target: listener.addr,
    seed: 11,
    minPiece: 1,
    maxPiece: 5,
    beforeForward: async (piece) => {
      if (piece.index > 0) await readDone(piece.index - 1).promise;
      forwarded.push({ ...piece, bytes: piece.bytes.slice() });
    },
  });
  using client = await connect(proxy.addr.port);
  using server = await within(5_000, "the proxy's connection", listener.accept());
  await writeAll(client, new TextEncoder().encode("hellostickypackets"));
  await client.closeWrite();
  const reads: Uint8Array[] = [];
  const next = () => within(5_000, "the next piece", readChunk(server, 1024));
  for (let chunk; (chunk = await next()) !== null;) {
    readDone(reads.length).resolve();
    reads.push(chunk);
  }
  assert.deepEqual(reads, forwarded.map((piece) => piece.bytes));
  assert.ok(reads.length >= 4, `${reads.length} reads`);
  assert.ok(forwarded.every((p) => p.connection === 0 && p.direction === "client→server"));
});

Deno.test("a target that refuses: the client is closed, one log line, the proxy keeps serving", async () => {
  const port = closedPort(); // nothing listens there now
  const { log, lines } = collect();
  await using proxy = startResliceProxy({ target: { port }, log });
  for (const attempt of [1, 2]) {
    using conn = await connect(proxy.addr.port);
    assert.deepEqual(await readAll(conn), new Uint8Array(0), `attempt ${attempt}`);
  }
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    new RegExp(`^proxy: cannot reach 127\\.0\\.0\\.1:${port}: nothing is listening`),
  );
});

Deno.test("close() ends open connections on both sides and resolves", async () => {
  const serverGotBytes = Promise.withResolvers<void>();
  const serverSawEnd = Promise.withResolvers<void>();
  await using target = serve(listen(), async (conn) => {
    await readChunk(conn, 64);
    serverGotBytes.resolve();
    await readAll(conn).catch(() => {});
    serverSawEnd.resolve();
  });
  const proxy = startResliceProxy({ target: target.addr });
  using conn = await connect(proxy.addr.port);
  await writeAll(conn, new Uint8Array([1, 2, 3]));
  await within(5_000, "the target to get bytes", serverGotBytes.promise); // forwarding now
  await within(5_000, "the proxy to close", proxy.close());
  await within(5_000, "the target to see the end", serverSawEnd.promise);
  assert.deepEqual(await readAll(conn).catch(() => new Uint8Array(0)), new Uint8Array(0));
  assert.equal(proxy.connections, 0);
});
