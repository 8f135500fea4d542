/**
 * # Exercise 01d · Decode a chunked body, and stop after the last chunk
 *
 * Lesson 01, step 4 (`lessons/01_fetch_page/4_chunked.ts`). A body sent in
 * chunks carries its own sizes in hex and ends with a chunk of size 0. The
 * decoder in `chunked.ts` knows the format and keeps its place between
 * reads; this function is the loop around it that the tutorial lacks.
 *
 * Check it:  deno task verify 01d        Stuck?  deno task hint 01d
 *
 * @module
 */

import { BodyCollector, reads } from "../../lessons/01_fetch_page/3_content_length.ts";
import { ChunkedDecoder } from "../../lessons/01_fetch_page/chunked.ts";
import type { Field } from "../../lib/http_message.ts";
import type { Reader } from "../../lib/io.ts";

/** Reads a chunked body, removing the sizes, and stops right after the last chunk. */
export async function readChunkedBody(
  reader: Reader,
  maxBytes: number,
): Promise<{ body: Uint8Array; chunks: number; trailers: Field[] }> {
  const body = new BodyCollector(maxBytes); // keeps copies; refuses more than maxBytes
  const decoder = new ChunkedDecoder();
  // TODO(01d): give each read to the decoder and add the body bytes it finds
  // to `body`; stop reading once the decoder says the size-0 chunk has come;
  // a stream that ends before that is an error the decoder can raise for you.
  // When it works, the page comes out without its hex sizes however TCP cut
  // the reads, the call returns right after the last chunk even if the server
  // keeps the connection open, and a body cut off early throws
  // UnexpectedEofError instead of returning half a page.
  return { body: body.bytes(), chunks: decoder.chunks, trailers: decoder.trailers };
}
