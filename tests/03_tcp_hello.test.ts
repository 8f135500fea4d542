import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { closedPort, recordLog, utf8 } from "./_util.ts";
import { formatError } from "../lib/errors.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { raceTimeout } from "../lib/udp.ts";

const lesson = await loadLesson<typeof import("../lessons/03_tcp_hello.ts")>("03_tcp_hello.ts");

Deno.test("the server sends Welcome! as soon as a client connects, before the client says anything", async () => {
  await using server = lesson.startHelloServer({ port: 0 });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const greeting = await readChunk(conn, 1024);
  assert.equal(greeting && utf8.decode(greeting), "Welcome!");
});

Deno.test("the tutorial's client gets Welcome! and Hello, <name>! for each name, UTF-8 included", async () => {
  await using server = lesson.startHelloServer({ port: 0 });
  const replies = await lesson.runHelloClient({
    port: server.addr.port,
    names: ["Michael", "Tracy", "Sarah", "张三"],
  });
  assert.deepEqual(replies, [
    "Welcome!",
    "Hello, Michael!",
    "Hello, Tracy!",
    "Hello, Sarah!",
    "Hello, 张三!",
  ]);
});

Deno.test("the bytes on the wire are exactly the tutorial's: 8-byte greeting, UTF-8 reply", async () => {
  await using server = lesson.startHelloServer({ port: 0 });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  assert.deepEqual(await readChunk(conn, 1024), utf8.encode("Welcome!"));
  await writeAll(conn, utf8.encode("张三"));
  assert.deepEqual(
    await readChunk(conn, 1024),
    new Uint8Array([...utf8.encode("Hello, "), 0xe5, 0xbc, 0xa0, 0xe4, 0xb8, 0x89, 0x21]),
  );
});

Deno.test("exit makes the server close the connection: the next read is end of stream", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHelloServer({ port: 0, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await readChunk(conn, 1024);
  await writeAll(conn, utf8.encode("exit"));
  assert.equal(await readChunk(conn, 1024), null);
  const peer = `127.0.0.1:${conn.localAddr.port}`;
  await waitFor(new RegExp(`Connection from ${peer} closed\\.`));
});

Deno.test("the server logs the tutorial's lines for each accept and close", async () => {
  const { log, lines, waitFor } = recordLog();
  await using server = lesson.startHelloServer({ port: 0, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await readChunk(conn, 1024);
  conn.closeWrite(); // EOF, the tutorial's `if not data: break`
  const peer = `127.0.0.1:${conn.localAddr.port}`;
  await waitFor(/closed\./);
  assert.deepEqual(lines.slice(-2), [
    `Accept new connection from ${peer}...`,
    `Connection from ${peer} closed.`,
  ]);
});

Deno.test("clients are served at the same time: every client's delay starts before any ends", async () => {
  // Each connection waits in `sleep` after a read, like the tutorial's
  // time.sleep(1). A server that served clients one after another could not
  // have all three inside `sleep` at once: the gate would time out, and the
  // event order would show start/end pairs instead of three starts.
  const clients = 3;
  const events: string[] = [];
  const allStarted = Promise.withResolvers<void>();
  let started = 0;
  const sleep = async (_ms: number) => {
    events.push("start");
    if (++started === clients) allStarted.resolve();
    await raceTimeout(allStarted.promise, 5_000);
    events.push("end");
  };
  await using server = lesson.startHelloServer({ port: 0, delayMs: 1000, sleep });
  const results = await Promise.all(
    Array.from(
      { length: clients },
      (_, i) => lesson.runHelloClient({ port: server.addr.port, names: [`client ${i}`] }),
    ),
  );
  assert.deepEqual(events.slice(0, clients), Array(clients).fill("start"));
  assert.deepEqual(results.map((r) => r[1]), [
    "Hello, client 0!",
    "Hello, client 1!",
    "Hello, client 2!",
  ]);
});

Deno.test("a client that resets mid-conversation does not stop the server", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHelloServer({ port: 0, log });
  {
    using rude = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await readChunk(rude, 1024); // Welcome!
    await writeAll(rude, utf8.encode("Michael"));
    // Read one byte of "Hello, Michael!" and close with the rest unread:
    // the kernel then answers with a reset (RST) instead of a FIN.
    assert.equal((await readChunk(rude, 1))?.length, 1);
  }
  // Deno reports a reset on read as end of stream, so the server logs a close.
  await waitFor(/^Connection from .* closed\.$/);
  const replies = await lesson.runHelloClient({ port: server.addr.port, names: ["Tracy"] });
  assert.deepEqual(replies, ["Welcome!", "Hello, Tracy!"]);
});

Deno.test("close() ends open connections and waits for their handlers", async () => {
  const server = lesson.startHelloServer({ port: 0 });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await readChunk(conn, 1024);
  assert.equal(server.connections, 1);
  await server.close();
  assert.equal(server.connections, 0);
  assert.equal(await readChunk(conn, 1024), null);
});

Deno.test("a client with no server fails with one line that says to start the server", async () => {
  const port = closedPort();
  await assert.rejects(
    () => lesson.runHelloClient({ port }),
    (err) => {
      assert.equal(
        formatError(err),
        `error: nothing is listening on 127.0.0.1:${port} (start the server first: deno task 03 server)`,
      );
      return true;
    },
  );
});

Deno.test("a second server on a port in use fails with one line that says what to do", async () => {
  await using first = lesson.startHelloServer({ port: 0 });
  assert.throws(
    () => lesson.startHelloServer({ port: first.addr.port }),
    (err) => {
      assert.equal(
        formatError(err),
        `error: port ${first.addr.port} is already in use (another server running? choose --port)`,
      );
      return true;
    },
  );
});

Deno.test("the command line rejects unknown commands and bad ports as usage errors", async () => {
  await assert.rejects(() => lesson.main(["serve"]), /unknown command "serve"/);
  await assert.rejects(
    () => lesson.main(["client", "--port", "http"]),
    /--port must be a whole number/,
  );
  await assert.rejects(() => lesson.main(["client", "--prot", "1"]), /unknown option '--prot'/);
});

Deno.test("the demo runs to the end and shows the whole conversation", async () => {
  const { log, lines } = recordLog();
  await lesson.demo(log);
  const transcript = lines.join("\n");
  for (
    const expected of ["client │ ← Welcome!", "client │ ← Hello, Sarah!", "client │ ← Hello, 张三!"]
  ) {
    assert.ok(transcript.includes(expected), `missing: ${expected}`);
  }
});
