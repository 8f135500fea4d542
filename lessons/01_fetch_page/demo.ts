/**
 * # 01 · The narrated demo
 *
 * What `deno task 01` runs with no URL, offline: local servers on ports the
 * kernel picks. The tutorial's client against a server that sends chunks,
 * then this lesson's client against the same server, then what
 * `Connection: close` changes against a server that keeps connections open.
 *
 * @module
 */

import { checkRequestStart, readHead } from "../../lib/http_head.ts";
import { encodeHead } from "../../lib/http_message.ts";
import { writeAll } from "../../lib/io.ts";
import { type Log, prefixed } from "../../lib/log.ts";
import { serve, type Server } from "../../lib/serve.ts";
import { fetchLikeTheTutorial, fetchPage } from "../01_fetch_page.ts";
import type { Framing } from "./3_content_length.ts";
import { buildRequest, parseTarget } from "./1_request.ts";
import { DEMO_PAGE_PIECES, startChunkedServer } from "./4_chunked.ts";
import { defaultOutFile } from "./7_save.ts";

const decoder = new TextDecoder();

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  // Step 1: a server that sends its page in chunks, and the tutorial's
  // client: read everything, split at the first empty line.
  await using server = startChunkedServer({ log: prefixed(log, "server") });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const target = parseTarget(url);
  log(`1. The tutorial's client fetches ${url} and keeps everything after the head:`);
  const naive = await fetchLikeTheTutorial({
    port: server.addr.port,
    request: buildRequest(target),
  });
  for (const line of decoder.decode(naive.html).split("\n")) {
    log(`  | ${line.replaceAll("\r", "\\r")}`);
  }
  const sizes = DEMO_PAGE_PIECES.map((p) => new TextEncoder().encode(p).length.toString(16));
  log(
    `The lines ${[...sizes, "0"].join(", ")} are chunk sizes in hex, and the \\r after each ` +
      `chunk is the CRLF that ends it: none of that is HTML, yet the tutorial's ` +
      `${defaultOutFile(target)} would hold all of it.`,
  );

  // Step 2: this lesson's client: print the request, read the head, decode the body.
  log("");
  log("2. This lesson's client:");
  const page = await fetchPage(url, { log: prefixed(log, "client") });
  log("The decoded page, what gets saved:");
  for (const line of decoder.decode(page.body).trimEnd().split("\n")) log(`  ${line}`);

  // Step 3: the tutorial's loop ends when the server closes. A server that
  // keeps connections open for a next request closes only once it gives up
  // on an idle one: here after 300 ms, Node's after 5 s, nginx's after 75 s.
  log("");
  const idleTimeoutMs = 300;
  log(
    `3. The tutorial's loop against a server that closes idle connections after ${idleTimeoutMs} ms:`,
  );
  await using keepAlive = startKeepAliveServer({ idleTimeoutMs });
  const withClose = buildRequest(target);
  const withoutClose = withClose.replace("Connection: close\r\n", "");
  for (const [label, request] of [["with", withClose], ["without", withoutClose]]) {
    const started = performance.now();
    await fetchLikeTheTutorial({ port: keepAlive.addr.port, request });
    log(`   ${label} "Connection: close": ${(performance.now() - started).toFixed(0)} ms`);
  }
  log("   Without it the loop ended only when the server gave up on the idle connection;");
  log("   one with no keep-alive timeout never does (Deno.serve still held it after 200 s).");
  log("");
  log("Saved nothing in the demo. To fetch and save a real page: deno task 01 http://example.com/");
}

/**
 * An HTTP/1.1 server that keeps each connection open after its answer, for a
 * next request, unless the request said `Connection: close`, and closes a
 * connection idle for `idleTimeoutMs`: its keep-alive timeout.
 */
export function startKeepAliveServer(options: { idleTimeoutMs: number }): Server {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return serve(listener, async (conn) => {
    while (true) {
      const cut = await readHead(conn, {
        maxBytes: 16 * 1024,
        what: "request",
        check: checkRequestStart,
      });
      if (cut === null) return;
      const body = new TextEncoder().encode("<h1>Hello</h1>\n");
      const fields: [string, string][] = [["Content-Length", String(body.length)]];
      await writeAll(conn, encodeHead("HTTP/1.1 200 OK", fields));
      await writeAll(conn, body);
      if (/\r\nConnection: *close\r\n/i.test(`${decoder.decode(cut.head)}\r\n`)) return;
    }
  }, { idleTimeoutMs: options.idleTimeoutMs });
}

/** One line saying how the body arrived. */
export function describeBody(
  framing: Framing,
  { body, chunks }: { body: Uint8Array; chunks: number },
): string {
  const bytes = `${body.length} byte${body.length === 1 ? "" : "s"}`;
  switch (framing.kind) {
    case "none":
      return "No body: this status never has one.";
    case "chunked":
      return `Body: ${bytes}, sent in ${chunks} chunk${chunks === 1 ? "" : "s"} ` +
        "(Transfer-Encoding: chunked); the chunk sizes were removed.";
    case "length":
      return `Body: ${bytes} (Content-Length).`;
    case "close":
      return `Body: ${bytes}, read until the server closed the connection.`;
  }
}
