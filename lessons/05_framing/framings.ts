/**
 * # 05 · Three ways to find messages in a byte stream, side by side
 *
 * Machinery for the demo and the tests: the same recorded reads (step 1's
 * `recordTransfer`) fed to no framing (the tutorials' way: one read, one
 * message), to step 3's length prefix and to step 4's delimiter, to see which
 * gets the messages back whole; lesson 03's conversation with a client that
 * does not wait; and the random messages that the "any slicing" run sends
 * through the re-slicing proxy.
 *
 * @module
 */

import { LessonError } from "../../lib/errors.ts";
import { helloReply } from "../../lib/hello.ts";
import { writeAll } from "../../lib/io.ts";
import { DEFAULT_MAX_LINE, encodeLine, LineDecoder, type LineOptions } from "../../lib/lines.ts";
import { type Random, randomInt } from "../../lib/random.ts";
import { traced } from "../../lib/trace.ts";
import { decodeUtf8 } from "../../lib/utf8.ts";
import { handleHelloConnection } from "../03_tcp_hello.ts";
import { encodeFrame, FrameDecoder, type FrameOptions, MAX_HEADER_LENGTH } from "./frame_codec.ts";

export { DEFAULT_MAX_LINE };

const encoder = new TextEncoder();
const lenient = new TextDecoder(); // the tutorials' .decode('utf-8'), minus the exception

/** Turns the bytes of successive reads into messages. */
export interface MessageDecoder {
  /** The bytes of one read; returns the messages they complete. */
  push(chunk: Uint8Array): string[];
  /** End of stream: throws if a message was cut off. */
  finish(): void;
}

/** A way to send messages over a byte stream and find them again. */
export interface Framing {
  /** What the demo calls it. */
  readonly name: string;
  /** The bytes one message becomes on the wire. */
  encode(message: string): Uint8Array;
  /** A fresh decoder for one stream. */
  decoder(): MessageDecoder;
}

/**
 * The tutorials' way: send the bare text, and take whatever one `recv()`
 * returns as one message. Right only when writes and reads happen to line up
 * one to one; TCP never promises that.
 */
export const NO_FRAMING: Framing = {
  name: "no framing",
  encode: (message) => encoder.encode(message),
  decoder: () => ({
    push: (chunk) => [lenient.decode(chunk)], // Python: data.decode('utf-8')
    finish() {},
  }),
};

/** Fix A (step 3): a 4-byte big-endian length, then the message. */
export function lengthPrefixFraming(options: FrameOptions = {}): Framing {
  return {
    name: "length prefix",
    // Limits protect receivers; a sender may send what the receiver allows.
    encode: (message) => encodeFrame(encoder.encode(message), { maxFrame: MAX_HEADER_LENGTH }),
    decoder() {
      const frames = new FrameDecoder(options);
      return {
        push: (chunk) => frames.push(chunk).map((payload) => decodeUtf8(payload)),
        finish: () => frames.finish(),
      };
    },
  };
}

/** Fix B (step 4): the message, then `\n`. */
export function lineFraming(options: LineOptions = {}): Framing {
  return {
    name: "delimiter",
    encode: (message) => encodeLine(message, { maxLine: Number.MAX_SAFE_INTEGER }),
    decoder() {
      const lines = new LineDecoder(options);
      return {
        push: (chunk) => lines.push(chunk).map((line) => decodeUtf8(line)),
        finish: () => lines.finish(),
      };
    },
  };
}

/** The messages a decoder found in a list of reads, and where. */
export interface Decoded {
  /** The messages, in order. */
  messages: string[];
  /** For each message, the index of the read that completed it. */
  completedBy: number[];
  /** Set if the decoder refused the stream (a limit, a cut-off message). */
  error?: LessonError;
  /** The read the error came at (`reads.length` for the end of stream). */
  errorAt?: number;
}

/**
 * Feeds `reads` to a fresh decoder of `framing`, in order, and reports what
 * came out.
 *
 * @example The tutorials' way against a length prefix, on the same reads
 * ```ts
 * import { decodeReads, lengthPrefixFraming, NO_FRAMING } from "./framings.ts";
 * import assert from "node:assert/strict";
 *
 * const framing = lengthPrefixFraming();
 * const wire = new Uint8Array([...framing.encode("hello"), ...framing.encode("sticky")]);
 * const reads = [wire.subarray(0, 7), wire.subarray(7)]; // cut inside "hello"
 * assert.deepEqual(decodeReads(framing, reads).messages, ["hello", "sticky"]);
 * assert.equal(decodeReads(NO_FRAMING, [new TextEncoder().encode("hellosticky")]).messages[0], "hellosticky");
 * ```
 */
export function decodeReads(framing: Framing, reads: readonly Uint8Array[]): Decoded {
  const decoder = framing.decoder();
  const decoded: Decoded = { messages: [], completedBy: [] };
  for (let i = 0; i <= reads.length; i++) {
    try {
      const messages = i < reads.length ? decoder.push(reads[i]) : (decoder.finish(), []);
      for (const message of messages) {
        decoded.messages.push(message);
        decoded.completedBy.push(i);
      }
    } catch (err) {
      if (!(err instanceof LessonError)) throw err;
      return { ...decoded, error: err, errorAt: i };
    }
  }
  return decoded;
}

/**
 * `n` random messages of 0 to `maxBytes` UTF-8 bytes, mixing 1- to 4-byte
 * characters; sizes log-uniform, so most are small and a few are large.
 */
export function randomMessages(random: Random, n: number, maxBytes: number): string[] {
  const alphabet = ["a", "b", "z", " ", "é", "ß", "中", "文", "😀"];
  const sizes = alphabet.map((char) => encoder.encode(char).length);
  return Array.from({ length: n }, () => {
    const target = Math.floor(Math.pow(maxBytes + 1, random())) - 1;
    const chars: string[] = [];
    for (let bytes = 0;;) {
      const i = randomInt(random, 0, alphabet.length - 1);
      if (bytes + sizes[i] > target) return chars.join("");
      chars.push(alphabet[i]);
      bytes += sizes[i];
    }
  });
}

/**
 * Lesson 03's conversation with a client that does not wait: it sends every
 * name, back to back, before reading anything. Without framing the server is
 * lesson 03's own `handleHelloConnection`, and the result is everything the
 * client received, as one string; with a framing, the same loop decodes
 * messages first, and the result is the replies it decoded.
 */
export async function helloWithoutWaiting(
  framing: Framing,
  names: readonly string[] = ["Michael", "Tracy"],
): Promise<string[]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = traced(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    "client",
  );
  const conn = traced(await listener.accept(), "server");
  for (const name of names) await writeAll(client, framing.encode(name));
  await client.closeWrite();
  try {
    if (framing === NO_FRAMING) await handleHelloConnection(conn); // lesson 03's server
    else await answerEachMessage(conn, framing, helloReply);
  } finally {
    conn.close(); // the client's read loop ends at this end of stream
  }
  const received = new Uint8Array(await new Response(client.readable).arrayBuffer());
  if (framing === NO_FRAMING) return [lenient.decode(received)];
  return decodeReads(framing, [received]).messages;
}

/** Lesson 03's server loop with framing: decode whole messages, answer each. */
async function answerEachMessage(
  conn: Deno.Conn,
  framing: Framing,
  answer: (message: string) => string,
): Promise<void> {
  const decoder = framing.decoder();
  const buffer = new Uint8Array(1024);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    for (const message of decoder.push(buffer.subarray(0, n))) {
      await writeAll(conn, framing.encode(answer(message)));
    }
  }
  decoder.finish();
}
