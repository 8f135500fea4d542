// Copied from ../shared/perf/deno_ref_server.ts (the neutral yardstick of issue 17).
// Straightforward idiomatic Deno "hello" server: Deno.listen, for await over
// the listener, one non-awaited async handler per connection, conn.read into
// a 1024-byte buffer, replies written with a loop that handles partial writes.
// Usage: deno run --allow-net=127.0.0.1 deno_ref_server.ts PORT
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    off += await conn.write(data.subarray(off));
  }
}

async function handle(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(1024);
  try {
    await writeAll(conn, encoder.encode("Welcome!"));
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      const name = decoder.decode(buf.subarray(0, n));
      if (name === "exit") break;
      await writeAll(conn, encoder.encode(`Hello, ${name}!`));
    }
  } catch (_e) {
    // connection error: just drop this connection
  } finally {
    try {
      conn.close();
    } catch (_e) {
      // already closed
    }
  }
}

const port = Number(Deno.args[0]);
const listener = Deno.listen({ hostname: "127.0.0.1", port });
console.error(`deno_ref_server listening on 127.0.0.1:${port}`);
for await (const conn of listener) {
  handle(conn);
}
