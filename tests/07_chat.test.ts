import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { recordLog, utf8 } from "./_util.ts";
import { UsageError } from "../lib/errors.ts";
import { encodeLine, readLines } from "../lib/framing.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { scriptedKeyboard } from "../lib/keyboard.ts";
import { connectTcp, listenTcp } from "../lib/tcp.ts";

const lesson = await loadLesson<typeof import("../lessons/07_chat.ts")>("07_chat.ts");

/** Reads everything until the peer closes, as text. */
async function readAll(conn: Deno.Conn): Promise<string> {
  let text = "";
  for (let chunk; (chunk = await readChunk(conn, 1024)) !== null;) text += utf8.decode(chunk);
  return text;
}

/** Types `lines`, then Ctrl+D. */
function typed(lines: string[]): ReadableStream<string> {
  const keyboard = scriptedKeyboard(lines);
  keyboard.end();
  return keyboard.lines;
}

// ── Turn-based (seed 004, example 3) ────────────────────────────────────────

Deno.test("turn-based: the client speaks first, each side hears the other in turn, esc ends both", async () => {
  const server = recordLog();
  const client = recordLog();
  await using turnServer = lesson.startTurnServer({
    port: 0,
    input: typed(["hello!", "fine"]),
    log: server.log,
  });
  const ending = await lesson.runTurnClient({
    port: turnServer.addr.port,
    input: typed(["hi", "how are you?", "esc"]),
    log: client.log,
  });
  assert.deepEqual(ending, { left: "me", how: "esc" });
  assert.deepEqual(await turnServer.ending, { left: "peer", how: "esc" });
  const conversation = [
    "client says: hi",
    "server says: hello!",
    "client says: how are you?",
    "server says: fine",
  ];
  assert.deepEqual(client.lines.slice(1), [...conversation, "You left the chat (esc)."]);
  assert.deepEqual(server.lines.slice(2), [...conversation, "The client left the chat (esc)."]);
});

Deno.test("turn-based: the server may leave too, and Ctrl+D counts as esc", async () => {
  const server = recordLog();
  const client = recordLog();
  await using turnServer = lesson.startTurnServer({ port: 0, input: typed([]), log: server.log });
  const ending = await lesson.runTurnClient({
    port: turnServer.addr.port,
    input: typed(["hi", "never sent: it was not my turn when the server left"]),
    log: client.log,
  });
  assert.deepEqual(await turnServer.ending, { left: "me", how: "end of input" });
  assert.deepEqual(ending, { left: "peer", how: "esc" });
  assert.equal(server.lines.at(-1), "You left the chat (end of input).");
  assert.equal(client.lines.at(-1), "The server left the chat (esc).");
});

Deno.test("turn-based: the bytes on the wire are lines, and esc is a line too", async () => {
  using listener = listenTcp({ port: 0 });
  const chat = lesson.runTurnClient({ port: listener.addr.port, input: typed(["hi", "esc"]) });
  using conn = await listener.accept();
  const lines = readLines(conn).getReader();
  assert.deepEqual(await lines.read(), { value: "hi", done: false });
  await writeAll(conn, utf8.encode("hello\n"));
  assert.deepEqual(await lines.read(), { value: "esc", done: false });
  assert.deepEqual(await lines.read(), { value: undefined, done: true }); // then the client hung up
  assert.deepEqual(await chat, { left: "me", how: "esc" });
});

Deno.test("turn-based: a side that hangs up without esc ends the chat with a message", async () => {
  using listener = listenTcp({ port: 0 });
  const client = recordLog();
  const chat = lesson.runTurnClient({
    port: listener.addr.port,
    input: typed(["anyone?"]),
    log: client.log,
  });
  {
    using conn = await listener.accept();
    assert.equal(utf8.decode((await readChunk(conn, 64))!), "anyone?\n");
  } // the server hangs up without a word
  assert.deepEqual(await chat, { left: "peer", how: "connection closed" });
  assert.equal(client.lines.at(-1), "The server left the chat (the connection closed).");
});

// ── Full duplex: one relay server, several clients ──────────────────────────

/** A chat member driven by the test: its keyboard, its screen, its run. */
function join(port: number, name: string, options: { echo?: boolean } = {}) {
  const keyboard = scriptedKeyboard();
  const screen = recordLog();
  const chat = lesson.runChatClient({
    port,
    name,
    input: keyboard.lines,
    log: screen.log,
    echo: options.echo,
  });
  // A chat that fails says why on its screen, so a test waiting for a line
  // fails at once with the reason (a TODO's words) instead of waiting for a
  // line that cannot come. The test still awaits `chat`, which rejects.
  chat.catch((err) => screen.log(`the chat failed: ${err}`));
  return { keyboard, screen, chat };
}

Deno.test("each line reaches every other member with the sender's name, not the sender", async () => {
  await using server = lesson.startChatServer({ port: 0 });
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.screen.waitFor(/^\* welcome/);
  const bob = join(port, "bob");
  await alice.screen.waitFor(/^\* bob joined$/);
  const carol = join(port, "carol");
  await bob.screen.waitFor(/^\* carol joined$/);
  assert.deepEqual(server.members, ["alice", "bob", "carol"]);

  alice.keyboard.type("hi all");
  await bob.screen.waitFor(/^alice: hi all$/);
  await carol.screen.waitFor(/^alice: hi all$/);

  for (const member of [alice, bob, carol]) member.keyboard.end();
  const [a, b, c] = await Promise.all([alice.chat, bob.chat, carol.chat]);
  assert.ok(!a.received.includes("alice: hi all"), "the sender does not get its own line");
  assert.deepEqual(b.received.slice(0, 3), [
    "* welcome, bob! here: alice",
    "* carol joined",
    "alice: hi all",
  ]);
  assert.equal(c.received[0], "* welcome, carol! here: alice, bob");
});

Deno.test("full duplex: a member sends several lines without waiting for anyone's answer", async () => {
  await using server = lesson.startChatServer({ port: 0 });
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.screen.waitFor(/^\* welcome/);
  const bob = join(port, "bob", { echo: true });
  await alice.screen.waitFor(/^\* bob joined$/);
  // alice types nothing at all, yet bob's three lines all go out and arrive.
  bob.keyboard.type("one");
  bob.keyboard.type("two");
  bob.keyboard.type("three");
  await alice.screen.waitFor(/^bob: three$/);
  assert.deepEqual(alice.screen.lines.slice(-3), ["bob: one", "bob: two", "bob: three"]);
  assert.deepEqual(bob.screen.lines.filter((line) => line.includes("(you)")), [
    "bob (you): one",
    "bob (you): two",
    "bob (you): three",
  ]);
  alice.keyboard.end();
  bob.keyboard.end();
  await Promise.all([alice.chat, bob.chat]);
});

Deno.test("/quit ends the chat on both sides: the leaver and the others see who left", async () => {
  await using server = lesson.startChatServer({ port: 0 });
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.screen.waitFor(/^\* welcome/);
  const bob = join(port, "bob");
  await alice.screen.waitFor(/^\* bob joined$/);

  alice.keyboard.type("/quit");
  const result = await alice.chat;
  assert.equal(result.left, "me");
  assert.equal(result.received.at(-1), "* alice left");
  await bob.screen.waitFor(/^\* alice left$/);
  assert.deepEqual(server.members, ["bob"]);
  alice.keyboard.type("typed after leaving: goes nowhere");

  bob.keyboard.end();
  await bob.chat;
});

Deno.test("Ctrl+D (the end of input) leaves like /quit: a FIN, then '* NAME left'", async () => {
  await using server = lesson.startChatServer({ port: 0 });
  const { port } = server.addr;
  const bob = join(port, "bob");
  await bob.screen.waitFor(/^\* welcome/);
  const alice = join(port, "alice");
  await bob.screen.waitFor(/^\* alice joined$/);
  alice.keyboard.type("bye");
  alice.keyboard.end();
  assert.deepEqual((await alice.chat).received, [
    "* welcome, alice! here: bob",
    "* alice left",
  ]);
  await bob.screen.waitFor(/^\* alice left$/);
  assert.deepEqual(bob.screen.lines.slice(-2), ["alice: bye", "* alice left"]);
  bob.keyboard.end();
  await bob.chat;
});

Deno.test("when the server closes, every client hears '* server left', stops reading its keyboard, and ends", async () => {
  const server = lesson.startChatServer({ port: 0 });
  const { port } = server.addr;
  const alice = join(port, "alice");
  await alice.screen.waitFor(/^\* welcome/);
  const bob = join(port, "bob");
  await alice.screen.waitFor(/^\* bob joined$/);
  await server.close();
  const [a, b] = await Promise.all([alice.chat, bob.chat]);
  assert.equal(a.left, "server");
  assert.equal(b.left, "server");
  assert.equal(a.received.at(-1), "* server left");
  assert.equal(b.received.at(-1), "* server left");
  // Their keyboards were let go: typing now reaches nobody and breaks nothing.
  alice.keyboard.type("hello?");
});

Deno.test("the relay's bytes on the wire: name line in, welcome and leave lines out", async () => {
  await using server = lesson.startChatServer({ port: 0 });
  using conn = await connectTcp({ port: server.addr.port });
  await writeAll(conn, utf8.encode("alice\n/quit\n"));
  assert.equal(await readAll(conn), "* welcome, alice! nobody else is here yet\n* alice left\n");
});

Deno.test("nc-style \\r\\n line ends are accepted: the relayed line has no \\r", async () => {
  await using server = lesson.startChatServer({ port: 0 });
  const bob = join(server.addr.port, "bob");
  await bob.screen.waitFor(/^\* welcome/);
  {
    using nc = await connectTcp({ port: server.addr.port });
    await writeAll(nc, utf8.encode("alice\r\nhi from nc\r\n"));
    await bob.screen.waitFor(/^alice: hi from nc$/);
    await nc.closeWrite();
    await readAll(nc);
  }
  bob.keyboard.end();
  await bob.chat;
});

// The chat client reads lines with lesson 05's decoder: however the server's
// bytes are split or merged, each line arrives whole.
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
  Deno.test(`the chat client gets whole lines: ${label}`, async () => {
    using listener = listenTcp({ port: 0 });
    const chat = lesson.runChatClient({ port: listener.addr.port, name: "z", input: typed([]) });
    chat.catch(() => {}); // awaited below; a failure meanwhile must not be reported as uncaught
    {
      using conn = await listener.accept();
      for (const bytes of writes) await writeAll(conn, bytes);
      assert.equal(await readAll(conn), "z\n"); // the name, then the client's FIN
    }
    assert.deepEqual((await chat).received, ["* welcome, z!", "a: hé", "* z left"]);
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
  Deno.test(`the server refuses ${label} with one line and hangs up`, async () => {
    await using server = lesson.startChatServer({ port: 0 });
    const alice = join(server.addr.port, "alice");
    await alice.screen.waitFor(/^\* welcome/);
    {
      using conn = await connectTcp({ port: server.addr.port });
      await writeAll(conn, encodeLine(name));
      assert.equal(await readAll(conn), `${line}\n`);
    }
    assert.deepEqual(server.members, ["alice"]);
    alice.keyboard.end();
    await alice.chat;
  });
}

Deno.test("a full chat refuses the next member (--max-members)", async () => {
  await using server = lesson.startChatServer({ port: 0, maxMembers: 1 });
  const alice = join(server.addr.port, "alice");
  await alice.screen.waitFor(/^\* welcome/);
  const bob = await lesson.runChatClient({
    port: server.addr.port,
    name: "bob",
    input: scriptedKeyboard().lines, // bob stays: the server is the one who hangs up
  });
  assert.deepEqual(bob, { received: ["* the chat is full (1 people)"], left: "server" });
  alice.keyboard.end();
  await alice.chat;
});

Deno.test("a line over --max-line drops only that member, and the others hear why", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startChatServer({ port: 0, maxLine: 16, log });
  const bob = join(server.addr.port, "bob");
  await bob.screen.waitFor(/^\* welcome/);
  {
    using mallory = await connectTcp({ port: server.addr.port });
    await writeAll(mallory, utf8.encode("mallory\n"));
    await bob.screen.waitFor(/^\* mallory joined$/);
    await writeAll(mallory, utf8.encode("x".repeat(100))); // no "\n" in sight
    assert.equal(
      await readAll(mallory),
      "* welcome, mallory! here: bob\n" +
        '* mallory left (a line longer than 16 bytes arrived without "\\n")\n',
    );
  }
  await bob.screen.waitFor(/^\* mallory left \(a line longer than 16 bytes/);
  await waitFor(/^mallory left/);
  bob.keyboard.type("still here");
  bob.keyboard.end();
  assert.equal((await bob.chat).left, "me");
});

Deno.test("garbage before any name is refused with one line saying why", async () => {
  await using server = lesson.startChatServer({ port: 0, maxLine: 16 });
  using conn = await connectTcp({ port: server.addr.port });
  await writeAll(conn, utf8.encode("y".repeat(100)));
  assert.equal(
    await readAll(conn),
    '* a line longer than 16 bytes arrived without "\\n"\n',
  );
});

Deno.test("a member with more than --max-pending bytes waiting for it is hung up on", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startChatServer({ port: 0, maxPending: 64, log });
  const slow = join(server.addr.port, "slow");
  await slow.screen.waitFor(/^\* welcome/);
  const alice = join(server.addr.port, "alice");
  await slow.screen.waitFor(/^\* alice joined$/);
  alice.keyboard.type("y".repeat(80)); // one line is already more than 64 bytes for "slow"
  assert.equal(
    await waitFor(/not reading/),
    "slow is not reading: more than 64 bytes wait for them; hanging up.",
  );
  await alice.screen.waitFor(/^\* slow left \(connection lost\)$/);
  assert.equal((await slow.chat).left, "server");
  alice.keyboard.end();
  await alice.chat;
});

Deno.test("a name is checked before connecting: the client refuses it itself", async () => {
  await assert.rejects(
    () => lesson.runChatClient({ port: 9, name: "no spaces", input: typed([]) }),
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
  Deno.test(`nameProblem: "${name.length > 12 ? `${name.length} × x` : name}" is ${ok ? "fine" : "refused"}`, () => {
    assert.equal(lesson.nameProblem(name) === undefined, ok);
  });
}

// ── The keyboard, the demo, the command line ────────────────────────────────

Deno.test("a scripted keyboard gives lines typed before and after reading starts, then ends", async () => {
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

Deno.test("the demo shows turns, then three members, and every way of leaving", async () => {
  const { log, lines } = recordLog();
  await lesson.demo(log);
  const text = lines.join("\n");
  assert.match(
    text,
    /client │ client says: hi\nserver │ client says: hi\nserver │ server says: hello!/,
  );
  assert.match(text, /alice +│ bob: two lines in a row: no turns here/);
  assert.match(text, /bob +│ \* alice left/);
  assert.match(text, /carol +│ \* bob left/);
  assert.match(text, /carol +│ \* server left/);
});

Deno.test("main rejects a client without a name and unknown commands", async () => {
  await assert.rejects(() => lesson.main(["client"]), UsageError);
  await assert.rejects(() => lesson.main(["client", "a", "b"]), UsageError);
  await assert.rejects(() => lesson.main(["chat"]), UsageError);
  await assert.rejects(() => lesson.main(["server", "extra"]), UsageError);
});
