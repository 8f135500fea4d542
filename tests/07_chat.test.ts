import assert from "node:assert/strict";
import * as lesson from "../lessons/07_chat.ts";
import * as fullDuplex from "../lessons/07_chat/2_full_duplex.ts";
import * as relay from "../lessons/07_chat/3_relay.ts";
import * as backpressure from "../lessons/07_chat/4_backpressure.ts";
import * as controls from "../lessons/07_chat/5_control_characters.ts";
import { UsageError } from "../lib/errors.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { scriptedKeyboard } from "../lessons/07_chat/keyboard.ts";
import { encodeLine } from "../lib/lines.ts";
import { underTest } from "./_exercise.ts";
import { closedPort, recordLog, runCli, utf8, within } from "./_util.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #07a ... #07d, when `deno task verify` checks that exercise).
const runTurnClient = await underTest(lesson, "runTurnClient");
const talkBothWays = await underTest(fullDuplex, "talkBothWays");
const outbox = await underTest(backpressure, "outbox");
const withoutControls = await underTest(controls, "withoutControls");

/** How long any one wait on the network may take before the test fails, naming it. */
const DEADLINE = 5_000;

/** The same, for the checks of an exercise: a learner reads why within seconds. */
const WAIT = 2_000;

/** Reads everything until the peer closes, as text. */
async function readAll(conn: Deno.Conn, what = "the peer to close"): Promise<string> {
  return await within(
    DEADLINE,
    what,
    (async () => {
      let text = "";
      for (let chunk; (chunk = await readChunk(conn, 1024)) !== null;) text += utf8.decode(chunk);
      return text;
    })(),
  );
}

/**
 * True if `promise` is still pending after `ms` (a short wait on purpose: it
 * shows that something does NOT happen, such as a line sent out of turn).
 */
async function stillPendingAfter(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<true>((resolve) => timer = setTimeout(() => resolve(true), ms));
  try {
    return await Promise.race([promise.then(() => false, () => false), pending]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The next line from `lines`, within 2 s; fails in words when none comes or
 * the other side hangs up first.
 */
async function nextLine(lines: AsyncGenerator<string, void>, what: string): Promise<string> {
  const { value, done } = await within(WAIT, what, lines.next());
  if (done) throw new assert.AssertionError({ message: `the connection ended instead of ${what}` });
  return value;
}

/**
 * What `chat` resolves to, within 2 s. A chat that throws instead fails
 * saying so: `talkBothWays() threw Interrupted: ...`.
 */
function returned<T>(fn: string, what: string, chat: Promise<T>): Promise<T> {
  const thrown = (err: unknown): never => {
    throw new assert.AssertionError({ message: `${fn} threw ${err} instead; expected ${what}` });
  };
  return within(WAIT, what, chat.catch(thrown));
}

/** A connection and its other end, both on 127.0.0.1. */
async function connectedPair(): Promise<{ ours: Deno.TcpConn; theirs: Deno.TcpConn }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ours = await connect(listener.addr.port);
  const theirs = await within(WAIT, "the connection to be accepted", listener.accept());
  return { ours, theirs };
}

/** The relay server on a free port, relaying lines through the `withoutControls` under test. */
function startRelay(options: relay.ChatServerOptions = {}): relay.ChatServer {
  return relay.startChatServer({ port: 0, clean: withoutControls, ...options });
}

/** Types `lines`, then Ctrl+D. */
function typed(lines: string[]): ReadableStream<string> {
  const keyboard = scriptedKeyboard(lines);
  keyboard.end();
  return keyboard.lines;
}

/** Connects to the server on 127.0.0.1 at `port`. */
function connect(port: number): Promise<Deno.TcpConn> {
  return within(WAIT, "the connection", Deno.connect({ hostname: "127.0.0.1", port }));
}

// ── Turn-based (the tutorial's example 3) ───────────────────────────────────

Deno.test("startTurnServer() and runTurnClient(): the client speaks first, each hears the other in turn, esc ends both", async () => {
  const server = recordLog();
  const client = recordLog();
  await using turnServer = lesson.startTurnServer({
    port: 0,
    input: typed(["hello!", "fine"]),
    log: server.log,
  });
  const ending = await within(
    DEADLINE,
    "the turn client to finish",
    runTurnClient({
      port: turnServer.addr.port,
      input: typed(["hi", "how are you?", "esc"]),
      log: client.log,
    }),
  );
  assert.deepEqual(ending, { left: "me", how: "esc" });
  assert.deepEqual(await within(DEADLINE, "the server's ending", turnServer.ending), {
    left: "peer",
    how: "esc",
  });
  const conversation = [
    "client says: hi",
    "server says: hello!",
    "client says: how are you?",
    "server says: fine",
  ];
  assert.deepEqual(client.lines.slice(1), [...conversation, "You left the chat (esc)."]);
  assert.deepEqual(server.lines.slice(2), [...conversation, "The client left the chat (esc)."]);
});

Deno.test("startTurnServer(): the server may leave too, and Ctrl+D counts as esc", async () => {
  const server = recordLog();
  const client = recordLog();
  await using turnServer = lesson.startTurnServer({ port: 0, input: typed([]), log: server.log });
  const ending = await within(
    DEADLINE,
    "the turn client to finish",
    runTurnClient({
      port: turnServer.addr.port,
      input: typed(["hi", "never sent: it was not my turn when the server left"]),
      log: client.log,
    }),
  );
  assert.deepEqual(await within(DEADLINE, "the server's ending", turnServer.ending), {
    left: "me",
    how: "end of input",
  });
  assert.deepEqual(ending, { left: "peer", how: "esc" });
  assert.equal(server.lines.at(-1), "You left the chat (end of input).");
  assert.equal(client.lines.at(-1), "The server left the chat (esc).");
});

/** A listener for one turn client: the test plays the tutorial's server on the wire. */
async function turnClientOnTheWire(input: ReadableStream<string>) {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const chat = runTurnClient({ port: listener.addr.port, input });
  chat.catch(() => {}); // awaited by the test; a failure meanwhile is not "uncaught"
  const what = "runTurnClient() to connect (does it call Deno.connect with options.port?)";
  const conn = await within(WAIT, what, listener.accept());
  return { conn, lines: lesson.linesFrom(conn), chat };
}

Deno.test("runTurnClient() speaks first, then waits for the server's answer before its next line; esc is a line too #07a", async () => {
  const { conn, lines, chat } = await turnClientOnTheWire(typed(["hi", "how are you?", "esc"]));
  using _conn = conn;
  const first = '"hi\\n", the client\'s first line (does it speak first, sending the line typed?)';
  assert.equal(await nextLine(lines, first), "hi");
  // It is the server's turn: the client's next line must wait for its answer.
  const second = lines.next();
  assert.ok(
    await stillPendingAfter(200, second),
    "the client sent its second line before the server answered: a turn is input() then recv()",
  );
  await writeAll(conn, encodeLine("hello!"));
  const afterAnswer =
    '"how are you?" once the server answered (does it read one line, then speak?)';
  assert.deepEqual(await within(WAIT, afterAnswer, second), { value: "how are you?", done: false });
  await writeAll(conn, encodeLine("fine"));
  assert.equal(await nextLine(lines, '"esc", sent as a line like any other'), "esc");
  const hangUp =
    "the client to hang up after it sent esc (does it return, closing the connection?)";
  assert.equal((await within(WAIT, hangUp, lines.next())).done, true);
  assert.deepEqual(await returned("runTurnClient()", "runTurnClient() to return", chat), {
    left: "me",
    how: "esc",
  });
});

Deno.test("runTurnClient(): the server's esc ends the chat for the client too #07a", async () => {
  const { conn, lines, chat } = await turnClientOnTheWire(typed(["hi", "never sent"]));
  using _conn = conn;
  assert.equal(await nextLine(lines, '"hi", the client\'s first line'), "hi");
  await writeAll(conn, encodeLine("esc"));
  const hangUp =
    "the client to hang up after the server said esc (does it check each line it hears?)";
  assert.deepEqual(await within(WAIT, hangUp, lines.next()), { value: undefined, done: true });
  assert.deepEqual(await returned("runTurnClient()", "runTurnClient() to return", chat), {
    left: "peer",
    how: "esc",
  });
});

Deno.test("runTurnClient(): Ctrl+D on its turn sends esc, and the chat ends as the end of input #07a", async () => {
  const { conn, lines, chat } = await turnClientOnTheWire(typed([])); // Ctrl+D at once
  using _conn = conn;
  const esc = '"esc" when the keyboard ends (read() says done: Ctrl+D counts as esc)';
  assert.equal(await nextLine(lines, esc), "esc");
  assert.equal((await within(WAIT, "the client to hang up", lines.next())).done, true);
  assert.deepEqual(await returned("runTurnClient()", "runTurnClient() to return", chat), {
    left: "me",
    how: "end of input",
  });
});

Deno.test("runTurnClient(): a server that hangs up without esc ends the chat: the end of stream is checked #07a", async () => {
  const { conn, lines, chat } = await turnClientOnTheWire(typed(["anyone?", "never sent"]));
  {
    using _conn = conn;
    assert.equal(await nextLine(lines, '"anyone?", the client\'s first line'), "anyone?");
  } // the server hangs up without a word
  const what = "runTurnClient() to return after the server hung up " +
    "(a missing end-of-stream check: is lines.next() done?)";
  assert.deepEqual(await returned("runTurnClient()", what, chat), {
    left: "peer",
    how: "connection closed",
  });
});

Deno.test("runTurnClient(): a side that hangs up without esc ends the chat with a message", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = recordLog();
  const chat = runTurnClient({
    port: listener.addr.port,
    input: typed(["anyone?"]),
    log: client.log,
  });
  {
    using conn = await within(DEADLINE, "the client to connect", listener.accept());
    const line = await within(DEADLINE, "anyone?", readChunk(conn, 64));
    assert.equal(utf8.decode(line!), "anyone?\n");
  } // the server hangs up without a word
  assert.deepEqual(await within(DEADLINE, "the client's ending", chat), {
    left: "peer",
    how: "connection closed",
  });
  assert.equal(client.lines.at(-1), "The server left the chat (the connection closed).");
});

Deno.test("startTurnServer().close() (Ctrl+C) while it waits for the keyboard ends the chat on both sides", async () => {
  const keyboard = scriptedKeyboard(); // nobody types at the server
  const server = lesson.startTurnServer({ port: 0, input: keyboard.lines });
  const client = recordLog();
  const chat = runTurnClient({
    port: server.addr.port,
    input: typed(["hi"]),
    log: client.log,
  });
  await within(DEADLINE, "the client to speak", client.waitFor(/^client says: hi$/));
  await within(DEADLINE, "the server to stop", server.close());
  assert.deepEqual(await server.ending, { left: "me", how: "end of input" });
  assert.deepEqual(await within(DEADLINE, "the client's ending", chat), {
    left: "peer",
    how: "connection closed",
  });
});

Deno.test("startTurnServer() stops listening after its one client: a second one is refused", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startTurnServer({ port: 0, input: scriptedKeyboard().lines, log });
  const keyboard = scriptedKeyboard();
  const chat = runTurnClient({ port: server.addr.port, input: keyboard.lines });
  await waitFor(/^Client .* connected/); // logged once the listener is closed
  await assert.rejects(
    () =>
      within(WAIT, "a refusal", Deno.connect({ hostname: "127.0.0.1", port: server.addr.port })),
    Deno.errors.ConnectionRefused,
  );
  keyboard.type("esc");
  assert.deepEqual(await within(DEADLINE, "the chat to end", chat), { left: "me", how: "esc" });
});

Deno.test("linesFrom(): a 1,200-byte line cut inside a character arrives whole, where recv(1024) broke", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await connect(listener.addr.port);
  using conn = await within(DEADLINE, "accept", listener.accept());
  const wire = encodeLine("张".repeat(400)); // 1,200 bytes and "\n"
  await writeAll(client, wire.subarray(0, 1024)); // cut after the first byte of the 342nd 张
  const lines = lesson.linesFrom(conn);
  const next = lines.next();
  await writeAll(client, wire.subarray(1024));
  await writeAll(client, encodeLine("")); // an empty message is one "\n" byte
  await client.closeWrite();
  assert.deepEqual(await within(DEADLINE, "the long line", next), {
    value: "张".repeat(400),
    done: false,
  });
  assert.deepEqual(await within(DEADLINE, "the empty line", lines.next()), {
    value: "",
    done: false,
  });
  assert.equal((await within(DEADLINE, "end of stream", lines.next())).done, true);
});

// ── Full duplex: two loops over one connection ──────────────────────────────

/** A keyboard nobody types at, which tells when its reader lets it go. */
function watchedKeyboard(): { lines: ReadableStream<string>; letGo: Promise<void> } {
  const letGo = Promise.withResolvers<void>();
  const lines = new ReadableStream<string>({ cancel: () => letGo.resolve() });
  return { lines, letGo: letGo.promise };
}

Deno.test("talkBothWays() sends every line typed while the other side says nothing: no turns #07b", async () => {
  const { ours, theirs } = await connectedPair();
  using _ours = ours;
  const keyboard = scriptedKeyboard(["one", "two", "three"]);
  const chat = talkBothWays(ours, { input: keyboard.lines, name: "bob" });
  chat.catch(() => {}); // awaited below
  {
    using _theirs = theirs;
    const heard = lesson.linesFrom(theirs);
    for (const line of ["one", "two", "three"]) {
      const what = `"${line}" while the other side says nothing ` +
        "(does the speaking loop wait for an answer? hearing is the other loop's job)";
      assert.equal(await nextLine(heard, what), line);
    }
    keyboard.end(); // Ctrl+D
    const fin =
      "the end of stream after Ctrl+D (does it shut down its sending side: closeWrite()?)";
    assert.equal((await within(WAIT, fin, heard.next())).done, true);
  } // the other side hangs up too
  const what = "talkBothWays() to end once both sides are done";
  assert.deepEqual(await returned("talkBothWays()", what, chat), { received: [], left: "me" });
});

Deno.test("talkBothWays(): after /quit it shuts down writing (a FIN) and still hears the other side until it hangs up #07b", async () => {
  const { ours, theirs } = await connectedPair();
  using _ours = ours;
  const chat = talkBothWays(ours, { input: scriptedKeyboard(["bye", "/quit"]).lines, name: "z" });
  chat.catch(() => {}); // awaited below
  {
    using _theirs = theirs;
    const heard = lesson.linesFrom(theirs);
    assert.equal(await nextLine(heard, '"bye", the first line typed'), "bye");
    const fin = "the end of stream after /quit (does it call conn.closeWrite() when it leaves? " +
      "/quit itself is not sent)";
    assert.deepEqual(await within(WAIT, fin, heard.next()), { value: undefined, done: true });
    await writeAll(theirs, encodeLine("* z left")); // said after the FIN: must still arrive
  }
  const what = "talkBothWays() to end after the other side hung up " +
    "(does it keep hearing after closeWrite()? close() would lose `* z left`)";
  assert.deepEqual(await returned("talkBothWays()", what, chat), {
    received: ["* z left"],
    left: "me",
  });
});

Deno.test("talkBothWays(): when the other side hangs up first, it stops reading the keyboard and ends #07b", async () => {
  const { ours, theirs } = await connectedPair();
  using _ours = ours;
  const keyboard = watchedKeyboard(); // nobody types: only the hang-up can end this chat
  const chat = talkBothWays(ours, { input: keyboard.lines, name: "z" });
  chat.catch(() => {}); // awaited below
  {
    using _theirs = theirs;
    await writeAll(theirs, encodeLine("* server left"));
  } // the other side hangs up
  const letGo = "the keyboard to be let go after the other side hung up " +
    "(does it call keyboard.cancel() when hearing ends?)";
  await within(WAIT, letGo, keyboard.letGo);
  assert.deepEqual(await returned("talkBothWays()", "talkBothWays() to end", chat), {
    received: ["* server left"],
    left: "server",
  });
});

// ── The relay: one server, several people ───────────────────────────────────

/** runChatClient() around the talkBothWays() under test: connect, send the name, talk. */
async function chatClient(
  port: number,
  options: fullDuplex.BothWaysOptions,
): Promise<fullDuplex.BothWaysResult> {
  using conn = await connect(port);
  await writeAll(conn, encodeLine(options.name));
  return await talkBothWays(conn, options);
}

/** A chat member driven by the test: its keyboard, its screen, its run. */
function join(port: number, name: string) {
  const keyboard = scriptedKeyboard();
  const screen = recordLog();
  const chat = chatClient(port, { name, input: keyboard.lines, log: screen.log });
  // A chat that fails says why on its screen, so a test waiting for a line
  // sees the reason. The test still awaits `chat`, which rejects.
  chat.catch((err) => screen.log(`the chat failed: ${err}`));
  let over = "";
  chat.then((result) => over = `; talkBothWays() had returned ${JSON.stringify(result)}`, () => {});
  /** Waits for a line on this member's screen; fails naming it, with what was seen. */
  async function sees(pattern: RegExp, what: string): Promise<string> {
    try {
      return await screen.waitFor(pattern, WAIT);
    } catch {
      const saw = screen.lines.length ? screen.lines.join(" | ") : "nothing";
      throw new Error(`waited ${WAIT / 1000} s for ${what}; ${name} saw ${saw}${over}`);
    }
  }
  const ended = () =>
    returned(
      "talkBothWays()",
      `${name}'s chat to end (after /quit or Ctrl+D: closeWrite(), then hear until the ` +
        "server hangs up; after the server hung up: stop reading the keyboard)",
      chat,
    );
  return { keyboard, screen, chat, sees, ended };
}

Deno.test("startChatServer(): each line reaches every other member with the sender's name, not the sender", async () => {
  await using server = startRelay();
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.sees(/^\* welcome/, "alice's welcome");
  const bob = join(port, "bob");
  await alice.sees(/^\* bob joined$/, "bob's arrival at alice");
  const carol = join(port, "carol");
  await bob.sees(/^\* carol joined$/, "carol's arrival at bob");
  assert.deepEqual(server.members, ["alice", "bob", "carol"]);

  alice.keyboard.type("hi all");
  await bob.sees(/^alice: hi all$/, "alice's line at bob");
  await carol.sees(/^alice: hi all$/, "alice's line at carol");

  for (const member of [alice, bob, carol]) member.keyboard.end();
  const [a, b, c] = await Promise.all([alice.ended(), bob.ended(), carol.ended()]);
  assert.ok(!a.received.includes("alice: hi all"), "the sender does not get its own line");
  assert.deepEqual(b.received.slice(0, 3), [
    "* welcome, bob! here: alice",
    "* carol joined",
    "alice: hi all",
  ]);
  assert.equal(c.received[0], "* welcome, carol! here: alice, bob");
});

Deno.test("a relay member sends several lines without waiting for anyone's answer (full duplex) #07b", async () => {
  await using server = startRelay();
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.sees(/^\* welcome/, "alice's welcome");
  const bob = join(port, "bob");
  await alice.sees(/^\* bob joined$/, "bob's arrival");
  // alice types nothing at all, yet bob's three lines all go out and arrive.
  bob.keyboard.type("one");
  bob.keyboard.type("two");
  bob.keyboard.type("three");
  await alice.sees(/^bob: three$/, "bob's third line at alice, who never answered");
  assert.deepEqual(alice.screen.lines.slice(-3), ["bob: one", "bob: two", "bob: three"]);
  alice.keyboard.end();
  bob.keyboard.end();
  await Promise.all([alice.ended(), bob.ended()]);
});

Deno.test("runChatClient() with echo shows our own lines as NAME (you): TEXT", async () => {
  await using server = startRelay();
  const keyboard = scriptedKeyboard(["one", "two"]);
  keyboard.end();
  const screen = recordLog();
  const input = keyboard.lines;
  const chat = relay.runChatClient({
    port: server.addr.port,
    name: "bob",
    input,
    echo: true,
    log: screen.log,
  });
  await within(DEADLINE, "bob's chat to end", chat);
  assert.deepEqual(screen.lines.filter((line) => line.includes("(you)")), [
    "bob (you): one",
    "bob (you): two",
  ]);
});

Deno.test("a relay member's /quit ends the chat on both sides, the leaver and the others see who left #07b", async () => {
  await using server = startRelay();
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.sees(/^\* welcome/, "alice's welcome");
  const bob = join(port, "bob");
  await alice.sees(/^\* bob joined$/, "bob's arrival");

  alice.keyboard.type("/quit");
  const result = await alice.ended();
  assert.equal(result.left, "me");
  assert.equal(result.received.at(-1), "* alice left");
  await bob.sees(/^\* alice left$/, "alice's leaving at bob");
  assert.deepEqual(server.members, ["bob"]);
  alice.keyboard.type("typed after leaving: goes nowhere");

  bob.keyboard.end();
  await bob.ended();
});

Deno.test("a relay member's Ctrl+D (the end of input) leaves like /quit, a FIN, then '* NAME left' #07b", async () => {
  await using server = startRelay();
  const { port } = server.addr;
  const bob = join(port, "bob");
  await bob.sees(/^\* welcome/, "bob's welcome");
  const alice = join(port, "alice");
  await bob.sees(/^\* alice joined$/, "alice's arrival");
  alice.keyboard.type("bye");
  alice.keyboard.end();
  assert.deepEqual((await alice.ended()).received, [
    "* welcome, alice! here: bob",
    "* alice left",
  ]);
  await bob.sees(/^\* alice left$/, "alice's leaving at bob");
  assert.deepEqual(bob.screen.lines.slice(-2), ["alice: bye", "* alice left"]);
  bob.keyboard.end();
  await bob.ended();
});

Deno.test("startChatServer().close(): every client hears '* server left', stops reading its keyboard, and ends #07b", async () => {
  const server = startRelay();
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.sees(/^\* welcome/, "alice's welcome");
  const bob = join(port, "bob");
  await alice.sees(/^\* bob joined$/, "bob's arrival");
  await within(DEADLINE, "the server to close", server.close());
  const [a, b] = await Promise.all([alice.ended(), bob.ended()]);
  assert.equal(a.left, "server");
  assert.equal(b.left, "server");
  assert.equal(a.received.at(-1), "* server left");
  assert.equal(b.received.at(-1), "* server left");
  // Their keyboards were let go: typing now reaches nobody and breaks nothing.
  alice.keyboard.type("hello?");
});

Deno.test("startChatServer(): the bytes on the wire, name line in, welcome and leave lines out", async () => {
  await using server = startRelay();
  using conn = await connect(server.addr.port);
  await writeAll(conn, utf8.encode("alice\n/quit\n"));
  assert.equal(await readAll(conn), "* welcome, alice! nobody else is here yet\n* alice left\n");
});

Deno.test("startChatServer(): nc-style \\r\\n line ends are accepted, the relayed line has no \\r", async () => {
  await using server = startRelay();
  const bob = join(server.addr.port, "bob");
  await bob.sees(/^\* welcome/, "bob's welcome");
  {
    using nc = await connect(server.addr.port);
    await writeAll(nc, utf8.encode("alice\r\nhi from nc\r\n"));
    await bob.sees(/^alice: hi from nc$/, "nc's line at bob, without \\r");
    await nc.closeWrite();
    await readAll(nc);
  }
  bob.keyboard.end();
  await bob.ended();
});

// ── What the tutorial leaves out: backpressure, control characters ──────────

Deno.test("outbox() gives up on a member at the first byte past maxPending, not at maxPending #07c", async () => {
  const { ours, theirs } = await connectedPair();
  using _ours = ours; // the member, who reads nothing until the end
  using _theirs = theirs;
  let tooSlow = 0;
  const member = outbox(theirs, 100, () => tooSlow++);
  const line = "a".repeat(49); // 50 bytes with its "\n"
  member.send(line);
  member.send(line); // 100 bytes wait, none taken yet: exactly maxPending is still fine
  assert.equal(tooSlow, 0, "onTooSlow() was called with exactly maxPending (100) bytes waiting");
  member.send("b"); // 102 bytes
  assert.equal(
    tooSlow,
    1,
    "onTooSlow() was not called when 102 bytes waited (more than maxPending, 100): " +
      "does send() count each line's bytes, and compare before queueing?",
  );
  member.send("c");
  assert.equal(tooSlow, 1, "onTooSlow() was called again: once given up, send() takes no more");
  await within(WAIT, "hangUp() to write what was queued and shut down", member.hangUp());
  assert.equal(await readAll(ours, "the member's lines, then end of stream"), `${line}\n${line}\n`);
});

Deno.test("outbox() keeps a member who reads: bytes the kernel took no longer count #07c", async () => {
  const { ours, theirs } = await connectedPair();
  using _ours = ours;
  using _theirs = theirs;
  let tooSlow = 0;
  const member = outbox(theirs, 120, () => tooSlow++);
  const heard = lesson.linesFrom(ours);
  for (let i = 0; i < 20; i++) {
    const line = `line ${i} `.padEnd(49, "."); // 50 bytes each, 1,000 in all
    member.send(line);
    assert.equal(
      tooSlow,
      0,
      `onTooSlow() was called at line ${i + 1} for a member who read every line before it: ` +
        "bytes write() has handed to the kernel no longer wait (pending -= n)",
    );
    assert.equal(await nextLine(heard, `line ${i} at the member`), line);
  }
  await within(WAIT, "hangUp()", member.hangUp());
  assert.equal((await within(WAIT, "the end of stream", heard.next())).done, true);
});

// Issue 16: a filter that lost DEL or the C1 controls must fail here. U+009B
// is CSI, the one-character ESC [; U+0080 and U+009F are the ends of C1.
Deno.test("startChatServer(): DEL and the C1 controls (U+009B is CSI) never reach the other members #07d", async () => {
  const { log, lines } = recordLog();
  await using server = startRelay({ log });
  const bob = join(server.addr.port, "bob");
  await bob.sees(/^\* welcome/, "bob's welcome");
  using rude = await connect(server.addr.port);
  await writeAll(rude, encodeLine("rude"));
  await bob.sees(/^\* rude joined$/, "rude's arrival");
  await writeAll(rude, encodeLine("a\x7fb\u009b2Jc\u0080d\u009fe\u00a0f\tg\x1b[2J"));
  const relayed = await bob.sees(/^rude: /, "rude's line at bob");
  assert.doesNotMatch(relayed, /[\x7f-\x9f]/, "DEL or a C1 control reached bob");
  assert.equal(relayed, "rude: a�b�2Jc�d�e\u00a0f\tg�[2J");
  // deno-lint-ignore no-control-regex
  const raw = lines.filter((line) => /[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(line));
  assert.deepEqual(raw, [], "the server logged rude's control characters raw");
  bob.keyboard.end();
  await bob.ended();
});

Deno.test("withoutControls() replaces every C0 control but tab, DEL and every C1 control, nothing else #07d", () => {
  for (let code = 0; code < 0x100; code++) {
    const char = String.fromCharCode(code);
    const control = (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f);
    const name = `U+${code.toString(16).padStart(4, "0").toUpperCase()}`;
    assert.equal(
      withoutControls(char),
      control ? "\ufffd" : char,
      `${name}: ${control ? "a control: must become �" : "not a control: must stay"}`,
    );
  }
  assert.equal(withoutControls("张三\u00a0说：hi"), "张三\u00a0说：hi");
  assert.equal(withoutControls("\x1b[2J\x1b[2J"), "�[2J�[2J", "every control, not only the first");
});

// The chat client reads lines with the lesson's linesFrom(): however the
// server's bytes are split or merged, each line arrives whole.
const wire = utf8.encode("* welcome, z!\na: hé\n* z left\n");
const splits: { label: string; writes: Uint8Array[] }[] = [
  {
    label: "each line in its own write",
    writes: ["* welcome, z!\n", "a: hé\n", "* z left\n"].map(utf8.encode),
  },
  { label: "everything in one write (sticky)", writes: [wire] },
  {
    label: "one byte per write, é split in two",
    writes: [...wire].map((byte) => new Uint8Array([byte])),
  },
  {
    label: "cut inside the é and inside the last line",
    writes: [wire.subarray(0, 19), wire.subarray(19, 27), wire.subarray(27)],
  },
];

for (const { label, writes } of splits) {
  Deno.test(`runChatClient() gets whole lines: ${label}`, async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const chat = relay.runChatClient({ port: listener.addr.port, name: "z", input: typed([]) });
    chat.catch(() => {}); // awaited below; a failure meanwhile must not be reported as uncaught
    {
      using conn = await within(DEADLINE, "the client to connect", listener.accept());
      for (const bytes of writes) await writeAll(conn, bytes);
      assert.equal(await readAll(conn), "z\n"); // the name, then the client's FIN
    }
    const result = await within(DEADLINE, "the chat to end", chat);
    assert.deepEqual(result.received, ["* welcome, z!", "a: hé", "* z left"]);
  });
}

// ── Limits and refusals ─────────────────────────────────────────────────────

const refusals: { label: string; name: string; line: string }[] = [
  {
    label: "a name with a space",
    name: "a b",
    line: '* invalid name "a b": use 1 to 32 letters, digits, _ - or .',
  },
  {
    label: "an empty name",
    name: "",
    line: '* invalid name "": use 1 to 32 letters, digits, _ - or .',
  },
  { label: "the server's own name", name: "server", line: '* the name "server" is reserved' },
  {
    label: "a name already in the chat",
    name: "alice",
    line: '* the name "alice" is taken: choose another',
  },
];

for (const { label, name, line } of refusals) {
  Deno.test(`startChatServer() refuses ${label} with one line and hangs up`, async () => {
    await using server = startRelay();
    const alice = join(server.addr.port, "alice");
    await alice.sees(/^\* welcome/, "alice's welcome");
    {
      using conn = await connect(server.addr.port);
      await writeAll(conn, encodeLine(name));
      assert.equal(await readAll(conn), `${line}\n`);
    }
    assert.deepEqual(server.members, ["alice"]);
    alice.keyboard.end();
    await alice.ended();
  });
}

Deno.test("startChatServer(): a full chat refuses the next member (--max-members)", async () => {
  await using server = startRelay({ maxMembers: 1 });
  const alice = join(server.addr.port, "alice");
  await alice.sees(/^\* welcome/, "alice's welcome");
  const bob = await within(
    DEADLINE,
    "bob to be refused",
    relay.runChatClient({
      port: server.addr.port,
      name: "bob",
      input: scriptedKeyboard().lines, // bob stays: the server is the one who hangs up
    }),
  );
  assert.deepEqual(bob, { received: ["* the chat is full (1 people)"], left: "server" });
  alice.keyboard.end();
  await alice.ended();
});

Deno.test("startChatServer(): a line over --max-line drops only that member, and the others hear why", async () => {
  const { log, waitFor } = recordLog();
  await using server = startRelay({ maxLine: 16, log });
  const bob = join(server.addr.port, "bob");
  await bob.sees(/^\* welcome/, "bob's welcome");
  {
    using mallory = await connect(server.addr.port);
    await writeAll(mallory, utf8.encode("mallory\n"));
    await bob.sees(/^\* mallory joined$/, "mallory's arrival");
    await writeAll(mallory, utf8.encode("x".repeat(100))); // no "\n" in sight
    assert.equal(
      await readAll(mallory),
      "* welcome, mallory! here: bob\n" +
        '* mallory left (a line longer than 16 bytes arrived without "\\n")\n',
    );
  }
  await bob.sees(/^\* mallory left \(a line longer than 16 bytes/, "mallory's leaving, and why");
  await waitFor(/^mallory left/);
  bob.keyboard.type("still here");
  bob.keyboard.end();
  assert.equal((await bob.ended()).left, "me");
});

Deno.test("startChatServer(): garbage before any name is refused with one line saying why", async () => {
  await using server = startRelay({ maxLine: 16 });
  using conn = await connect(server.addr.port);
  await writeAll(conn, utf8.encode("y".repeat(100)));
  assert.equal(await readAll(conn), '* a line longer than 16 bytes arrived without "\\n"\n');
});

Deno.test("startChatServer(): a member with more than --max-pending bytes waiting for it is hung up on", async () => {
  const { log, waitFor } = recordLog();
  await using server = startRelay({ maxPending: 64, log });
  const slow = join(server.addr.port, "slow");
  await slow.sees(/^\* welcome/, "slow's welcome");
  const alice = join(server.addr.port, "alice");
  await slow.sees(/^\* alice joined$/, "alice's arrival");
  alice.keyboard.type("y".repeat(80)); // one line is already more than 64 bytes for "slow"
  assert.equal(
    await waitFor(/not reading/),
    "slow is not reading: more than 64 bytes wait for them; hanging up.",
  );
  await alice.sees(/^\* slow left \(connection lost\)$/, "slow's leaving at alice");
  assert.equal((await slow.ended()).left, "server");
  alice.keyboard.end();
  await alice.ended();
});

Deno.test("startChatServer(): a member who never reads is dropped, and the others never wait for it", async () => {
  const { log, waitFor } = recordLog();
  await using server = startRelay({ log }); // --max-pending 1 MiB
  using stuck = await connect(server.addr.port); // joins, then never reads again
  await writeAll(stuck, encodeLine("stuck"));
  await waitFor(/^stuck joined/);
  using bob = await connect(server.addr.port);
  await writeAll(bob, encodeLine("bob"));
  const heard = lesson.linesFrom(bob, 1 << 20);
  const next = async (what: string) => {
    const { value, done } = await within(DEADLINE, what, heard.next());
    if (done) {
      throw new assert.AssertionError({ message: `bob was hung up on, waiting for ${what}` });
    }
    return value;
  };
  assert.match(await next("bob's welcome"), /^\* welcome, bob!/);
  using alice = await connect(server.addr.port);
  await writeAll(alice, encodeLine("alice"));
  assert.equal(await next("alice's arrival"), "* alice joined");
  // Far more than the kernels' buffers (about 4 MB here) and the 1 MiB queue
  // hold for stuck: its writes wait, while every line reaches bob at once.
  const text = "z".repeat(16 * 1024);
  const lines = 640; // 10 MiB
  const notices: string[] = [];
  for (let i = 0; i < lines; i++) {
    await within(
      DEADLINE,
      `the server to take line ${i} from alice`,
      writeAll(alice, encodeLine(text)),
    );
    let line;
    while ((line = await next(`line ${i} at bob`)) !== `alice: ${text}`) notices.push(line);
  }
  assert.equal(
    await waitFor(/^stuck is not reading/),
    "stuck is not reading: more than 1048576 bytes wait for them; hanging up.",
  );
  if (notices.length === 0) notices.push(await next("stuck's leaving"));
  assert.deepEqual(notices, ["* stuck left (connection lost)"]);
});

Deno.test("runChatClient() checks the name before connecting: it refuses it itself", async () => {
  await assert.rejects(
    () => relay.runChatClient({ port: closedPort(), name: "no spaces", input: typed([]) }),
    UsageError,
  );
});

const names: { name: string; ok: boolean }[] = [
  { name: "alice", ok: true },
  { name: "张三", ok: true },
  { name: "bob_2.0-x", ok: true },
  { name: "x".repeat(32), ok: true },
  { name: "x".repeat(33), ok: false },
  { name: "a:b", ok: false },
  { name: "*", ok: false },
  { name: "server", ok: false },
];

for (const { name, ok } of names) {
  Deno.test(`nameProblem(): "${name.length > 12 ? `${name.length} × x` : name}" is ${ok ? "fine" : "refused"}`, () => {
    assert.equal(controls.nameProblem(name) === undefined, ok);
  });
}

// ── The keyboard, the demo, the command line ────────────────────────────────

Deno.test("scriptedKeyboard() gives lines typed before and after reading starts, then ends", async () => {
  const keyboard = scriptedKeyboard(["early"]);
  const reader = keyboard.lines.getReader();
  assert.deepEqual(await reader.read(), { value: "early", done: false });
  const next = reader.read();
  keyboard.type("late");
  assert.deepEqual(await next, { value: "late", done: false });
  keyboard.end();
  assert.deepEqual(await reader.read(), { value: undefined, done: true });
  keyboard.type("after the end: ignored");
});

Deno.test("the demo shows turns, three members and every way of leaving, a slow member, a quiet one", async () => {
  const { log, lines } = recordLog();
  await within(30_000, "the demo to finish", lesson.cli.demo(log));
  const text = lines.join("\n");
  assert.match(
    text,
    /client │ client says: hi\nserver │ client says: hi\nserver │ server says: hello!/,
  );
  assert.match(text, /alice +│ bob: two lines in a row: no turns here/);
  assert.match(text, /bob +│ \* alice left/);
  assert.match(text, /carol +│ \* bob left/);
  assert.match(text, /carol +│ \* server left/);
  assert.match(text, /server │ slow is not reading: more than 262144 bytes wait for them/);
  assert.match(text, /server │ Connection from 127\.0\.0\.1:\d+ closed: idle for 200 ms/);
});

Deno.test("cli: --help lists the four commands and the relay's limits", async () => {
  const { code, stdout } = await runCli(lesson.cli, ["--help"]);
  assert.equal(code, 0);
  const help = stdout.join("\n");
  for (const command of ["turn-server", "turn-client", "server", "client"]) {
    assert.match(help, new RegExp(`deno task 07 ${command} `));
  }
  assert.match(help, /--max-pending N/);
  assert.match(help, /--max-connections N/);
});

const usageErrors: { args: string[]; error: string }[] = [
  { args: ["client"], error: "error: client needs a name: client alice (see --help)" },
  { args: ["client", "a", "b"], error: 'error: client takes one name, got "b" too (see --help)' },
  {
    args: ["server", "extra"],
    error: 'error: server takes no arguments, got "extra" (see --help)',
  },
  {
    args: ["chat"],
    error:
      'error: unknown command "chat": expected turn-server or turn-client or server or client (see --help)',
  },
];

for (const { args, error } of usageErrors) {
  Deno.test(`cli: "${args.join(" ")}" is one error line and exit 1`, async () => {
    const { code, stderr } = await runCli(lesson.cli, args);
    assert.equal(code, 1);
    assert.deepEqual(stderr, [error]);
  });
}

Deno.test("cli: a client with no server is one error line naming the address, exit 1", async () => {
  const port = closedPort();
  const { code, stderr } = await within(
    DEADLINE,
    "the client to fail",
    runCli(lesson.cli, ["client", "alice", "--port", `${port}`]),
  );
  assert.equal(code, 1);
  assert.deepEqual(stderr, [
    `error: nothing is listening on 127.0.0.1:${port} (start the server first: deno task 07 server)`,
  ]);
});

Deno.test("cli: the relay server runs until Ctrl+C, then exits 0", async () => {
  const stop = new AbortController();
  const running = runCli(lesson.cli, ["server", "--port", "0"], stop.signal);
  stop.abort();
  const { code, stdout } = await within(DEADLINE, "the server to stop after Ctrl+C", running);
  assert.equal(code, 0);
  assert.match(stdout.join("\n"), /Chat server on 127\.0\.0\.1:\d+/);
  assert.equal(stdout.at(-1), "Server closed.");
});
