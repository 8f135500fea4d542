import assert from "node:assert/strict";
import { serveTcp } from "../lib/server.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { LimitError } from "../lib/errors.ts";
import { recordLog, utf8 } from "./_util.ts";

Deno.test("a handler that throws is logged and the server keeps serving others", async () => {
  const { log, waitFor } = recordLog();
  let calls = 0;
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    if (++calls === 1) throw new Error("boom");
    await writeAll(conn, utf8.encode("fine"));
  }, { log });
  {
    using first = await connectTcp({ port: server.addr.port });
    assert.equal(await readChunk(first, 16), null); // closed by the server
  }
  await waitFor(/failed: boom$/);
  using second = await connectTcp({ port: server.addr.port });
  assert.equal(utf8.decode((await readChunk(second, 16))!), "fine");
});

Deno.test("a handler that hits a limit is logged as one dropped line", async () => {
  const { log, waitFor } = recordLog();
  await using server = serveTcp(listenTcp({ port: 0 }), () => {
    throw new LimitError("frame of 4294967295 bytes is over the 1048576-byte limit");
  }, { log });
  using conn = await connectTcp({ port: server.addr.port });
  const line = await waitFor(/dropped/);
  assert.equal(
    line,
    `Connection from 127.0.0.1:${conn.localAddr.port} dropped: frame of 4294967295 bytes is over the 1048576-byte limit.`,
  );
});

Deno.test("handlers run concurrently: a slow client does not hold up a fast one", async () => {
  const slowGate = Promise.withResolvers<void>();
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    const what = utf8.decode((await readChunk(conn, 16))!);
    if (what === "slow") await slowGate.promise;
    await writeAll(conn, utf8.encode(`done ${what}`));
  });
  using slow = await connectTcp({ port: server.addr.port });
  await writeAll(slow, utf8.encode("slow"));
  using fast = await connectTcp({ port: server.addr.port });
  await writeAll(fast, utf8.encode("fast"));
  // The fast client is answered while the slow one is still waiting.
  assert.equal(utf8.decode((await readChunk(fast, 16))!), "done fast");
  slowGate.resolve();
  assert.equal(utf8.decode((await readChunk(slow, 16))!), "done slow");
});

Deno.test("close() with a grace period lets in-flight replies finish", async () => {
  const received = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    await readChunk(conn, 16);
    received.resolve();
    await release.promise;
    await writeAll(conn, utf8.encode("finished"));
  });
  using conn = await connectTcp({ port: server.addr.port });
  await writeAll(conn, utf8.encode("work"));
  await received.promise;
  const closing = server.close(5_000);
  release.resolve();
  await closing;
  assert.equal(utf8.decode((await readChunk(conn, 16))!), "finished");
});

Deno.test("after close() the port refuses new connections", async () => {
  const server = serveTcp(listenTcp({ port: 0 }), async () => {});
  await server.close();
  await assert.rejects(() => connectTcp({ port: server.addr.port }), /nothing is listening/);
  await server.finished;
});
