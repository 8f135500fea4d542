/**
 * Bugs to plant in lesson 05 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const ENTRY = "lessons/05_framing.ts";
const PREFIX = "lessons/05_framing/3_length_prefix.ts";
const CODEC = "lessons/05_framing/frame_codec.ts";
const SERVER = "lessons/05_framing/5_framed_server.ts";
const LESSON_TESTS = ["tests/05_framing.test.ts"];
const CODEC_TESTS = ["tests/05_framing_frame_codec.test.ts"];
const HOSTILE_TESTS = ["tests/hostile/05_framing.test.ts"];

/** Lesson 05's mutations. */
export const MUTATIONS_05: readonly Mutation[] = [
  {
    id: "05-header-little-endian",
    file: PREFIX,
    find: `new DataView(header.buffer).setUint32(0, length);`,
    replace: `new DataView(header.buffer).setUint32(0, length, true);`,
    why: "the length header goes out little-endian: struct.pack('<I', n), not '!I'",
    tests: CODEC_TESTS,
  },
  {
    id: "05-header-signed",
    file: PREFIX,
    find: `bytes[offset + 3]) >>> 0;`,
    replace: `bytes[offset + 3]);`,
    why: "a header of 0x80000000 or more is read as a negative length",
    tests: CODEC_TESTS,
  },
  {
    id: "05-decoder-limit-off-by-one",
    file: CODEC,
    find: `if (length > this.#max) throw this.#failed = headerOverLimit(length, this.#max);`,
    replace: `if (length >= this.#max) throw this.#failed = headerOverLimit(length, this.#max);`,
    why: "a frame of exactly --max-frame bytes is refused",
    tests: CODEC_TESTS,
  },
  {
    id: "05-decoder-early-frame",
    file: CODEC,
    find: `if (this.#payloadFilled < payload.length) break;`,
    replace: ``,
    why: "a frame split across reads is handed out before its last bytes came",
    tests: CODEC_TESTS,
  },
  {
    id: "05-receive-limit-off-by-one",
    file: PREFIX,
    find: `if (length > max) throw headerOverLimit(length, max);`,
    replace: `if (length >= max) throw headerOverLimit(length, max);`,
    why: "receiveFrame() refuses a frame of exactly maxFrame bytes",
    tests: CODEC_TESTS,
  },
  {
    id: "05-receive-no-limit",
    file: PREFIX,
    find: `if (length > max) throw headerOverLimit(length, max);`,
    replace: ``,
    why: "receiveFrame() believes a 4 GiB header: allocates it and waits for the bytes",
    tests: CODEC_TESTS,
  },
  {
    id: "05-read-exactly-once",
    file: PREFIX,
    find: `while (filled < n) {`,
    replace: `for (let once = 0; filled < n && once < 1; once++) {`,
    why: "readExactly() reads once: a half packet is taken for the whole message",
    tests: [...LESSON_TESTS, ...CODEC_TESTS],
  },
  {
    id: "05-sticky-no-closewrite",
    file: ENTRY,
    find: `await client.closeWrite();`,
    replace: ``,
    why: "the experiment's client sends no FIN: the server's read loop never ends",
    tests: LESSON_TESTS,
  },
  {
    id: "05-sticky-whole-buffer",
    file: ENTRY,
    find: `received.push(decoder.decode(buffer.subarray(0, n)));`,
    replace: `received.push(decoder.decode(buffer));`,
    why: "each read decoded as the whole 1024-byte buffer, NULs and stale bytes included",
    tests: LESSON_TESTS,
  },
  {
    id: "05-line-limit-off-by-one",
    file: "lessons/05_framing/4_delimiter.ts",
    find: `if (heldBytes + n - start > maxLine) throw lineTooLong(maxLine);`,
    replace: `if (heldBytes + n - start >= maxLine) throw lineTooLong(maxLine);`,
    why: "a line of exactly --max-line bytes is refused",
    tests: LESSON_TESTS,
  },
  {
    id: "05-server-no-finish",
    file: SERVER,
    find: `frames.finish();`,
    replace: ``,
    why: "a client that hangs up mid-frame is taken for one that finished",
    tests: HOSTILE_TESTS,
  },
  {
    id: "05-server-lenient-utf8",
    file: SERVER,
    find: `decodeUtf8(payload, "a frame")`,
    replace: `new TextDecoder().decode(payload)`,
    why: "a frame that is not UTF-8 is answered with U+FFFD instead of closing",
    tests: [...LESSON_TESTS, ...HOSTILE_TESTS],
  },
  {
    id: "05-proxy-no-fin",
    file: "lessons/05_framing/reslice_proxy.ts",
    find: `await to.closeWrite().catch(() => {});`,
    replace: ``,
    why: "the re-slicing proxy does not pass the client's end of stream on",
    tests: ["tests/05_framing_reslice_proxy.test.ts"],
  },
];
