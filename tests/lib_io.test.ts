import assert from "node:assert/strict";
import fc from "fast-check";
import { ByteReader, concatBytes, indexOf, readChunk, type Reader, writeAll } from "../lib/io.ts";
import { LimitError, UnexpectedEofError } from "../lib/errors.ts";
import { splitEvery, utf8, within } from "./_util.ts";

/**
 * A reader that returns the given chunks one per read, however big the
 * caller's buffer: how TCP delivers a stream cut at arbitrary places. A chunk
 * larger than the buffer is handed out over several reads.
 */
function chunkedReader(chunks: Uint8Array[]): Reader & { reads: number } {
  const queue = chunks.map((c) => c.slice());
  const source = {
    reads: 0,
    read(p: Uint8Array): Promise<number | null> {
      source.reads++;
      while (queue.length > 0 && queue[0].length === 0) queue.shift();
      const next = queue[0];
      if (next === undefined) return Promise.resolve(null);
      const n = Math.min(p.length, next.length);
      p.set(next.subarray(0, n));
      queue[0] = next.subarray(n);
      return Promise.resolve(n);
    },
  };
  return source;
}

/** Cuts `bytes` into pieces of the given sizes (the last takes the rest). */
function split(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  out.push(bytes.subarray(at));
  return out;
}

const CRLF = utf8.encode("\r\n");
const request = utf8.encode("GET / HTTP/1.1\r\nHost: x\r\n");

const readUntilCases: { label: string; chunks: Uint8Array[] }[] = [
  { label: "everything in one read", chunks: [request] },
  { label: "one byte per read", chunks: splitEvery(request, 1) },
  { label: "the delimiter split between \\r and \\n", chunks: split(request, [15]) },
  { label: "split just before the delimiter", chunks: split(request, [14]) },
  { label: "split just after the delimiter", chunks: split(request, [16]) },
  { label: "three uneven reads", chunks: split(request, [3, 20]) },
];

for (const { label, chunks } of readUntilCases) {
  Deno.test(`readUntil finds each line when the stream arrives as ${label}`, async () => {
    const reader = new ByteReader(chunkedReader(chunks), 4);
    assert.equal(utf8.decode((await reader.readUntil(CRLF, 100))!), "GET / HTTP/1.1");
    assert.equal(utf8.decode((await reader.readUntil(CRLF, 100))!), "Host: x");
    assert.equal(await reader.readUntil(CRLF, 100), null);
  });
}

Deno.test("readUntil refuses a line longer than the limit before reading it all", async () => {
  const source = chunkedReader(splitEvery(new Uint8Array(10_000).fill(0x61), 1));
  const reader = new ByteReader(source, 16);
  await assert.rejects(() => reader.readUntil(CRLF, 64), LimitError);
  assert.ok(source.reads < 100, `read ${source.reads} times for a 64-byte limit`);
});

Deno.test("readUntil() refuses an over-long line as soon as the limit is passed, not one read later", async () => {
  // One byte per read. 64 bytes of line and a 2-byte delimiter fit in 66
  // bytes, so 66 bytes with no "\r\n" are already too many: refuse after the
  // 66th read. One read more would wait on a peer that may send nothing more.
  const source = chunkedReader(splitEvery(new Uint8Array(1000).fill(0x61), 1));
  const reader = new ByteReader(source, 16);
  await assert.rejects(
    within(2_000, "readUntil to refuse", reader.readUntil(CRLF, 64)),
    LimitError,
  );
  assert.equal(source.reads, 66);
});

Deno.test("readUntil() accepts a line of exactly the limit arriving one byte per read", async () => {
  // After 65 bytes (64 of line, then "\r") the line may still end at the limit.
  const wire = new Uint8Array([...new Uint8Array(64).fill(0x62), ...CRLF]);
  const reader = new ByteReader(chunkedReader(splitEvery(wire, 1)), 16);
  assert.deepEqual(await reader.readUntil(CRLF, 64), wire.subarray(0, 64));
});

Deno.test("readUntil accepts a line of exactly the limit", async () => {
  const line = new Uint8Array(64).fill(0x62);
  const reader = new ByteReader(chunkedReader([line, CRLF]), 8);
  assert.deepEqual(await reader.readUntil(CRLF, 64), line);
});

Deno.test("readUntil reports a stream that ends inside a line", async () => {
  const reader = new ByteReader(chunkedReader([utf8.encode("no end")]));
  await assert.rejects(() => reader.readUntil(CRLF, 100), UnexpectedEofError);
});

Deno.test("readExactly reassembles a message split across three reads", async () => {
  const message = utf8.encode("hello, sticky packets");
  const reader = new ByteReader(chunkedReader(split(message, [5, 7])));
  assert.deepEqual(await reader.readExactly(message.length), message);
  assert.equal(await reader.readExactly(1), null);
});

Deno.test("readExactly leaves the next message's bytes for the next call", async () => {
  const reader = new ByteReader(chunkedReader([utf8.encode("abcdef")]));
  assert.equal(utf8.decode((await reader.readExactly(2))!), "ab");
  assert.equal(utf8.decode((await reader.readExactly(4))!), "cdef");
});

Deno.test("readExactly throws when the stream ends part-way through", async () => {
  const reader = new ByteReader(chunkedReader([utf8.encode("abc")]));
  await assert.rejects(() => reader.readExactly(5), UnexpectedEofError);
});

Deno.test("readExactly of a large message read 1 byte at a time costs one read per byte", async () => {
  const message = new Uint8Array(4096).map((_, i) => i % 251);
  const source = chunkedReader(splitEvery(message, 1));
  const reader = new ByteReader(source);
  assert.deepEqual(await reader.readExactly(message.length), message);
  assert.equal(source.reads, message.length);
});

Deno.test("any split of any stream reads back as the same bytes (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 2000 }),
      fc.array(fc.nat({ max: 300 }), { maxLength: 20 }),
      fc.integer({ min: 1, max: 64 }),
      async (bytes, cuts, readSize) => {
        const reader = new ByteReader(chunkedReader(split(bytes, cuts)), readSize);
        assert.deepEqual(await reader.readToEnd(bytes.length), bytes);
      },
    ),
  );
});

Deno.test("lines and exact counts mixed come out the same under any split (property)", async () => {
  const record = fc.tuple(
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.uint8Array({ maxLength: 40 }),
  )
    .filter(([line]) => !line.includes("\n"));
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { maxLength: 10 }),
      fc.array(fc.nat({ max: 50 }), { maxLength: 30 }),
      async (records, cuts) => {
        // Each record: a text line, then its byte count on a line, then the bytes.
        const stream = concatBytes(records.flatMap(([line, bytes]) => [
          utf8.encode(`${line}\n${bytes.length}\n`),
          bytes,
        ]));
        const reader = new ByteReader(chunkedReader(split(stream, cuts)), 7);
        const newline = utf8.encode("\n");
        for (const [line, bytes] of records) {
          assert.equal(utf8.decode((await reader.readUntil(newline, 1000))!), line);
          const count = Number(utf8.decode((await reader.readUntil(newline, 10))!));
          assert.deepEqual(await reader.readExactly(count) ?? new Uint8Array(), bytes);
        }
        assert.equal(await reader.readSome(), null);
      },
    ),
  );
});

Deno.test("readToEnd refuses more than its limit", async () => {
  const reader = new ByteReader(chunkedReader([new Uint8Array(100), new Uint8Array(100)]));
  await assert.rejects(() => reader.readToEnd(150), LimitError);
});

Deno.test("readChunk returns only the bytes the read filled, and null at end of stream", async () => {
  const source = chunkedReader([utf8.encode("Wel"), utf8.encode("come!")]);
  assert.equal(utf8.decode((await readChunk(source, 1024))!), "Wel");
  assert.equal(utf8.decode((await readChunk(source, 1024))!), "come!");
  assert.equal(await readChunk(source, 1024), null);
});

Deno.test("writeAll keeps writing when the kernel takes only part of the bytes", async () => {
  for (const takes of [1, 2, 7, 1000]) {
    const written: Uint8Array[] = [];
    let calls = 0;
    const partial = {
      write(p: Uint8Array) {
        calls++;
        const n = Math.min(takes, p.length);
        written.push(p.slice(0, n));
        return Promise.resolve(n);
      },
    };
    const message = utf8.encode("Hello, Michael! 你好");
    await writeAll(partial, message);
    assert.deepEqual(concatBytes(written), message, `taking ${takes} bytes per write`);
    assert.equal(calls, Math.ceil(message.length / takes));
  }
});

Deno.test("writeAll stops with an error instead of spinning when a write takes nothing", async () => {
  const stuck = { write: () => Promise.resolve(0) };
  await assert.rejects(() => writeAll(stuck, utf8.encode("x")), /stuck/);
});

Deno.test("writeAll over a real socket delivers 8 MiB intact", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const payload = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 31) % 256);
  const accepted = listener.accept();
  using client = await within(
    5_000,
    "the connection",
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  using server = await within(5_000, "the accept", accepted);
  const receiving = new ByteReader(server).readToEnd(payload.length);
  await within(10_000, "8 MiB to be written", writeAll(client, payload));
  await client.closeWrite();
  const received = await within(10_000, "8 MiB to arrive", receiving);
  // Lengths first, then one bit: a diff of 8 MiB of numbers would take minutes to print.
  assert.equal(received.length, payload.length, "bytes that arrived");
  assert.ok(received.every((byte, i) => byte === payload[i]), "the bytes arrived unchanged");
});

Deno.test("indexOf finds multi-byte needles, including at the very end", () => {
  const hay = utf8.encode("ab\r\nc\r\n\r\n");
  assert.equal(indexOf(hay, utf8.encode("\r\n\r\n")), 5);
  assert.equal(indexOf(hay, utf8.encode("\r\n"), 3), 5);
  assert.equal(indexOf(hay, utf8.encode("zz")), -1);
});
