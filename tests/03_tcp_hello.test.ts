import assert from "node:assert/strict";
import * as lesson from "../lessons/03_tcp_hello.ts";
import { LimitError } from "../lib/errors.ts";
import { TUTORIAL_NAMES } from "../lib/hello.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { serve, type Server } from "../lib/serve.ts";
import { underTest } from "./_exercise.ts";
import { closedPort, recordLog, runCli, utf8, within } from "./_util.ts";
import { connectAndReset } from "./hostile/_harness.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #03a ... #03e, when `deno task verify` checks that exercise).
const handleHelloConnection = await underTest(lesson, "handleHelloConnection");
const talkHello = await underTest(lesson, "talkHello");
const acceptLikeTheTutorial = await underTest(lesson, "acceptLikeTheTutorial");

/** A server around the handler under test, on a free port. */
function startServer(options: lesson.HelloOptions = {}): Server {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return serve(listener, (conn) => handleHelloConnection(conn, options), { log: options.log });
}

/** Connects to `server` and reads the greeting, failing in words if none comes. */
async function greeted(server: Server): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const what = "Welcome! from the server (does it send it as soon as a client connects?)";
  const greeting = await within(2_000, what, readChunk(conn, 1024));
  assert.ok(greeting !== null, "the server closed the connection without sending Welcome!");
  assert.equal(utf8.decode(greeting), "Welcome!");
  return conn;
}

/** The lesson's client, but never a hang: its conversation must be over within 2 s. */
function client(options: Parameters<typeof lesson.runHelloClient>[0]): Promise<string[]> {
  const what =
    "the client's conversation to finish (did the server send Welcome! and every reply?)";
  return within(2_000, what, lesson.runHelloClient(options));
}

/** One reply, or `null` at end of stream, within 2 s. */
function reply(conn: Deno.Conn, what: string): Promise<Uint8Array | null> {
  return within(2_000, what, readChunk(conn, 1024));
}

Deno.test("handleHelloConnection() sends Welcome! as soon as a client connects, before the client says anything #03a #03b", async () => {
  await using server = startServer();
  using _conn = await greeted(server);
});

Deno.test("handleHelloConnection() answers Hello, <name>! for each name, UTF-8 included #03b", async () => {
  await using server = startServer();
  const replies = await client({
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

Deno.test("handleHelloConnection() puts exactly the tutorial's bytes on the wire: 8-byte greeting, UTF-8 reply #03b", async () => {
  await using server = startServer();
  using conn = await greeted(server);
  await writeAll(conn, utf8.encode("张三"));
  assert.deepEqual(
    await reply(conn, "the reply to 张三"),
    new Uint8Array([...utf8.encode("Hello, "), 0xe5, 0xbc, 0xa0, 0xe4, 0xb8, 0x89, 0x21]),
  );
});

Deno.test("handleHelloConnection(): exit makes the server close the connection, the next read is end of stream #03b", async () => {
  await using server = startServer();
  using conn = await greeted(server);
  await writeAll(conn, utf8.encode("exit"));
  const what = 'end of stream after exit (does the loop stop on exactly "exit"?)';
  assert.equal(await reply(conn, what), null);
});

Deno.test("handleHelloConnection() ends when the client closes its side: end of stream both ways #03b", async () => {
  await using server = startServer();
  using conn = await greeted(server);
  await conn.closeWrite(); // Python: s.shutdown(SHUT_WR); the server's read returns null
  const what =
    "the server to close after the client's end of stream (does the loop stop when read() returns null?)";
  assert.equal(await reply(conn, what), null);
});

Deno.test("talkHello() reads the greeting, sends each name after the previous reply, then exit #03c", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHelloServer({ port: 0, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const replies = await within(2_000, "talkHello() to finish", talkHello(conn, TUTORIAL_NAMES));
  assert.deepEqual(replies, ["Welcome!", "Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
  await waitFor(/closed\.$/, 2_000); // it sent exit
});

Deno.test("the server logs the tutorial's lines for each accept and close", async () => {
  const { log, lines, waitFor } = recordLog();
  await using server = lesson.startHelloServer({ port: 0, log });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await reply(conn, "Welcome!");
  conn.closeWrite(); // EOF, the tutorial's `if not data: break`
  const peer = `127.0.0.1:${conn.localAddr.port}`;
  await waitFor(/closed\./);
  assert.deepEqual(lines.slice(-2), [
    `Accept new connection from ${peer}...`,
    `Connection from ${peer} closed.`,
  ]);
});

Deno.test("acceptLikeTheTutorial() serves clients at the same time: every client's delay starts before any ends #03d", async () => {
  // Each connection waits in `sleep` after a read, like the tutorial's
  // time.sleep(1). A server that served clients one after another could not
  // have all three inside `sleep` at once.
  const clients = 3;
  const events: string[] = [];
  const allStarted = Promise.withResolvers<void>();
  let started = 0;
  const sleep = async (_ms: number) => {
    events.push("start");
    if (++started === clients) allStarted.resolve();
    const what =
      "all three clients to be inside sleep() at once (are they served one after another?)";
    await within(2_000, what, allStarted.promise);
    events.push("end");
  };
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = acceptLikeTheTutorial(listener, { delayMs: 1000, sleep });
  try {
    const results = await within(
      2_000,
      "three clients' replies (is the loop accepting them?)",
      Promise.all(Array.from(
        { length: clients },
        (_, i) => client({ port: listener.addr.port, names: [`client ${i}`] }),
      )),
    );
    assert.deepEqual(events.slice(0, clients), Array(clients).fill("start"));
    assert.deepEqual(results.map((r) => r[1]), [
      "Hello, client 0!",
      "Hello, client 1!",
      "Hello, client 2!",
    ]);
  } finally {
    listener.close();
    await within(5_000, "acceptLikeTheTutorial() to return once the listener is closed", accepting);
  }
});

Deno.test("handleHelloConnection() sees a client's reset as ConnectionReset, logged in one line; the server goes on", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHelloServer({ port: 0, log });
  // An RST alone (SO_LINGER 0), as Python's close() sends with unread input.
  const port = await connectAndReset(server.addr.port);
  await waitFor(new RegExp(`^Connection from 127\\.0\\.0\\.1:${port} was reset by the peer\\.$`));
  const replies = await client({ port: server.addr.port, names: ["Tracy"] });
  assert.deepEqual(replies, ["Welcome!", "Hello, Tracy!"]);
});

Deno.test("handleHelloConnection() reads a real reset as a thrown Deno.errors.ConnectionReset", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const resetting = connectAndReset(listener.addr.port);
  using conn = await listener.accept();
  await resetting;
  await assert.rejects(
    within(5_000, "the handler to fail", lesson.handleHelloConnection(conn)),
    Deno.errors.ConnectionReset,
  );
});

Deno.test("startHelloServer().close() ends open connections and waits for their handlers", async () => {
  const server = lesson.startHelloServer({ port: 0 });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await reply(conn, "Welcome!");
  assert.equal(server.connections, 1);
  await within(2_000, "close() to end the open connection", server.close());
  assert.equal(server.connections, 0);
  assert.equal(await reply(conn, "end of stream after close()"), null);
});

Deno.test("deno task 03 client with no server prints one error line and exits 1", async () => {
  const port = closedPort();
  const { code, stderr } = await runCli(lesson.cli, ["client", "--port", `${port}`]);
  assert.equal(code, 1);
  assert.deepEqual(stderr, [
    `error: nothing is listening on 127.0.0.1:${port} (start the server first: deno task 03 server)`,
  ]);
});

Deno.test("deno task 03 server on a port in use prints one error line and exits 1", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { code, stderr } = await runCli(lesson.cli, ["server", "--port", `${taken.addr.port}`]);
  assert.equal(code, 1);
  assert.deepEqual(stderr, [
    `error: 127.0.0.1:${taken.addr.port} is already in use (another server running? stop it, or choose --port)`,
  ]);
});

Deno.test("deno task 03 rejects unknown commands, bad ports and unknown flags as usage errors", async (t) => {
  const cases: [string[], string][] = [
    [["serve"], 'error: unknown command "serve": expected server or client (see --help)'],
    [["client", "--port", "http"], 'error: --port must be a whole number, got "http" (see --help)'],
    [["client", "--prot", "1"], "error: unknown option '--prot' (see --help)"],
    [["client", "--delay-ms", "5"], "error: --delay-ms is not an option of client (see --help)"],
  ];
  for (const [args, expected] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, stderr } = await runCli(lesson.cli, args);
      assert.equal(code, 1);
      assert.deepEqual(stderr, [expected]);
    });
  }
});

Deno.test("deno task 03 --help lists the commands and every flag", async () => {
  const { code, stdout } = await runCli(lesson.cli, ["--help"]);
  assert.equal(code, 0);
  const help = stdout.join("\n");
  for (
    const expected of [
      "deno task 03 server",
      "deno task 03 client",
      "--delay-ms",
      "--max-connections",
      "--trace",
    ]
  ) {
    assert.ok(help.includes(expected), `--help lacks ${expected}`);
  }
});

Deno.test("deno task 03 server runs until Ctrl+C, then exits 0", async () => {
  const stop = new AbortController();
  const running = runCli(lesson.cli, ["server", "--port", "0"], stop.signal);
  stop.abort();
  const { code, stdout } = await within(5_000, "the server to stop after Ctrl+C", running);
  assert.equal(code, 0);
  assert.equal(stdout.at(-1), "Server closed.");
});

Deno.test("handleHelloConnection() answers exiting with Hello, exiting!: only exactly exit ends it #03b", async () => {
  await using server = startServer();
  const replies = await client({
    port: server.addr.port,
    names: ["exiting", "exit "],
  });
  assert.deepEqual(replies, ["Welcome!", "Hello, exiting!", "Hello, exit !"]);
});

Deno.test("handleHelloConnection() keeps a UTF-8 character cut between two reads #03b", async () => {
  // 张 is e5 bc a0. The first read gets e5 bc; decoding it alone would print
  // U+FFFD twice. With { stream: true } the cut bytes wait for the next read.
  await using server = startServer();
  using conn = await greeted(server);
  const read = () => reply(conn, "a reply");
  await writeAll(conn, new Uint8Array([0xe5, 0xbc]));
  assert.equal(utf8.decode((await read())!), "Hello, !");
  await writeAll(conn, new Uint8Array([0xa0, ...utf8.encode("三")]));
  assert.equal(utf8.decode((await read())!), "Hello, 张三!");
});

Deno.test("runHelloClient() refuses a name whose reply cannot fit one 1024-byte read, pointing at lesson 05", async () => {
  await using server = lesson.startHelloServer({ port: 0 });
  const name = "x".repeat(1_100);
  await assert.rejects(
    () => client({ port: server.addr.port, names: [name] }),
    (err) =>
      err instanceof LimitError && /1024-byte read/.test(err.message) &&
      /lesson 05/.test(err.hint ?? ""),
  );
  // 1017 bytes of name make a 1025-byte reply: one byte too many.
  await assert.rejects(
    () => client({ port: server.addr.port, names: ["z".repeat(1017)] }),
    LimitError,
  );
  // 1016 bytes of name + "Hello, " + "!" is exactly 1024: that still fits.
  const replies = await client({
    port: server.addr.port,
    names: ["y".repeat(1016)],
  });
  assert.equal(replies[1].length, 1024);
});

Deno.test("acceptLikeTheTutorial() serves the tutorial's client and returns once the listener is closed #03d", async () => {
  const listener = lesson.listenLikeTheTutorial(0);
  const accepting = acceptLikeTheTutorial(listener);
  const replies = await within(
    2_000,
    "the tutorial's conversation (is the loop accepting?)",
    lesson.runHelloClient({ port: listener.addr.port }),
  );
  assert.deepEqual(replies, ["Welcome!", "Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
  listener.close();
  await within(2_000, "the accept loop to return once the listener is closed", accepting);
});

Deno.test("the demo runs to the end and shows the whole conversation", async () => {
  const { log, lines } = recordLog();
  await within(10_000, "the demo to run to its end", lesson.cli.demo(log));
  const transcript = lines.join("\n");
  for (
    const expected of ["client │ ← Welcome!", "client │ ← Hello, Sarah!", "client │ ← Hello, 张三!"]
  ) {
    assert.ok(transcript.includes(expected), `missing: ${expected}`);
  }
});
