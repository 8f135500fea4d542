import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes } from "../lib/io.ts";
import { LimitError, ProtocolError, UnexpectedEofError } from "../lib/errors.ts";
import {
  DEFAULT_MAX_LINE,
  encodeLine,
  LineDecoder,
  LineDecoderStream,
  LineEncoderStream,
} from "../lib/lines.ts";
import { splitAt, splitEvery } from "./_util.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function decodeAll(reads: readonly Uint8Array[], options = {}): string[] {
  const decoder = new LineDecoder(options);
  const lines = reads.flatMap((read) => decoder.push(read)).map(text);
  decoder.finish();
  return lines;
}

const MESSAGES = ["", "hello", "héllo wörld", "中文", "😀", "x".repeat(300), "tab\there"];
const WIRE = concatBytes(MESSAGES.map((m) => encodeLine(m)));

Deno.test("a line is the message's UTF-8 bytes, then \\n", () => {
  assert.deepEqual([...encodeLine("hé")], [0x68, 0xc3, 0xa9, 0x0a]);
  assert.deepEqual([...encodeLine("")], [0x0a]);
});

Deno.test("every split of the stream into reads of 1..N bytes decodes to the same lines", () => {
  for (let size = 1; size <= WIRE.length; size++) {
    assert.deepEqual(decodeAll(splitEvery(WIRE, size)), MESSAGES, `reads of ${size} bytes`);
  }
});

Deno.test("table: lines cut in awkward places", () => {
  const wire = bytes("héllo\nok\n"); // é is bytes 1..2; the first \n is byte 6
  const cases: [label: string, offsets: number[]][] = [
    ["everything in one read", []],
    ["the é split across reads", [2]],
    ["cut just before the \\n", [6]],
    ["cut just after the \\n", [7]],
    ["across three reads", [1, 8]],
    ["one byte per read", [1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ];
  for (const [label, offsets] of cases) {
    assert.deepEqual(decodeAll(splitAt(wire, offsets)), ["héllo", "ok"], label);
  }
});

Deno.test("property: any cutting of any lines decodes to the same lines", () => {
  const line = fc.string({ unit: "grapheme", maxLength: 80 }).filter((s) => !s.includes("\n"));
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (lines, cuts) => {
        const wire = concatBytes(lines.map((l) => encodeLine(l)));
        const offsets = cuts.map((c) => c % (wire.length + 1));
        assert.deepEqual(decodeAll(splitAt(wire, offsets)), lines);
      },
    ),
  );
});

Deno.test("a line of exactly the limit is accepted; one byte more fails before any \\n arrives", () => {
  assert.deepEqual(decodeAll([encodeLine("abcd")], { maxLine: 4 }), ["abcd"]);
  const decoder = new LineDecoder({ maxLine: 4 });
  assert.deepEqual(decoder.push(bytes("abcd")), []);
  assert.throws(() => decoder.push(bytes("e")), (err: unknown) => {
    assert.ok(err instanceof LimitError);
    assert.equal(err.message, 'a line longer than 4 bytes arrived without "\\n"');
    return true;
  });
  assert.throws(() => decoder.push(bytes("\n")), LimitError); // broken for good
});

Deno.test("the default line limit is 64 KiB, checked however the bytes arrive", () => {
  assert.equal(DEFAULT_MAX_LINE, 65_536);
  const long = bytes("x".repeat(DEFAULT_MAX_LINE + 1));
  for (const size of [1, 1500, long.length]) {
    const decoder = new LineDecoder();
    assert.throws(() => splitEvery(long, size).forEach((read) => decoder.push(read)), LimitError);
  }
  assert.throws(() => encodeLine("x".repeat(11), { maxLine: 10 }), LimitError);
});

Deno.test("a message holding \\n cannot be sent as one line", () => {
  assert.throws(() => encodeLine("two\nlines"), ProtocolError);
});

Deno.test("stripCr drops the \\r of \\r\\n line ends (telnet, nc -C)", () => {
  assert.deepEqual(decodeAll([bytes("a\r\nb\n\r\n")], { stripCr: true }), ["a", "b", ""]);
  assert.deepEqual(decodeAll([bytes("a\r\n")]), ["a\r"]);
});

Deno.test("the stream ending inside a line is an UnexpectedEofError", () => {
  const decoder = new LineDecoder();
  assert.deepEqual(decoder.push(bytes("whole\nhalf")).map(text), ["whole"]);
  assert.equal(decoder.buffered, 4);
  assert.throws(() => decoder.finish(), UnexpectedEofError);
});

Deno.test("LineDecoderStream: a character split across chunks; invalid UTF-8 is a ProtocolError", async () => {
  const wire = bytes("😀\nok\n");
  const chunks = ReadableStream.from(splitEvery(wire, 1));
  assert.deepEqual(await Array.fromAsync(chunks.pipeThrough(new LineDecoderStream())), [
    "😀",
    "ok",
  ]);

  const bad = ReadableStream.from([new Uint8Array([0x68, 0xff, 0x0a])]);
  await assert.rejects(Array.fromAsync(bad.pipeThrough(new LineDecoderStream())), ProtocolError);
});

Deno.test("LineEncoderStream and LineDecoderStream round-trip", async () => {
  const lines = await Array.fromAsync(
    ReadableStream.from(MESSAGES).pipeThrough(new LineEncoderStream()).pipeThrough(
      new LineDecoderStream(),
    ),
  );
  assert.deepEqual(lines, MESSAGES);
});

Deno.test("whole lines before an oversized one in the same read are delivered before the error", () => {
  const decoder = new LineDecoder({ maxLine: 8 });
  const lines = decoder.push(new TextEncoder().encode("alice\nbob\nthis line is far too long"));
  assert.deepEqual(lines.map((l) => new TextDecoder().decode(l)), ["alice", "bob"]);
  assert.throws(() => decoder.push(new TextEncoder().encode("\n")), LimitError);
  assert.throws(() => decoder.finish(), LimitError);
});

Deno.test("an oversized line alone in a read fails at once", () => {
  const decoder = new LineDecoder({ maxLine: 4 });
  assert.throws(() => decoder.push(new TextEncoder().encode("toolong\n")), LimitError);
});
