/**
 * Lesson 01's speed goal: a page is read and decoded in time proportional to
 * its size, however small the reads. Decodes an 8 MiB chunked body fed in
 * 1 KiB reads (the tutorial's `recv(1024)`) and in 16 KiB reads, and fetches
 * 8 and 32 MiB pages from a local server: doubling the size should about
 * double the time, not quadruple it.
 *
 *     deno task bench                         (every bench file)
 *     deno bench --allow-net=127.0.0.1 bench/http_fetch_bench.ts
 *
 * @module
 */

import { ChunkedDecoder } from "../lessons/01_fetch_page/chunked.ts";
import { encodeChunked } from "../lessons/01_fetch_page/4_chunked.ts";
import { fetchPage } from "../lessons/01_fetch_page.ts";

const MiB = 1024 * 1024;

/** `size` bytes as chunks of `chunkSize`, encoded. */
function chunkedBody(size: number, chunkSize: number): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < size; at += chunkSize) {
    pieces.push(new Uint8Array(Math.min(chunkSize, size - at)).fill(0x61));
  }
  return encodeChunked(pieces);
}

const wire = chunkedBody(8 * MiB, 4000);
for (const readSize of [1024, 16 * 1024]) {
  Deno.bench({
    name: `decode 8 MiB chunked, ${readSize}-byte reads`,
    group: "decode",
    baseline: readSize === 1024,
    fn: () => {
      const decoder = new ChunkedDecoder();
      let total = 0;
      for (let at = 0; at < wire.length; at += readSize) {
        for (const piece of decoder.push(wire.subarray(at, at + readSize))) total += piece.length;
      }
      decoder.finish();
      if (total !== 8 * MiB) throw new Error(`decoded ${total} bytes`);
    },
  });
}

for (const size of [8 * MiB, 32 * MiB]) {
  // Deno.serve sends a streamed body chunked: one chunk per enqueued piece.
  const body = new Uint8Array(size).fill(0x62);
  Deno.bench({
    name: `fetch ${size / MiB} MiB chunked page from 127.0.0.1`,
    group: "fetch",
    baseline: size === 8 * MiB,
    async fn(b) {
      await using server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        () =>
          new Response(
            new ReadableStream({
              start(controller) {
                for (let at = 0; at < body.length; at += 64 * 1024) {
                  controller.enqueue(body.slice(at, at + 64 * 1024));
                }
                controller.close();
              },
            }),
          ),
      );
      b.start();
      const page = await fetchPage(`http://127.0.0.1:${server.addr.port}/`);
      b.end();
      if (page.body.length !== size) throw new Error(`got ${page.body.length} bytes`);
    },
  });
}
