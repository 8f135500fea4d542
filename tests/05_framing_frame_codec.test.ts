import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes, type Reader, writeAll } from "../lib/io.ts";
import { LimitError, UnexpectedEofError } from "../lib/errors.ts";
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  FrameDecoderStream,
  FrameEncoderStream,
  frameHeader,
  MAX_HEADER_LENGTH,
  parseFrameHeader,
  readFrames,
} from "../lessons/05_framing/frame_codec.ts";
import * as prefix from "../lessons/05_framing/3_length_prefix.ts";
import { underTest } from "./_exercise.ts";
import { splitAt, splitEvery, within } from "./_util.ts";

// What the tagged tests check: the lesson's functions, or exercise 05c's
// (the header) and 05d's (receiving a frame) when `deno task verify` checks them.
const header = {
  pack: await underTest(prefix, "frameHeader"),
  unpack: await underTest(prefix, "parseFrameHeader"),
};
const receive = await underTest(prefix, "receiveFrame");

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function decodeAll(reads: readonly Uint8Array[], maxFrame?: number): Uint8Array[] {
  const decoder = new FrameDecoder({ maxFrame });
  const frames = reads.flatMap((read) => decoder.push(read));
  decoder.finish();
  return frames;
}

// Empty, ASCII, 2-, 3- and 4-byte UTF-8 characters, a frame longer than 255
// bytes (its length needs two header bytes) and one with a zero in its length.
const MESSAGES = ["", "a", "hello", "héllo wörld", "中文", "😀", "x".repeat(300), "y".repeat(256)];
const WIRE = concatBytes(MESSAGES.map((m) => encodeFrame(bytes(m))));

Deno.test("a frame is a 4-byte big-endian length, then the payload (struct.pack('!I', n))", () => {
  assert.deepEqual([...encodeFrame(bytes("hello"))], [0, 0, 0, 5, 0x68, 0x65, 0x6c, 0x6c, 0x6f]);
  assert.deepEqual([...encodeFrame(new Uint8Array(0))], [0, 0, 0, 0]);
  assert.deepEqual([...frameHeader(0x01020304)], [1, 2, 3, 4]);
  assert.deepEqual([...frameHeader(MAX_HEADER_LENGTH)], [255, 255, 255, 255]);
  assert.equal(parseFrameHeader(new Uint8Array([9, 0x80, 0, 0, 1]), 1), 0x8000_0001);
});

Deno.test("frameHeader() is struct.pack('!I', n): 4 bytes, the most significant first #05c", () => {
  assert.deepEqual([...header.pack(5)], [0, 0, 0, 5]);
  assert.deepEqual([...header.pack(102_400)], [0x00, 0x01, 0x90, 0x00]);
  assert.deepEqual([...header.pack(0x01020304)], [1, 2, 3, 4]);
  assert.deepEqual([...header.pack(MAX_HEADER_LENGTH)], [255, 255, 255, 255]);
  for (const wrong of [-1, 2 ** 32, 1.5]) assert.throws(() => header.pack(wrong), RangeError);
});

Deno.test("parseFrameHeader() is struct.unpack('!I', ...): the 4 bytes at an offset, in a view of a larger buffer, never negative #05c", () => {
  assert.equal(header.unpack(new Uint8Array([0, 0, 0, 5])), 5);
  assert.equal(header.unpack(new Uint8Array([0x80, 0, 0, 1])), 2_147_483_649);
  assert.equal(header.unpack(new Uint8Array([9, 0xff, 0xff, 0xff, 0xff]), 1), MAX_HEADER_LENGTH);
  // A view that starts 2 bytes into its buffer: its byte 0 is the buffer's byte 2.
  const view = new Uint8Array([7, 7, 0, 0, 1, 0, 7]).subarray(2);
  assert.equal(header.unpack(view), 256);
  assert.equal(header.unpack(view, 1), 65_536 + 7);
});

Deno.test("frameHeader() and parseFrameHeader(): every length from 0 to 4 GiB - 1 survives the round trip #05c", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_HEADER_LENGTH }), (n) => {
      const bytes = header.pack(n);
      assert.equal(bytes.length, 4);
      assert.equal(header.unpack(bytes), n);
      assert.equal(parseFrameHeader(bytes), n, "the lesson reads what the header says");
    }),
  );
});

Deno.test("every split of the stream into reads of 1..N bytes decodes to the same messages", () => {
  for (let size = 1; size <= WIRE.length; size++) {
    const frames = decodeAll(splitEvery(WIRE, size)).map(text);
    assert.deepEqual(frames, MESSAGES, `reads of ${size} bytes`);
  }
});

Deno.test("table: header and payload cut in awkward places", () => {
  const hello = encodeFrame(bytes("héllo")); // 4 + 6 bytes; é is bytes 5..6
  const cases: [label: string, offsets: number[]][] = [
    ["everything in one read", []],
    ["header split 1 + 3", [1]],
    ["header split 2 + 2", [2]],
    ["header split 3 + 1", [3]],
    ["header alone, then payload", [4]],
    ["the é split across reads", [6]],
    ["across three reads", [2, 7]],
    ["one byte per read", [1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ];
  for (const [label, offsets] of cases) {
    assert.deepEqual(decodeAll(splitAt(hello, offsets)).map(text), ["héllo"], label);
  }
});

Deno.test("a read that ends one frame and starts the next yields the first at once", () => {
  const wire = concatBytes([encodeFrame(bytes("one")), encodeFrame(bytes("two"))]);
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(wire.subarray(0, 9)).map(text), ["one"]); // "one" + 2 header bytes
  assert.equal(decoder.buffered, 2);
  assert.deepEqual(decoder.push(wire.subarray(9)).map(text), ["two"]);
  assert.equal(decoder.buffered, 0);
});

Deno.test("property: any cutting of any messages decodes to the same messages", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (payloads, cuts) => {
        const wire = concatBytes(payloads.map((p) => encodeFrame(p)));
        const offsets = cuts.map((c) => c % (wire.length + 1));
        assert.deepEqual(decodeAll(splitAt(wire, offsets)), payloads);
      },
    ),
  );
});

Deno.test("property: reads are copied, so the caller may reuse its read buffer", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: "grapheme" }), { maxLength: 8 }),
      fc.integer({ min: 1, max: 16 }),
      (messages, size) => {
        const wire = concatBytes(messages.map((m) => encodeFrame(bytes(m))));
        const decoder = new FrameDecoder();
        const frames: Uint8Array[] = [];
        const buffer = new Uint8Array(size); // one buffer, overwritten by every "read"
        for (const read of splitEvery(wire, size)) {
          buffer.set(read);
          frames.push(...decoder.push(buffer.subarray(0, read.length)));
          buffer.fill(0xee);
        }
        decoder.finish();
        assert.deepEqual(frames.map(text), messages);
      },
    ),
  );
});

Deno.test("a header over the limit is refused on its own 4 bytes, before any payload", () => {
  const decoder = new FrameDecoder({ maxFrame: 100 });
  assert.throws(() => decoder.push(frameHeader(101)), (err: unknown) => {
    assert.ok(err instanceof LimitError);
    assert.equal(err.message, "a frame header announced 101 bytes, over the 100-byte limit");
    return true;
  });
  // Broken for good: the stream can no longer be trusted.
  assert.throws(() => decoder.push(encodeFrame(new Uint8Array(1))), LimitError);
  assert.throws(() => decoder.finish(), LimitError);
});

Deno.test("a 4 GiB header is refused at the default 1 MiB limit, even split across reads", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(new Uint8Array([0xff, 0xff])), []);
  assert.throws(
    () => decoder.push(new Uint8Array([0xff, 0xff])),
    /4294967295 bytes, over the 1048576-byte limit/,
  );
});

Deno.test("a frame exactly at the limit is accepted; the encoder refuses one byte more", () => {
  assert.equal(
    decodeAll([encodeFrame(new Uint8Array(DEFAULT_MAX_FRAME))])[0].length,
    DEFAULT_MAX_FRAME,
  );
  assert.throws(() => encodeFrame(new Uint8Array(11), { maxFrame: 10 }), LimitError);
  assert.throws(() => new FrameDecoder({ maxFrame: -1 }), RangeError);
});

Deno.test("the stream ending inside a header or a payload is an UnexpectedEofError", () => {
  const wire = encodeFrame(bytes("hello"));
  for (const cut of [1, 3, 4, 8]) {
    const decoder = new FrameDecoder();
    decoder.push(wire.subarray(0, cut));
    assert.throws(() => decoder.finish(), UnexpectedEofError, `cut after ${cut} bytes`);
  }
  const clean = new FrameDecoder();
  clean.push(wire);
  clean.finish();
});

Deno.test("FrameDecoderStream yields whole frames from 1-byte chunks and errors on a limit", async () => {
  const oneByteChunks = ReadableStream.from([...WIRE].map((b) => new Uint8Array([b])));
  const frames = await Array.fromAsync(oneByteChunks.pipeThrough(new FrameDecoderStream()));
  assert.deepEqual(frames.map(text), MESSAGES);

  const tooBig = ReadableStream.from([frameHeader(2000)]);
  await assert.rejects(
    Array.fromAsync(tooBig.pipeThrough(new FrameDecoderStream({ maxFrame: 1000 }))),
    LimitError,
  );
  const truncated = ReadableStream.from([encodeFrame(bytes("hello")).subarray(0, 6)]);
  await assert.rejects(
    Array.fromAsync(truncated.pipeThrough(new FrameDecoderStream())),
    UnexpectedEofError,
  );
});

Deno.test("FrameEncoderStream and FrameDecoderStream round-trip", async () => {
  const payloads = MESSAGES.map(bytes);
  const frames = await Array.fromAsync(
    ReadableStream.from(payloads).pipeThrough(new FrameEncoderStream()).pipeThrough(
      new FrameDecoderStream(),
    ),
  );
  assert.deepEqual(frames, payloads);
});

/**
 * A Reader that delivers the given reads, one per call, then end of stream.
 * Like the kernel, it hands out only what fits the buffer and keeps the rest.
 */
function scripted(reads: readonly Uint8Array[]): Reader {
  const queue = [...reads];
  return {
    read(p: Uint8Array) {
      const read = queue.shift();
      if (read === undefined) return Promise.resolve(null);
      const n = Math.min(read.length, p.length);
      p.set(read.subarray(0, n));
      if (n < read.length) queue.unshift(read.subarray(n));
      return Promise.resolve(n);
    },
  };
}

/** One frame from `conn`, never waiting for ever. */
function frameFrom(conn: Reader, options?: { maxFrame?: number }) {
  const what = "receiveFrame() to return a frame (does it read exactly n bytes after the header?)";
  return within(2_000, what, receive(conn, options));
}

Deno.test("receiveFrame() reads whole frames the Python way, however the reads are cut #05d", async () => {
  for (const size of [1, 3, 7, 64]) {
    const conn = scripted(splitEvery(WIRE, size));
    const frames: string[] = [];
    for (let frame; (frame = await frameFrom(conn)) !== null;) frames.push(text(frame));
    assert.deepEqual(frames, MESSAGES, `reads of ${size} bytes`);
  }
  await assert.rejects(frameFrom(scripted([frameHeader(11)]), { maxFrame: 10 }), LimitError);
  // A frame exactly at the limit is not over it.
  assert.equal(
    (await frameFrom(scripted([encodeFrame(new Uint8Array(10))]), { maxFrame: 10 }))?.length,
    10,
  );
  await assert.rejects(frameFrom(scripted([frameHeader(5)])), UnexpectedEofError);
  await assert.rejects(frameFrom(scripted([new Uint8Array([0, 0])])), UnexpectedEofError);
});

Deno.test("receiveFrame() refuses a header over the limit without another read #05d", async () => {
  // After the header, a read would wait for ever: the payload never comes.
  const header = frameHeader(0xffff_ffff);
  let reads = 0;
  const conn: Reader = {
    read(p: Uint8Array) {
      if (reads++ > 0) return new Promise<null>(() => {}); // nothing more, ever
      p.set(header);
      return Promise.resolve(header.length);
    },
  };
  const what = "receiveFrame() to refuse a 4 GiB header (does it compare the length with " +
    "maxFrame before it reads the payload?)";
  await assert.rejects(within(2_000, what, receive(conn)), LimitError);
  assert.equal(reads, 1);
});

Deno.test("readFrames(): after the peer half-closes, the frames end and the connection can still answer", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await within(
    5_000,
    "the connection",
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  using server = await within(5_000, "the accept", listener.accept());
  await writeAll(client, concatBytes([encodeFrame(bytes("one")), encodeFrame(bytes("two"))]));
  await client.closeWrite(); // Python: s.shutdown(SHUT_WR)

  const frames = await within(
    5_000,
    "two frames, then the end",
    Array.fromAsync(readFrames(server)),
  );
  assert.deepEqual(frames.map(text), ["one", "two"]);
  // conn.readable would have closed `server` here; readFrames leaves it open.
  await writeAll(server, bytes("answer"));
  server.close();
  const answer = new Uint8Array(64);
  const n = await within(5_000, "the answer", client.read(answer));
  assert.equal(text(answer.subarray(0, n ?? 0)), "answer");
});

Deno.test("readFrames() waits through reads that complete no frame (one byte per write)", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await within(
    5_000,
    "the connection",
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  using server = await within(5_000, "the accept", listener.accept());
  client.setNoDelay(true);
  const frames = Array.fromAsync(readFrames(server));
  for (const byte of WIRE) await writeAll(client, new Uint8Array([byte]));
  await client.closeWrite();
  assert.deepEqual((await within(10_000, "every frame", frames)).map(text), MESSAGES);
});
