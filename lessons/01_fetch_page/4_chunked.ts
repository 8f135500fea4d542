/**
 * # 01 · Step 4: a body of unknown length, sent in chunks
 *
 * A server that knows the body's length before it starts sending (a file, a
 * page built in memory) says so with `Content-Length` (step 3): Deno.serve,
 * Node's `res.end(text)` and Python's http.server all do. A server that
 * generates the page while sending it cannot know the length yet. HTTP/1.0
 * had it close the connection to end the body; HTTP/1.1 adds
 * `Transfer-Encoding: chunked` (RFC 9112 §7.1): each piece is preceded by its
 * size in hex, and a piece of size 0 says the body is over, so the
 * connection can stay open.
 *
 *     1a\r\n                            ← 26 bytes follow
 *     <!doctype html><h1>Hi</h1>\r\n    ← the 26 bytes, then CRLF
 *     0\r\n                             ← the last chunk
 *     \r\n                              ← no trailer fields; the body has ended
 *
 * The tutorial saves everything after the head, so against such a server its
 * page holds `1a` and the other sizes too (the demo shows it). And TCP
 * delivers bytes, not the server's writes: a read can end in the middle of
 * `1a`, between `\r` and `\n`, inside the data. The decoder in `chunked.ts`
 * keeps its place between reads, so any cut decodes to the same body.
 *
 * Run it:  deno run lessons/01_fetch_page/4_chunked.ts
 *
 * @module
 */

import type { Field } from "../../lib/http_message.ts";
import { checkRequestStart, readHead } from "../../lib/http_head.ts";
import { encodeHead } from "../../lib/http_message.ts";
import { concatBytes, type Reader, writeAll } from "../../lib/io.ts";
import { shutdownAndDrain } from "../../lib/linger.ts";
import { type Log, silent } from "../../lib/log.ts";
import { serve, type Server } from "../../lib/serve.ts";
import {
  BodyCollector,
  type Framing,
  readLengthBody,
  reads,
  readUntilClose,
} from "./3_content_length.ts";
import { ChunkedDecoder } from "./chunked.ts";

/**
 * Reads a chunked body from `reader`, removing the sizes, and stops right
 * after the last chunk: the body is complete then, whatever the server does
 * with the connection next. Reading on would wait for a close or a timeout.
 */
export async function readChunkedBody(
  reader: Reader,
  maxBytes: number,
): Promise<{ body: Uint8Array; chunks: number; trailers: Field[] }> {
  const body = new BodyCollector(maxBytes);
  const decoder = new ChunkedDecoder();
  for await (const bytes of reads(reader)) {
    for (const piece of decoder.push(bytes)) body.add(piece);
    if (decoder.done) break; // the size-0 chunk and the trailers arrived
  }
  decoder.finish(); // throws if the server closed before the last chunk
  return { body: body.bytes(), chunks: decoder.chunks, trailers: decoder.trailers };
}

/**
 * Reads a body framed as `framing` (step 3's `bodyFraming`): every
 * case of step 3, now that chunks can be read too.
 */
export async function readBody(
  reader: Reader,
  framing: Framing,
  maxBytes: number,
): Promise<{ body: Uint8Array; chunks: number; trailers: Field[] }> {
  switch (framing.kind) {
    case "none":
      return { body: new Uint8Array(0), chunks: 0, trailers: [] };
    case "chunked":
      return await readChunkedBody(reader, maxBytes);
    case "length":
      return {
        body: await readLengthBody(reader, framing.length, maxBytes),
        chunks: 0,
        trailers: [],
      };
    case "close":
      return { body: await readUntilClose(reader, maxBytes), chunks: 0, trailers: [] };
  }
}

// ── The server's side ───────────────────────────────────────────────────────

const encoder = new TextEncoder();

/**
 * One chunk on the wire: the size in hex, CRLF, the data, CRLF.
 *
 * @example
 * ```ts
 * import { encodeChunk } from "./4_chunked.ts";
 * import assert from "node:assert/strict";
 *
 * const wire = encodeChunk(new TextEncoder().encode("Hello, world!!!!!!!!!!!!!!"));
 * assert.equal(new TextDecoder().decode(wire), "1a\r\nHello, world!!!!!!!!!!!!!!\r\n");
 * ```
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) throw new RangeError("an empty chunk would end the body; use LAST_CHUNK");
  return concatBytes([encoder.encode(`${data.length.toString(16)}\r\n`), data, CRLF]);
}

const CRLF = encoder.encode("\r\n");

/** The last chunk (size 0) and the empty line that ends an empty trailer section. */
export const LAST_CHUNK: Uint8Array = encoder.encode("0\r\n\r\n");

/**
 * A whole chunked body: one chunk per piece, then the last chunk.
 *
 * @example
 * ```ts
 * import { decodeChunked, encodeChunked } from "./4_chunked.ts";
 * import assert from "node:assert/strict";
 *
 * const pieces = ["Hello, ", "world"].map((s) => new TextEncoder().encode(s));
 * const wire = encodeChunked(pieces);
 * assert.equal(new TextDecoder().decode(wire), "7\r\nHello, \r\n5\r\nworld\r\n0\r\n\r\n");
 * assert.equal(new TextDecoder().decode(decodeChunked([wire])), "Hello, world");
 * ```
 */
export function encodeChunked(pieces: Iterable<Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const piece of pieces) if (piece.length > 0) parts.push(encodeChunk(piece));
  parts.push(LAST_CHUNK);
  return concatBytes(parts);
}

/**
 * Decodes a whole chunked body at once, given in any number of pieces.
 * Throws if it is incomplete or malformed.
 *
 * @example
 * ```ts
 * import { decodeChunked } from "./4_chunked.ts";
 * import assert from "node:assert/strict";
 *
 * const wire = new TextEncoder().encode("4;ext=1\r\nWiki\r\n0\r\nExpires: never\r\n\r\n");
 * assert.equal(new TextDecoder().decode(decodeChunked([wire])), "Wiki");
 * ```
 */
export function decodeChunked(pieces: Iterable<Uint8Array>): Uint8Array {
  const decoder = new ChunkedDecoder();
  const body: Uint8Array[] = [];
  for (const piece of pieces) body.push(...decoder.push(piece));
  decoder.finish();
  return concatBytes(body);
}

/** The page the demo server sends: three pieces, so three chunks. Chinese too, so bytes ≠ characters. */
export const DEMO_PAGE_PIECES: readonly string[] = [
  '<!doctype html>\n<html><head><meta charset="utf-8"><title>你好</title></head>\n',
  "<body><h1>Hello from a chunked server</h1>\n<p>这一页分三块发送。</p>\n",
  "</body></html>\n",
];

/** Options for {@linkcode startChunkedServer}. */
export interface ChunkedServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind. Default 0: any free port. */
  port?: number;
  /** The body, in the pieces it is sent in (one chunk each). Default {@linkcode DEMO_PAGE_PIECES}. */
  pieces?: readonly string[];
  /** Where the server narrates. */
  log?: Log;
}

/**
 * A small HTTP server that answers every request with a chunked page, one
 * write per chunk, as a server that sends a page while generating it does.
 */
export function startChunkedServer(options: ChunkedServerOptions = {}): Server {
  const log = options.log ?? silent;
  const pieces = (options.pieces ?? DEMO_PAGE_PIECES).map((p) => encoder.encode(p));
  const listener = Deno.listen({ hostname: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  return serve(listener, async (conn) => {
    const cut = await readHead(conn, {
      maxBytes: 16 * 1024,
      what: "request",
      check: checkRequestStart,
    });
    if (cut === null) return;
    log(`Request: ${new TextDecoder().decode(cut.head).split("\r\n")[0]}`);
    await writeAll(
      conn,
      encodeHead("HTTP/1.1 200 OK", [
        ["Content-Type", "text/html; charset=utf-8"],
        ["Transfer-Encoding", "chunked"],
        ["Connection", "close"],
      ]),
    );
    for (const piece of pieces) await writeAll(conn, encodeChunk(piece));
    await writeAll(conn, LAST_CHUNK);
    log(`Answered with ${pieces.length} chunks.`);
    await shutdownAndDrain(conn);
  }, { log });
}

if (import.meta.main) {
  const wire = encodeChunked(DEMO_PAGE_PIECES.map((p) => encoder.encode(p)));
  console.log("On the wire:\n" + new TextDecoder().decode(wire).replaceAll("\r", "\\r"));
  // The same bytes, one per read: the decoder does not care where reads end.
  const decoder = new ChunkedDecoder();
  const body: number[] = [];
  for (const byte of wire) {
    for (const piece of decoder.push(Uint8Array.of(byte))) body.push(...piece);
  }
  console.log("Decoded:\n" + new TextDecoder().decode(new Uint8Array(body)));
}
