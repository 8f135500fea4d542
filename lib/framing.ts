/**
 * Message framing on a TCP connection: the fix for sticky packets (粘包) and
 * half packets (半包).
 *
 * TCP promises the bytes, in order, and nothing else: one write may arrive
 * in several reads, and several writes in one read. To send messages over it,
 * both sides agree where each message ends. The two codecs (re-exported
 * here) are:
 *
 * | framing | on the wire | module |
 * | --- | --- | --- |
 * | length prefix | `struct.pack('!I', n)` then `n` bytes | `length_prefix.ts` |
 * | delimiter | the message, then `\n` | `lines.ts` |
 *
 * Each comes as plain incremental functions (`new FrameDecoder().push(bytes)`,
 * `new LineDecoder().push(bytes)`) and as `TransformStream`s. This module adds
 * the glue to use them on a connection: {@linkcode readableFrom},
 * {@linkcode readFrames} and {@linkcode readLines}.
 *
 * @example A line reader for a chat server
 * ```ts
 * import { encodeLine, readLines } from "./framing.ts";
 * import { connectTcp, listenTcp } from "./tcp.ts";
 * import { writeAll } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * using listener = listenTcp({ port: 0 });
 * using client = await connectTcp({ port: listener.addr.port });
 * using conn = await listener.accept();
 * await writeAll(client, new Uint8Array([...encodeLine("hi all"), ...encodeLine("bye")]));
 * await client.closeWrite();
 * const lines = await Array.fromAsync(readLines(conn));
 * assert.deepEqual(lines, ["hi all", "bye"]);
 * ```
 *
 * @module
 */

import { readChunk, type Reader } from "./io.ts";
import { FrameDecoderStream, type FrameOptions } from "./length_prefix.ts";
import { LineDecoderStream, type LineOptions } from "./lines.ts";

export * from "./length_prefix.ts";
export * from "./lines.ts";

/** How many bytes {@linkcode readableFrom} asks for per read: 64 KiB. */
export const STREAM_READ_SIZE = 64 * 1024;

/**
 * A connection's bytes as a `ReadableStream`, one chunk per read.
 *
 * Why not `conn.readable`? Deno closes the whole connection when
 * `conn.readable` reaches end of stream or is cancelled. A server whose
 * client half-closes (sends everything, then `shutdown(SHUT_WR)`) could then
 * no longer write its answers. This stream never closes `reader`: whoever
 * opened the connection closes it.
 */
export function readableFrom(
  reader: Reader,
  readSize = STREAM_READ_SIZE,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Python: data = sock.recv(65536); b'' means the peer closed its side.
      const chunk = await readChunk(reader, readSize);
      if (chunk === null) controller.close();
      else controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 }); // read only when the consumer asks: no read-ahead
}

/**
 * The length-prefixed payloads arriving on `reader`, whole, until the peer
 * closes its side. Errors: a header over `maxFrame` ({@linkcode LimitError}),
 * a stream ending mid-frame ({@linkcode UnexpectedEofError}).
 */
export function readFrames(reader: Reader, options: FrameOptions = {}): ReadableStream<Uint8Array> {
  return readableFrom(reader).pipeThrough(new FrameDecoderStream(options));
}

/**
 * The `\n`-terminated lines arriving on `reader`, as text, until the peer
 * closes its side. Errors: a line over `maxLine` ({@linkcode LimitError}),
 * invalid UTF-8 ({@linkcode ProtocolError}), a last line with no `\n`
 * ({@linkcode UnexpectedEofError}).
 */
export function readLines(reader: Reader, options: LineOptions = {}): ReadableStream<string> {
  return readableFrom(reader).pipeThrough(new LineDecoderStream(options));
}
