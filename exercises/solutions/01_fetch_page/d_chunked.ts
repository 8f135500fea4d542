/**
 * # Exercise 01d · Decode a chunked body, and stop after the last chunk (the reference solution)
 *
 * @module
 */

import { BodyCollector, reads } from "../../../lessons/01_fetch_page/3_content_length.ts";
import { ChunkedDecoder } from "../../../lessons/01_fetch_page/chunked.ts";
import type { Field } from "../../../lib/http_message.ts";
import type { Reader } from "../../../lib/io.ts";

/** Reads a chunked body, removing the sizes, and stops right after the last chunk. */
export async function readChunkedBody(
  reader: Reader,
  maxBytes: number,
): Promise<{ body: Uint8Array; chunks: number; trailers: Field[] }> {
  const body = new BodyCollector(maxBytes); // keeps copies; refuses more than maxBytes
  const decoder = new ChunkedDecoder();
  for await (const bytes of reads(reader)) {
    for (const piece of decoder.push(bytes)) body.add(piece);
    if (decoder.done) break; // the size-0 chunk came: reading on would wait for a close
  }
  decoder.finish(); // throws UnexpectedEofError if the stream ended before the last chunk
  return { body: body.bytes(), chunks: decoder.chunks, trailers: decoder.trailers };
}
