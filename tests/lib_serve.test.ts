import assert from "node:assert/strict";
import { exposureWarning } from "../lib/addr.ts";
import { serveUntilCtrlC } from "../lib/cli.ts";
import { LimitError } from "../lib/errors.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { refuseWith } from "../lib/limits.ts";
import { serve } from "../lib/serve.ts";
import { connectAndReset } from "./hostile/_harness.ts";
import { recordLog, utf8, within } from "./_util.ts";

/** Resolves after `ms`: pacing a client, never waiting for the server. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const listen = () => Deno.listen({ hostname: "127.0.0.1", port: 0 });
const connect = (port: number) => Deno.connect({ hostname: "127.0.0.1", port });
/** One read, but never a hang: fails naming `what` after 5 s. */
const read = (conn: Deno.Conn, what: string) => within(5_000, what, readChunk(conn, 64));

/** Holds a connection until the client closes it (or the server does). */
async function holdUntilClosed(conn: Deno.Conn): Promise<void> {
  await readChunk(conn, 16);
}

/** An echo handler written with read() and write(). */
async function echo(conn: Deno.Conn): Promise<void> {
  for (let chunk; (chunk = await readChunk(conn, 16)) !== null;) await writeAll(conn, chunk);
}

Deno.test("serve() logs a handler that throws and keeps serving others", async () => {
  const { log, waitFor } = recordLog();
  let calls = 0;
  await using server = serve(listen(), async (conn) => {
    if (++calls === 1) throw new Error("boom");
    await writeAll(conn, utf8.encode("fine"));
  }, { log });
  {
    using first = await connect(server.addr.port);
    assert.equal(await read(first, "the close of the failed connection"), null);
  }
  await waitFor(/failed: boom$/);
  using second = await connect(server.addr.port);
  assert.equal(utf8.decode((await read(second, "fine"))!), "fine");
});

Deno.test("serve() logs a handler that hits a limit as one dropped line", async () => {
  const { log, waitFor } = recordLog();
  await using server = serve(listen(), () => {
    throw new LimitError("frame of 4294967295 bytes is over the 1048576-byte limit");
  }, { log });
  using conn = await connect(server.addr.port);
  const line = await waitFor(/dropped/);
  assert.equal(
    line,
    `Connection from 127.0.0.1:${conn.localAddr.port} dropped: frame of 4294967295 bytes is over the 1048576-byte limit.`,
  );
});

Deno.test("serve() logs a peer's reset (RST) as one line, not a failure", async () => {
  const { log, waitFor } = recordLog();
  await using server = serve(listen(), async (conn) => {
    await readChunk(conn, 16); // the reset makes this throw Deno.errors.ConnectionReset
  }, { log });
  // node:net's resetAndDestroy() sets SO_LINGER to 0 and closes: an RST
  // alone. (Deno's own close() sends FIN first, which reads as end of stream.)
  const port = await connectAndReset(server.addr.port);
  await waitFor(new RegExp(`^Connection from 127\\.0\\.0\\.1:${port} was reset by the peer\\.$`));
});

Deno.test("serve() runs handlers concurrently: a slow client does not hold up a fast one", async () => {
  const slowGate = Promise.withResolvers<void>();
  await using server = serve(listen(), async (conn) => {
    const what = utf8.decode((await readChunk(conn, 16))!);
    if (what === "slow") await slowGate.promise;
    await writeAll(conn, utf8.encode(`done ${what}`));
  });
  try {
    using slow = await connect(server.addr.port);
    await writeAll(slow, utf8.encode("slow"));
    using fast = await connect(server.addr.port);
    await writeAll(fast, utf8.encode("fast"));
    const what =
      "the fast client's reply while the slow one waits (is one client served at a time?)";
    assert.equal(utf8.decode((await read(fast, what))!), "done fast");
    slowGate.resolve();
    assert.equal(utf8.decode((await read(slow, "the slow client's reply"))!), "done slow");
  } finally {
    slowGate.resolve(); // whatever happened, let the slow handler finish
  }
});

Deno.test("serve().close(grace) lets in-flight replies finish", async () => {
  const received = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const server = serve(listen(), async (conn) => {
    await readChunk(conn, 16);
    received.resolve();
    await release.promise;
    await writeAll(conn, utf8.encode("finished"));
  });
  using conn = await connect(server.addr.port);
  try {
    await writeAll(conn, utf8.encode("work"));
    await within(5_000, "the server to read the request", received.promise);
    const closing = server.close(5_000);
    release.resolve();
    await within(5_000, "close(5000) to return once the reply is written", closing);
    assert.equal(utf8.decode((await read(conn, "the reply"))!), "finished");
  } finally {
    release.resolve();
    await server.close();
  }
});

Deno.test("serve().close() ends open connections; the port then refuses", async () => {
  const server = serve(listen(), echo);
  using conn = await connect(server.addr.port);
  await writeAll(conn, utf8.encode("x"));
  await read(conn, "the echo");
  assert.equal(server.connections, 1);
  await within(5_000, "close()", server.close());
  assert.equal(server.connections, 0);
  assert.equal(await read(conn, "end of stream after close()"), null);
  await assert.rejects(() => connect(server.addr.port), Deno.errors.ConnectionRefused);
});

Deno.test("serve() past maxConnections closes a client at once, even one with nothing to say", async () => {
  const { log, waitFor } = recordLog();
  await using server = serve(listen(), holdUntilClosed, { maxConnections: 1, log });
  using first = await connect(server.addr.port);
  using second = await connect(server.addr.port);
  assert.equal(await read(second, "the refused client's end of stream"), null);
  await waitFor(/^Refused 127\.0\.0\.1:\d+: 1 connections are open, the limit/);
  assert.equal(server.connections, 1);
  first.close();
});

Deno.test("refuseWith() words reach a client that had already sent its request", async () => {
  await using server = serve(listen(), holdUntilClosed, {
    maxConnections: 1,
    refuse: refuseWith(utf8.encode("HTTP/1.1 503 Service Unavailable\r\n\r\n")),
  });
  using _first = await connect(server.addr.port);
  using second = await connect(server.addr.port);
  // Closing with the request unread would send a reset, and the server's
  // kernel would drop whatever of the 503 it had not sent yet; refuseWith
  // shuts down its side and drains the request first.
  await writeAll(second, utf8.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.match(utf8.decode((await read(second, "the 503"))!), /^HTTP\/1\.1 503/);
  await second.closeWrite();
});

Deno.test("serve()'s idle timeout spares a connection that keeps talking, however long it lasts", async () => {
  await using server = serve(listen(), echo, { idleTimeoutMs: 60 });
  using conn = await connect(server.addr.port);
  // Ten round trips, 20 ms apart: 200 ms in all, more than three idle timeouts.
  for (let i = 0; i < 10; i++) {
    await writeAll(conn, utf8.encode(`${i}`));
    assert.equal(utf8.decode((await read(conn, `echo ${i}`))!), `${i}`);
    await pause(20);
  }
});

Deno.test("serve()'s idle timeout counts writes too: a server pushing to a silent client keeps it", async () => {
  await using server = serve(listen(), async (conn) => {
    for (let i = 0; i < 10; i++) {
      await writeAll(conn, utf8.encode("."));
      await pause(20);
    }
  }, { idleTimeoutMs: 60 });
  using conn = await connect(server.addr.port);
  let received = "";
  for (let chunk; (chunk = await read(conn, "the next dot")) !== null;) {
    received += utf8.decode(chunk);
  }
  assert.equal(received, "..........");
});

Deno.test("serve()'s idle timeout sees traffic through conn.readable and conn.writable too", async () => {
  await using server = serve(listen(), async (conn) => {
    await conn.readable.pipeTo(conn.writable); // an echo server written with streams
  }, { idleTimeoutMs: 60 });
  using conn = await connect(server.addr.port);
  for (let i = 0; i < 10; i++) {
    await writeAll(conn, utf8.encode(`${i}`));
    assert.equal(utf8.decode((await read(conn, `echo ${i}`))!), `${i}`);
    await pause(20);
  }
  await conn.closeWrite();
  assert.equal(await read(conn, "end of stream"), null);
});

Deno.test("serve()'s idle timeout closes a silent connection and logs one line", async () => {
  const { log, waitFor } = recordLog();
  await using server = serve(listen(), async (conn) => {
    await readChunk(conn, 16);
  }, { idleTimeoutMs: 50, log });
  using conn = await connect(server.addr.port);
  assert.equal(await read(conn, "the idle close"), null);
  await waitFor(
    /^Connection from 127\.0\.0\.1:\d+ closed: idle for 50 ms \(--idle-timeout-ms\)\.$/,
  );
});

Deno.test("serve()'s idle timeout waits the whole period after the last read or write, never less", async () => {
  // The handler measures, on the server's own clock, how long its last read
  // had been waiting when the idle timeout closed the connection. Only a
  // lower bound is asserted: however slow the machine, a correct server
  // cannot close sooner. Four clients go quiet at staggered moments, so the
  // timeout's periodic check meets them at different phases: a server that
  // closed after three quarters of the period would show it on most of them.
  const idleTimeoutMs = 800;
  const idleFor: number[] = [];
  await using server = serve(listen(), async (conn) => {
    const buffer = new Uint8Array(16);
    while (true) {
      const started = performance.now();
      try {
        const n = await conn.read(buffer);
        if (n === null) return;
        await conn.write(buffer.subarray(0, n));
      } catch (err) {
        idleFor.push(performance.now() - started);
        throw err;
      }
    }
  }, { idleTimeoutMs });
  await Promise.all([0, 1, 2, 3].map(async (i) => {
    using conn = await connect(server.addr.port);
    await pause(i * 50);
    await writeAll(conn, utf8.encode("last words"));
    await read(conn, "the echo");
    const closed = within(
      3 * idleTimeoutMs,
      "the idle timeout to close the connection",
      readChunk(conn, 16),
    );
    assert.equal(await closed, null);
  }));
  assert.equal(idleFor.length, 4);
  for (const ms of idleFor) {
    assert.ok(ms >= idleTimeoutMs, `closed after ${ms.toFixed(0)} ms of quiet`);
  }
});

Deno.test("serve() with endReadsOnClose: close(grace) ends a handler waiting to read at once", async () => {
  let sawEnd = false;
  const reading = Promise.withResolvers<void>();
  const server = serve(listen(), async (conn) => {
    const waiting = readChunk(conn, 16);
    reading.resolve();
    sawEnd = (await waiting) === null;
  }, { endReadsOnClose: true });
  using _conn = await connect(server.addr.port);
  await within(5_000, "the handler to start reading", reading.promise);
  // Returns long before the grace period: nothing was in flight.
  await within(5_000, "close(600000) with nothing in flight", server.close(600_000));
  assert.ok(sawEnd, "the handler read end of stream and returned");
});

Deno.test("serve() without endReadsOnClose: close(grace) leaves reads alone, the handler says goodbye first", async () => {
  const server = serve(listen(), async (conn) => {
    const name = utf8.decode((await readChunk(conn, 16))!);
    await writeAll(conn, utf8.encode(`bye ${name}`));
  });
  using conn = await connect(server.addr.port);
  await writeAll(conn, utf8.encode("ada")); // the server is waiting for this, not ended
  const closing = server.close(600_000);
  assert.equal(utf8.decode((await read(conn, "the goodbye"))!), "bye ada");
  await within(5_000, "close() once the handler returned", closing);
});

Deno.test("exposureWarning() warns about a non-loopback address, and about IPv4 reaching ::", () => {
  assert.equal(exposureWarning({ hostname: "127.0.0.1", port: 9999 }), undefined);
  assert.equal(exposureWarning({ hostname: "::1", port: 9999 }), undefined);
  assert.match(exposureWarning({ hostname: "0.0.0.0", port: 9999 })!, /^warning: [^\n]+$/);
  assert.match(exposureWarning({ hostname: "::", port: 9999 })!, /IPv4 clients reach it too/);
  assert.match(exposureWarning({ hostname: "192.168.1.5", port: 80 })!, /^warning: [^\n]+$/);
});

Deno.test("serveUntilCtrlC() warns once about an exposed address, stops on the signal with a grace period", async () => {
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
  await within(5_000, "serveUntilCtrlC to return after the signal", serving);
  assert.equal(grace, 250);
  assert.deepEqual(lines, [
    exposureWarning(server.addr),
    "Ctrl+C: no new connections; open ones have 250 ms to finish...",
    "Server closed.",
  ]);
});
