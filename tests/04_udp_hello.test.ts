import assert from "node:assert/strict";
import * as lesson from "../lessons/04_udp_hello.ts";
import { bindTcpAndUdp } from "../lessons/04_udp_hello/tcp_and_udp.ts";
import { formatError, TimeoutError } from "../lib/errors.ts";
import {
  bindUdp,
  MAX_UDP_PAYLOAD,
  MAX_UDP_PAYLOAD_IPV6,
  raceTimeout,
  udpRequest,
} from "../lib/udp.ts";
import { underTest } from "./_exercise.ts";
import { recordLog, runCli, utf8, within } from "./_util.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #04a and #04b, when `deno task verify` checks that exercise).
const serveLikeTheTutorial = await underTest(lesson, "serveLikeTheTutorial");
const runUdpHelloClient = await underTest(lesson, "runUdpHelloClient");

/** The tutorial's loop under test on a free port; disposing closes the socket and waits for the loop. */
function tutorialServer(options: { quiet?: boolean; log?: (line: string) => void } = {}) {
  const socket = lesson.bindLikeTheTutorial(0);
  const serving = serveLikeTheTutorial(socket, options);
  serving.catch(() => {}); // a loop that fails is reported by the test that waits for it
  return {
    addr: socket.addr as Deno.NetAddr,
    socket,
    serving,
    async [Symbol.asyncDispose]() {
      socket.close();
      await within(2_000, "the tutorial's loop to end once its socket is closed", serving)
        .catch(() => {});
    },
  };
}

/** A client socket of its own on 127.0.0.1 (`::1` with `host`), closed by `using`. */
function clientSocket(host = "127.0.0.1") {
  const socket = bindUdp({ host, port: 0 });
  return Object.assign(socket, { [Symbol.dispose]: () => socket.close() });
}

/** The next datagram `socket` receives, within 2 s, as bytes. */
async function nextDatagram(
  socket: Deno.DatagramConn,
  what: string,
  buffer?: Uint8Array,
): Promise<Uint8Array> {
  const [data] = await within(2_000, what, socket.receive(buffer));
  return data;
}

/** A socket that never answers: a server that is down or deaf. It can tell what arrived. */
function deafSocket() {
  const socket = bindUdp({ port: 0 });
  let pending: Promise<[Uint8Array, Deno.Addr]> | undefined;
  return {
    port: (socket.addr as Deno.NetAddr).port,
    /** The datagrams waiting in the kernel's queue: `count` of them, and no more for 100 ms. */
    async arrived(count: number): Promise<string[]> {
      const got: string[] = [];
      for (let i = 0; i <= count; i++) {
        pending ??= socket.receive();
        const next = await raceTimeout(pending, i < count ? 2_000 : 100);
        if (next === undefined) break;
        pending = undefined;
        got.push(utf8.decode(next[0]));
      }
      return got;
    },
    async [Symbol.asyncDispose]() {
      socket.close();
      await pending?.catch(() => {});
    },
  };
}

// ── 1. The tutorial's server ────────────────────────────────────────────────

Deno.test("serveLikeTheTutorial() answers each datagram with Hello, <text>! sent back to the address it came from #04a", async () => {
  await using server = tutorialServer();
  using alice = clientSocket();
  using bob = clientSocket();
  await alice.send(utf8.encode("Alice"), server.addr);
  await bob.send(utf8.encode("张三"), server.addr);
  const why = "(does the loop send Hello, <text>! back to the address the datagram came from?)";
  const toAlice = await nextDatagram(alice, `the reply to Alice's datagram ${why}`);
  assert.equal(utf8.decode(toAlice), "Hello, Alice!");
  const toBob = await nextDatagram(bob, `the reply to Bob's datagram ${why}`);
  assert.deepEqual(toBob, utf8.encode("Hello, 张三!"), "the reply is one datagram of UTF-8");
});

Deno.test("serveLikeTheTutorial() goes on: one client's three datagrams get three replies, in order #04a", async () => {
  await using server = tutorialServer();
  using client = clientSocket();
  for (const name of ["Michael", "Tracy", "Sarah"]) {
    await client.send(utf8.encode(name), server.addr);
    const what = `the reply to ${name} (does the loop go back to receive() after each reply?)`;
    assert.equal(utf8.decode(await nextDatagram(client, what)), `Hello, ${name}!`);
  }
});

Deno.test("serveLikeTheTutorial() receives a 2,000-byte datagram whole, where recvfrom(1024) would cut it #04a", async () => {
  await using server = tutorialServer();
  using client = clientSocket();
  const name = "a".repeat(2_000);
  await client.send(utf8.encode(name), server.addr);
  const reply = await nextDatagram(client, "the reply to a 2,000-byte datagram");
  assert.equal(
    reply.length,
    2_008,
    `the reply has ${reply.length} bytes, not 2,008: was the datagram cut? ` +
      "(receive() into a 1,024-byte buffer keeps 1,024 bytes, like Python's recvfrom(1024))",
  );
});

Deno.test("serveLikeTheTutorial() returns once its socket is closed #04a", async () => {
  const socket = lesson.bindLikeTheTutorial(0);
  const serving = serveLikeTheTutorial(socket);
  socket.close();
  const what = "serveLikeTheTutorial() to return once its socket is closed " +
    "(does the loop end when the socket's receive() ends?)";
  const failure = await within(2_000, what, serving.then(() => undefined, (err: unknown) => err));
  assert.equal(
    failure,
    undefined,
    `serveLikeTheTutorial() threw ${failure} once its socket was closed; it should return ` +
      "(a for-await loop over the socket ends by itself when the socket closes)",
  );
});

Deno.test("serveLikeTheTutorial() with quiet prints who sent what and answers nothing", async () => {
  const { log, waitFor } = recordLog();
  await using server = tutorialServer({ quiet: true, log });
  using client = clientSocket();
  await client.send(utf8.encode("just listen"), server.addr);
  await client.send(utf8.encode("and this"), server.addr);
  await waitFor(/^Received from 127\.0\.0\.1:\d+: and this$/, 2_000);
  assert.equal(
    await within(200, "nothing", client.receive()).then(() => "a reply", () => "no reply"),
    "no reply",
  );
});

Deno.test("serveLikeTheTutorial() and runClientLikeTheTutorial() speak the tutorial's exchange", async () => {
  const { log, lines } = recordLog();
  await using server = tutorialServer({ log });
  const replies = await within(
    2_000,
    "three replies from the tutorial's server",
    lesson.runClientLikeTheTutorial({ port: server.addr.port }),
  );
  assert.deepEqual(replies, ["Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
  assert.equal(lines.length, 3);
  for (const line of lines) assert.match(line, /^Received from 127\.0\.0\.1:\d+\.$/);
});

Deno.test("serveLikeTheTutorial() dies of a reply too big for one datagram (EMSGSIZE)", async () => {
  // Why startUdpHelloServer checks the size first: in the tutorial's loop
  // the kernel's refusal ends the server.
  await using server = tutorialServer();
  using client = clientSocket();
  await client.send(new Uint8Array(MAX_UDP_PAYLOAD).fill(0x61), server.addr);
  await assert.rejects(
    () => within(2_000, "the tutorial's loop to fail", server.serving),
    /Message too long \(os error 90\)/,
  );
});

// ── 2. The client, with a timeout and retries ───────────────────────────────

Deno.test("runUdpHelloClient() sends each name and resolves to the replies, in order, UTF-8 included #04b", async () => {
  await using server = lesson.startUdpHelloServer({ port: 0 });
  const replies = await within(
    2_000,
    "runUdpHelloClient() to resolve to four replies",
    runUdpHelloClient({ port: server.addr.port, names: ["Michael", "Tracy", "Sarah", "张三"] }),
  );
  assert.deepEqual(replies, ["Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!", "Hello, 张三!"]);
});

Deno.test("runUdpHelloClient() gives up on a server that never answers: tries sends, then a TimeoutError #04b", async () => {
  await using deaf = deafSocket();
  const giving = runUdpHelloClient({
    port: deaf.port,
    names: ["Michael"],
    timeoutMs: 20,
    tries: 3,
  });
  const what = "runUdpHelloClient() to give up on a server that never answers, after 3 tries " +
    "of 20 ms (does it stop waiting for a reply after timeoutMs, as the tutorial's client never does?)";
  const outcome = await within(2_000, what, giving.then(() => undefined, (err: unknown) => err));
  assert.ok(
    outcome instanceof TimeoutError,
    outcome === undefined
      ? "runUdpHelloClient() resolved with no server answering: it should throw a TimeoutError"
      : `runUdpHelloClient() should throw a TimeoutError (lib/errors.ts), not ${outcome}`,
  );
  assert.deepEqual(
    await deaf.arrived(3),
    ["Michael", "Michael", "Michael"],
    "one datagram per try",
  );
});

Deno.test("runUdpHelloClient() sends a lost datagram again, and the retry gets the answer #04b", async () => {
  // A server that drops the first datagram it gets, as a lossy network would.
  const server = bindUdp({ port: 0 });
  const arrived: string[] = [];
  const serving = (async () => {
    arrived.push(utf8.decode((await server.receive())[0])); // lost
    const [data, from] = await server.receive();
    arrived.push(utf8.decode(data));
    await server.send(utf8.encode(`Hello, ${utf8.decode(data)}!`), from);
  })();
  try {
    const replies = await within(
      2_000,
      "the reply to the second try (does the client send the name again after timeoutMs?)",
      runUdpHelloClient({
        port: (server.addr as Deno.NetAddr).port,
        names: ["Tracy"],
        timeoutMs: 50,
        tries: 3,
      }),
    );
    assert.deepEqual(replies, ["Hello, Tracy!"]);
    assert.deepEqual(arrived, ["Tracy", "Tracy"]);
  } finally {
    server.close(); // also ends `serving` if the client never sent anything
    await serving.catch(() => {});
  }
});

Deno.test("runUdpHelloClient() says when it sends a name again", async () => {
  await using deaf = deafSocket();
  const { log, lines } = recordLog();
  const giving = lesson.runUdpHelloClient({
    port: deaf.port,
    names: ["Tracy"],
    timeoutMs: 20,
    tries: 2,
    log,
  });
  await assert.rejects(() => within(2_000, "the client to give up", giving), TimeoutError);
  assert.deepEqual(lines, ["→ Tracy", "  no reply yet; sending Tracy again (try 2)"]);
});

Deno.test("runUdpHelloClient() with no server fails with one line naming the tries and the fix", async () => {
  await using deaf = deafSocket();
  await assert.rejects(
    () =>
      within(
        2_000,
        "the client to give up",
        lesson.runUdpHelloClient({ port: deaf.port, names: ["Michael"], timeoutMs: 20, tries: 3 }),
      ),
    (err) => {
      assert.equal(
        formatError(err),
        `error: no reply from 127.0.0.1:${deaf.port} after 3 tries of 20 ms ` +
          `(is the server running? start it with: deno task 04 server)`,
      );
      return true;
    },
  );
});

// ── 3. The hardened server ──────────────────────────────────────────────────

Deno.test("startUdpHelloServer() answers each datagram with Hello, <text>!, UTF-8 included", async () => {
  await using server = lesson.startUdpHelloServer({ port: 0 });
  const replies = await within(
    2_000,
    "four replies",
    lesson.runUdpHelloClient({
      port: server.addr.port,
      names: ["Michael", "Tracy", "Sarah", "张三"],
    }),
  );
  assert.deepEqual(replies, ["Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!", "Hello, 张三!"]);
});

Deno.test("startUdpHelloServer() binds 127.0.0.1, not Deno's default 0.0.0.0", async () => {
  await using server = lesson.startUdpHelloServer({ port: 0 });
  assert.equal(server.addr.hostname, "127.0.0.1");
});

Deno.test("startUdpHelloServer() logs Received from <ip>:<port>. with the sender's address", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startUdpHelloServer({ port: 0, log });
  const reply = await within(
    2_000,
    "the reply to Michael",
    udpRequest(utf8.encode("Michael"), { port: server.addr.port, timeoutMs: 1_000, tries: 1 }),
  );
  assert.equal(utf8.decode(reply), "Hello, Michael!");
  await waitFor(/^Received from 127\.0\.0\.1:\d+\.$/, 2_000);
});

Deno.test("a quiet server prints what it receives and answers nothing", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startUdpHelloServer({ port: 0, quiet: true, log });
  await assert.rejects(
    () =>
      within(
        2_000,
        "the client to give up",
        udpRequest(utf8.encode("just listen"), { port: server.addr.port, timeoutMs: 50, tries: 1 }),
      ),
    TimeoutError,
  );
  await waitFor(/: just listen$/, 2_000);
});

Deno.test("startUdpHelloServer() sends a reply of exactly 65,507 bytes, the most one IPv4 datagram holds", async () => {
  await using server = lesson.startUdpHelloServer({ port: 0 });
  using client = clientSocket();
  await client.send(new Uint8Array(MAX_UDP_PAYLOAD - 8).fill(0x61), server.addr);
  const reply = await nextDatagram(client, "the 65,507-byte reply");
  assert.equal(reply.length, MAX_UDP_PAYLOAD);
});

Deno.test("startUdpHelloServer() sends no reply too big for one datagram, and keeps serving", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startUdpHelloServer({ port: 0, log });
  using client = clientSocket();
  await client.send(new Uint8Array(MAX_UDP_PAYLOAD).fill(0x61), server.addr);
  await waitFor(/would be 65515 bytes, more than one datagram holds \(65507\); not sent\./, 2_000);
  // From the same socket, a small one: the first reply to arrive is to it.
  await client.send(utf8.encode("Sarah"), server.addr);
  assert.equal(utf8.decode(await nextDatagram(client, "the reply to Sarah")), "Hello, Sarah!");
});

Deno.test("startUdpHelloServer() on ::1 sends a 65,515-byte reply, which one IPv6 datagram holds, but not 65,535", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startUdpHelloServer({ host: "::1", port: 0, log });
  using client = clientSocket("::1");
  await client.send(new Uint8Array(MAX_UDP_PAYLOAD).fill(0x61), server.addr);
  // Its own buffer: receive() with none cuts a datagram at 65,507 bytes.
  const buffer = new Uint8Array(MAX_UDP_PAYLOAD_IPV6);
  const reply = await nextDatagram(client, "the 65,515-byte reply over IPv6", buffer);
  assert.equal(reply.length, MAX_UDP_PAYLOAD + 8);
  await client.send(new Uint8Array(MAX_UDP_PAYLOAD_IPV6).fill(0x61), server.addr);
  await waitFor(/would be 65535 bytes, more than one datagram holds \(65527\); not sent\./, 2_000);
});

Deno.test("bindTcpAndUdp() holds one port number with TCP and UDP at once, and both serve", async () => {
  const { tcp, udp } = bindTcpAndUdp(0);
  const serving = lesson.serveLikeTheTutorial(udp);
  try {
    assert.equal((udp.addr as Deno.NetAddr).port, tcp.addr.port);
    const replies = await within(
      2_000,
      "the UDP reply on the shared port",
      lesson.runUdpHelloClient({ port: tcp.addr.port, names: ["both"] }),
    );
    assert.deepEqual(replies, ["Hello, both!"]);
    using conn = await within(
      2_000,
      "a TCP connection on the shared port",
      Deno.connect({ hostname: "127.0.0.1", port: tcp.addr.port }),
    );
    using accepted = await within(2_000, "the TCP accept", tcp.accept());
    assert.equal(accepted.localAddr.port, conn.remoteAddr.port);
  } finally {
    udp.close();
    tcp.close();
  }
  await within(2_000, "the UDP loop to end", serving);
});

// ── The command line and the demo ───────────────────────────────────────────

Deno.test("cli: client prints one reply a line; with no server, one error line and exit 1", async () => {
  await using server = lesson.startUdpHelloServer({ port: 0 });
  const ok = await within(
    2_000,
    "deno task 04 client Ada Bob",
    runCli(lesson.cli, ["client", "--port", String(server.addr.port), "Ada", "Bob"]),
  );
  assert.deepEqual(ok, { code: 0, stdout: ["Hello, Ada!", "Hello, Bob!"], stderr: [] });

  await using deaf = deafSocket();
  const args = ["client", "--port", String(deaf.port), "--timeout-ms", "20", "--tries", "2"];
  const failed = await within(2_000, "the client to give up", runCli(lesson.cli, args));
  assert.deepEqual(failed, {
    code: 1,
    stdout: [],
    stderr: [
      `error: no reply from 127.0.0.1:${deaf.port} after 2 tries of 20 ms ` +
      `(is the server running? start it with: deno task 04 server)`,
    ],
  });
});

Deno.test("cli: --tries and --timeout-ms are checked, --help names every flag", async () => {
  const tries = await runCli(lesson.cli, ["client", "--tries", "0"]);
  assert.deepEqual(tries.stderr, ["error: --tries must be between 1 and 100, got 0 (see --help)"]);
  assert.equal(tries.code, 1);
  const timeout = await runCli(lesson.cli, ["client", "--timeout-ms", "soon"]);
  assert.deepEqual(timeout.stderr, [
    'error: --timeout-ms must be a whole number, got "soon" (see --help)',
  ]);
  const help = await runCli(lesson.cli, ["--help"]);
  assert.equal(help.code, 0);
  for (const flag of ["--quiet", "--timeout-ms", "--tries", "--host", "--port"]) {
    assert.ok(help.stdout.join("\n").includes(flag), flag);
  }
});

Deno.test("the demo shows the exchange, a client giving up, loss on loopback, the size rule, the shared port", async () => {
  const { log, lines } = recordLog();
  await within(10_000, "the demo to finish", lesson.cli.demo(log));
  const transcript = lines.join("\n");
  assert.ok(transcript.includes("client │ ← Hello, Sarah!"));
  assert.ok(transcript.includes("client gives up: no reply"));
  assert.match(transcript, /\d+ kept, [\d,]+ dropped, every send\(\) successful\./);
  assert.ok(transcript.includes("the tutorial's loop stops: Message too long (os error 90)"));
  assert.ok(transcript.includes("more than one datagram holds (65507); not sent."));
  assert.ok(transcript.includes("client │ ← Hello, still there?!"));
  assert.ok(transcript.includes("TCP and UDP ports are separate"));
});
