import assert from "node:assert/strict";
import { exposureWarning } from "../lib/addr.ts";
import { serveUntilCtrlC } from "../lib/cli.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { refuseWith } from "../lib/limits.ts";
import { serveTcp } from "../lib/server.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";
import { recordLog, utf8 } from "./_util.ts";

/** Resolves after `ms`: pacing a client, never waiting for the server. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("past --max-connections a client is closed at once, even with nothing to say", async () => {
  const { log, waitFor } = recordLog();
  const release = Promise.withResolvers<void>();
  await using server = serveTcp(listenTcp({ port: 0 }), () => release.promise, {
    maxConnections: 1,
    log,
  });
  using first = await connectTcp({ port: server.addr.port });
  using second = await connectTcp({ port: server.addr.port });
  assert.equal(await readChunk(second, 16), null);
  await waitFor(/^Refused 127\.0\.0\.1:\d+: 1 connections are open, the limit/);
  assert.equal(server.connections, 1);
  release.resolve();
  first.close();
});

Deno.test("a refusal with words reaches a client that had already sent its request", async () => {
  const release = Promise.withResolvers<void>();
  await using server = serveTcp(listenTcp({ port: 0 }), () => release.promise, {
    maxConnections: 1,
    refuse: refuseWith(utf8.encode("HTTP/1.1 503 Service Unavailable\r\n\r\n")),
  });
  using _first = await connectTcp({ port: server.addr.port });
  using second = await connectTcp({ port: server.addr.port });
  // Unread bytes at the server would turn a plain close into a reset that
  // destroys the answer; refuseWith drains them first.
  await writeAll(second, utf8.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.match(utf8.decode((await readChunk(second, 64))!), /^HTTP\/1\.1 503/);
  await second.closeWrite();
  release.resolve();
});

Deno.test("the idle timeout spares a connection that keeps talking, however long it lasts", async () => {
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    for (let chunk; (chunk = await readChunk(conn, 16)) !== null;) await writeAll(conn, chunk);
  }, { idleTimeoutMs: 60 });
  using conn = await connectTcp({ port: server.addr.port });
  // Ten round trips, 20 ms apart: 200 ms in all, more than three idle timeouts.
  for (let i = 0; i < 10; i++) {
    await writeAll(conn, utf8.encode(`${i}`));
    assert.equal(utf8.decode((await readChunk(conn, 16))!), `${i}`);
    await pause(20);
  }
});

Deno.test("the idle timeout counts writes too: a server pushing to a silent client keeps it", async () => {
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    for (let i = 0; i < 10; i++) {
      await writeAll(conn, utf8.encode("."));
      await pause(20);
    }
  }, { idleTimeoutMs: 60 });
  using conn = await connectTcp({ port: server.addr.port });
  let received = "";
  for (let chunk; (chunk = await readChunk(conn, 16)) !== null;) received += utf8.decode(chunk);
  assert.equal(received, "..........");
});

Deno.test("the idle timeout sees traffic through conn.readable and conn.writable too", async () => {
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    await conn.readable.pipeTo(conn.writable); // an echo server written with streams
  }, { idleTimeoutMs: 60 });
  using conn = await connectTcp({ port: server.addr.port });
  for (let i = 0; i < 10; i++) {
    await writeAll(conn, utf8.encode(`${i}`));
    assert.equal(utf8.decode((await readChunk(conn, 16))!), `${i}`);
    await pause(20);
  }
  await conn.closeWrite();
  assert.equal(await readChunk(conn, 16), null);
});

Deno.test("the idle timeout closes a silent connection and logs one line", async () => {
  const { log, waitFor } = recordLog();
  await using server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    await readChunk(conn, 16);
  }, { idleTimeoutMs: 50, log });
  using conn = await connectTcp({ port: server.addr.port });
  assert.equal(await readChunk(conn, 16), null);
  await waitFor(
    /^Connection from 127\.0\.0\.1:\d+ closed: idle for 50 ms \(--idle-timeout-ms\)\.$/,
  );
});

Deno.test("with endReadsOnClose, close(grace) ends a handler waiting to read at once", async () => {
  let sawEnd = false;
  const reading = Promise.withResolvers<void>();
  const server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    const waiting = readChunk(conn, 16);
    reading.resolve();
    sawEnd = (await waiting) === null;
  }, { endReadsOnClose: true });
  using _conn = await connectTcp({ port: server.addr.port });
  await reading.promise;
  await server.close(600_000); // returns long before the grace period: nothing was in flight
  assert.ok(sawEnd, "the handler read end of stream and returned");
});

Deno.test("without endReadsOnClose, close(grace) leaves reads alone: the handler says goodbye first", async () => {
  const server = serveTcp(listenTcp({ port: 0 }), async (conn) => {
    const name = utf8.decode((await readChunk(conn, 16))!);
    await writeAll(conn, utf8.encode(`bye ${name}`));
  });
  using conn = await connectTcp({ port: server.addr.port });
  await writeAll(conn, utf8.encode("ada")); // the server is waiting for this, not ended
  const closing = server.close(600_000);
  assert.equal(utf8.decode((await readChunk(conn, 16))!), "bye ada");
  await closing;
});

Deno.test("a server on a non-loopback address gets a one-line warning, loopback none", () => {
  assert.equal(exposureWarning({ hostname: "127.0.0.1", port: 9999 }), undefined);
  assert.equal(exposureWarning({ hostname: "::1", port: 9999 }), undefined);
  assert.equal(
    exposureWarning({ hostname: "0.0.0.0", port: 9999 }),
    "warning: listening on 0.0.0.0:9999, every network interface: other machines can connect " +
      "(use --host 127.0.0.1 to keep it on this machine)",
  );
  assert.match(exposureWarning({ hostname: "192.168.1.5", port: 80 })!, /^warning: [^\n]+$/);
});

Deno.test("serveUntilCtrlC warns once about an exposed address, stops on the signal with a grace period", async () => {
  const { log, lines } = recordLog();
  const stop = new AbortController();
  let grace: number | undefined;
  const finished = Promise.withResolvers<void>();
  const server = {
    addr: { transport: "tcp" as const, hostname: "0.0.0.0", port: 9 },
    finished: finished.promise,
    close(graceMs?: number) {
      grace = graceMs;
      finished.resolve();
      return finished.promise;
    },
  };
  const serving = serveUntilCtrlC(server, log, { graceMs: 250, signal: stop.signal });
  stop.abort(); // what Ctrl+C does
  await serving;
  assert.equal(grace, 250);
  assert.deepEqual(lines, [
    exposureWarning(server.addr),
    "Ctrl+C: no new connections; open ones have 250 ms to finish...",
    "Server closed.",
  ]);
});
