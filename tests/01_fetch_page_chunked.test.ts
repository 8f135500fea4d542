import assert from "node:assert/strict";
import fc from "fast-check";
import { ChunkedDecoder, parseChunkSize } from "../lessons/01_fetch_page/chunked.ts";
import {
  decodeChunked,
  encodeChunk,
  encodeChunked,
  LAST_CHUNK,
} from "../lessons/01_fetch_page/4_chunked.ts";
import { LimitError, ProtocolError, UnexpectedEofError } from "../lib/errors.ts";
import { concatBytes } from "../lib/io.ts";
import { utf8 } from "./_util.ts";

/** Feeds `pieces` through one decoder, copying each piece into one reused buffer as a socket read would. */
function decodeReads(pieces: Uint8Array[], decoder = new ChunkedDecoder()): Uint8Array {
  const buffer = new Uint8Array(64 * 1024);
  const body: Uint8Array[] = [];
  for (const piece of pieces) {
    buffer.set(piece);
    // Copy what comes out before the buffer is reused, as a caller must.
    for (const out of decoder.push(buffer.subarray(0, piece.length))) body.push(out.slice());
  }
  decoder.finish();
  return concatBytes(body);
}

/** Cuts `bytes` at the given offsets. */
function cutAt(bytes: Uint8Array, ...offsets: number[]): Uint8Array[] {
  const points = [0, ...offsets, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

const wire = utf8.encode(
  "4;lang=en\r\nWiki\r\n6\r\npedia \r\n18\r\nin \r\n\r\nchunks, and more.\r\n0\r\nExpires: never\r\n\r\n",
);
const body = "Wikipedia in \r\n\r\nchunks, and more.";
const at = (s: string, plus = 0) => utf8.decode(wire).indexOf(s) + plus;

const splits: { label: string; pieces: Uint8Array[] }[] = [
  { label: "everything in one read", pieces: [wire] },
  { label: "one byte per read", pieces: cutAt(wire, ...Array.from(wire.keys()).slice(1)) },
  {
    label: "inside a size line's hex digits",
    pieces: cutAt(wire, at("18\r\n", 1)),
  },
  { label: "between the \\r and \\n of a size line", pieces: cutAt(wire, at("6\r", 2)) },
  { label: "inside a chunk extension", pieces: cutAt(wire, at("lang=", 3)) },
  { label: "inside a chunk's data", pieces: cutAt(wire, at("pedia", 2)) },
  { label: "between data and its CRLF", pieces: cutAt(wire, at("Wiki", 4)) },
  { label: "between the \\r and \\n after data", pieces: cutAt(wire, at("Wiki", 5)) },
  { label: "data that contains CRLFs, cut between them", pieces: cutAt(wire, at("in \r\n", 5)) },
  { label: "inside the last chunk's line", pieces: cutAt(wire, at("\r\n0\r\n", 3)) },
  { label: "inside a trailer", pieces: cutAt(wire, at("Expi", 2), at("never", 3)) },
  { label: "inside the final empty line", pieces: cutAt(wire, wire.length - 1) },
  {
    label: "with empty reads in between",
    pieces: [wire.subarray(0, 7), new Uint8Array(0), wire.subarray(7)],
  },
];

for (const { label, pieces } of splits) {
  Deno.test(`ChunkedDecoder decodes a body the same when split ${label}`, () => {
    assert.deepEqual(concatBytes(pieces), wire, "the pieces make up the stream");
    const decoder = new ChunkedDecoder();
    assert.equal(utf8.decode(decodeReads(pieces, decoder)), body);
    assert.equal(decoder.chunks, 3);
    assert.equal(decoder.bodyBytes, utf8.encode(body).length);
    assert.deepEqual(decoder.trailers, [{ name: "Expires", value: "never" }]);
    assert.ok(decoder.done);
  });
}

Deno.test("ChunkedDecoder decodes any body, cut into any reads, to itself (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (chunks, cuts) => {
        const encoded = encodeChunked(chunks);
        const offsets = [...new Set(cuts.map((c) => c % (encoded.length + 1)))].sort((a, b) =>
          a - b
        );
        assert.deepEqual(decodeReads(cutAt(encoded, ...offsets)), concatBytes(chunks));
      },
    ),
  );
});

Deno.test("ChunkedDecoder leaves bytes after the last chunk over, not decoded", () => {
  const decoder = new ChunkedDecoder();
  const out = decoder.push(utf8.encode("2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK"));
  assert.equal(utf8.decode(concatBytes(out)), "ok");
  assert.ok(decoder.done);
  assert.equal(utf8.decode(decoder.leftover), "HTTP/1.1 200 OK");
});

const broken: {
  label: string;
  wire: string;
  error: new (...args: never[]) => Error;
  message: RegExp;
}[] = [
  {
    label: "a size that is not hex",
    wire: "xyz\r\n",
    error: ProtocolError,
    message: /"xyz" is not a chunk size/,
  },
  { label: "a negative size", wire: "-5\r\n", error: ProtocolError, message: /not a chunk size/ },
  {
    label: "an empty size line",
    wire: "\r\n",
    error: ProtocolError,
    message: /"" is not a chunk size/,
  },
  {
    label: "a size line ending in a bare LF",
    wire: "5\nhello\r\n",
    error: ProtocolError,
    message: /bare LF/,
  },
  {
    label: "data longer than its size",
    wire: "3\r\nhello\r\n",
    error: ProtocolError,
    message: /chunk 1 is longer than its size line says/,
  },
  {
    label: "a size too large to be a number",
    wire: "fffffffffffffff\r\n",
    error: LimitError,
    message: /too large/,
  },
  {
    label: "a size line over the limit (endless extensions)",
    wire: `5;${"x".repeat(5000)}`,
    error: LimitError,
    message: /size line is longer than 4096 bytes/,
  },
  {
    label: "a trailer that is not a field",
    wire: "0\r\nnot a field\r\n\r\n",
    error: ProtocolError,
    message: /trailer is not "name: value"/,
  },
];

for (const { label, wire, error, message } of broken) {
  Deno.test(`ChunkedDecoder refuses a broken chunked body: ${label}`, () => {
    assert.throws(() => new ChunkedDecoder().push(utf8.encode(wire)), (err) => {
      assert.ok(err instanceof error, `${err}`);
      assert.match((err as Error).message, message);
      return true;
    });
  });
}

const truncated: { label: string; wire: string; message: RegExp }[] = [
  { label: "nothing at all", wire: "", message: /after 0 chunks, before the last/ },
  { label: "inside a size line", wire: "1", message: /after 0 chunks, before the last/ },
  {
    label: "inside the data",
    wire: "a\r\n01234",
    message: /inside chunk 1 \(5 of its bytes missing\)/,
  },
  { label: "before the data's CRLF", wire: "2\r\nok", message: /after 1 chunk, before the last/ },
  {
    label: "before the last chunk",
    wire: "2\r\nok\r\n",
    message: /after 1 chunk, before the last/,
  },
  {
    label: "inside the trailers",
    wire: "2\r\nok\r\n0\r\nX: y\r\n",
    message: /inside the trailers/,
  },
];

for (const { label, wire, message } of truncated) {
  Deno.test(`decodeChunked() calls a body that ends early an unexpected EOF: ${label}`, () => {
    assert.throws(() => decodeChunked([utf8.encode(wire)]), (err) => {
      assert.ok(err instanceof UnexpectedEofError);
      assert.match(err.message, message);
      return true;
    });
  });
}

Deno.test("parseChunkSize() reads hex, any case, with optional extensions and leading zeros", () => {
  assert.equal(parseChunkSize("0"), 0);
  assert.equal(parseChunkSize("00000a"), 10);
  assert.equal(parseChunkSize("Ff"), 255);
  assert.equal(parseChunkSize("1A ; a=b ; c"), 26);
  assert.equal(parseChunkSize("fffffffffffff"), 2 ** 52 - 1);
});

Deno.test("encodeChunk() writes size in hex, CRLF, data, CRLF; the last chunk is 0 and an empty line", () => {
  assert.equal(utf8.decode(encodeChunk(new Uint8Array(255))).slice(0, 4), "ff\r\n");
  assert.equal(utf8.decode(LAST_CHUNK), "0\r\n\r\n");
  assert.throws(() => encodeChunk(new Uint8Array(0)), RangeError);
  assert.equal(utf8.decode(encodeChunked([])), "0\r\n\r\n");
});
