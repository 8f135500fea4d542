/**
 * Lesson 03's hello server in variants, for issue 17's fairness experiments:
 * each variant changes one thing against the lesson's handler on
 * `lib/serve.ts`, so a load run tells what that one thing does to the tail.
 *
 *   deno run --allow-net=127.0.0.1 bench/fairness/hello_variants.ts PORT VARIANT
 *
 * Variants:
 * - `lesson`: the lesson's handler (1 KiB read buffer, awaited `writeAll`) on `serve()`.
 * - `bare`: the same handler on the bare `for await (const conn of listener)` loop.
 * - `nowait`: replies are written without waiting (chained, so in order); the
 *   next read starts at once, as `node:net` does.
 * - `big`: a 64 KiB read buffer, the size `node:net` reads with.
 * - `readable`: reads through `conn.readable` instead of `conn.read`.
 * - `ahead`: the next read is started before the reply is written, so a read
 *   is always waiting, as with `node:net`'s `readStart`.
 *
 * @module
 */

import { writeAll } from "../../lib/io.ts";
import { serve } from "../../lib/serve.ts";

const encoder = new TextEncoder();
const WELCOME = encoder.encode("Welcome!");

/** Lesson 03's `handleHelloConnection`, without the log and delay options. */
async function lessonHandler(conn: Deno.Conn, readSize = 1024): Promise<void> {
  await conn.write(WELCOME);
  const buffer = new Uint8Array(readSize);
  const decoder = new TextDecoder();
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    const text = decoder.decode(buffer.subarray(0, n), { stream: true });
    if (text === "exit") break;
    await writeAll(conn, encoder.encode(`Hello, ${text}!`));
  }
}

/** Replies are queued, not awaited: the next read starts at once. */
async function noWaitHandler(conn: Deno.Conn): Promise<void> {
  let writing: Promise<void> = writeAll(conn, WELCOME);
  const buffer = new Uint8Array(1024);
  const decoder = new TextDecoder();
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      const text = decoder.decode(buffer.subarray(0, n), { stream: true });
      if (text === "exit") break;
      const reply = encoder.encode(`Hello, ${text}!`);
      writing = writing.then(() => writeAll(conn, reply));
    }
  } finally {
    await writing;
  }
}

/** The next read starts before the reply is written: a read is always outstanding. */
async function readAheadHandler(conn: Deno.Conn): Promise<void> {
  await conn.write(WELCOME);
  const buffer = new Uint8Array(1024);
  const decoder = new TextDecoder();
  let reading = conn.read(buffer);
  while (true) {
    const n = await reading;
    if (n === null) break;
    const text = decoder.decode(buffer.subarray(0, n), { stream: true });
    if (text === "exit") break;
    reading = conn.read(buffer); // the bytes are decoded: the buffer is free again
    await writeAll(conn, encoder.encode(`Hello, ${text}!`));
  }
}

/** Reads through the connection's ReadableStream. */
async function readableHandler(conn: Deno.Conn): Promise<void> {
  await conn.write(WELCOME);
  const decoder = new TextDecoder();
  for await (const chunk of conn.readable.values({ preventCancel: true })) {
    const text = decoder.decode(chunk, { stream: true });
    if (text === "exit") break;
    await writeAll(conn, encoder.encode(`Hello, ${text}!`));
  }
}

const HANDLERS: Record<string, (conn: Deno.Conn) => Promise<void>> = {
  lesson: (conn) => lessonHandler(conn),
  bare: (conn) => lessonHandler(conn),
  nowait: noWaitHandler,
  big: (conn) => lessonHandler(conn, 64 * 1024),
  readable: readableHandler,
  ahead: readAheadHandler,
};

if (import.meta.main) {
  const [portText, variant = "lesson"] = Deno.args;
  const handler = HANDLERS[variant];
  if (!handler) throw new Error(`unknown variant ${variant}: ${Object.keys(HANDLERS).join(", ")}`);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(portText) });
  console.log(`Listening on 127.0.0.1:${listener.addr.port} (${variant})`);
  if (variant === "bare") {
    for await (const conn of listener) {
      handler(conn).catch(() => {}).finally(() => {
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  } else {
    const server = serve(listener, handler, { maxConnections: 1_000_000, endReadsOnClose: true });
    Deno.addSignalListener("SIGINT", () => server.close());
    await server.finished;
  }
}
