import assert from "node:assert/strict";
import * as hello from "../lessons/03_tcp_hello.ts";
import * as lesson from "../lessons/09_ports_backlog.ts";
import * as addresses from "../lessons/09_ports_backlog/addresses.ts";
import { measureBacklog, tryConnect } from "../lessons/09_ports_backlog/backlog.ts";
import { parseSs, runAllowed } from "../lessons/09_ports_backlog/kernel.ts";
import {
  bindBoth,
  bindTakenPort,
  ephemeralRange,
  portOfAClient,
  shareWithReusePort,
  unprivilegedPortStart,
} from "../lessons/09_ports_backlog/port_in_use.ts";
import * as tcpAndUdp from "../lessons/09_ports_backlog/tcp_and_udp.ts";
import { listenWhereAClientWas, restartAfterClose } from "../lessons/09_ports_backlog/time_wait.ts";
import { underTest } from "./_exercise.ts";
import { closedPort, recordLog, runCli, within } from "./_util.ts";
import { bracketIpv6, describeAddr, exposureWarning, formatAddr } from "../lib/addr.ts";
import { formatError } from "../lib/errors.ts";
import { explainNetError } from "../lib/explain.ts";
import type { Server } from "../lib/serve.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #09a ... #09d, when `deno task verify` checks that exercise).
const holdPort = await underTest(lesson, "holdPort");
const shareTcpAndUdpPort = await underTest(tcpAndUdp, "shareTcpAndUdpPort");
const listenLikeTheTutorial = await underTest(lesson, "listenLikeTheTutorial");
const probeBindAddress = await underTest(addresses, "probeBindAddress");

// What the kernel does with the backlog, 127.0.0.2 and :: is Linux behaviour.
const notLinux = Deno.build.os !== "linux";
// The test task grants 127.0.0.1, 127.0.0.2, 0.0.0.0, [::1] and [::], as
// `deno task 09` does; what it asks ss, sysctl and nstat is checked only
// with --allow-run=ss,sysctl,nstat added:
//   deno test --allow-net=127.0.0.1,127.0.0.2,0.0.0.0,[::1],[::] --allow-run=ss,sysctl,nstat \
//     --allow-env=EXERCISE,EXERCISE_ROOT --allow-read=lessons,lib,exercises tests/09_ports_backlog.test.ts

/** Only 127.0.0.1 on the network: how a test runs a step without its permission. */
const ONLY_127_0_0_1: Deno.PermissionOptionsObject = {
  net: ["127.0.0.1"],
  read: "inherit",
  write: "inherit",
  env: "inherit",
};

Deno.test("bindTakenPort(): a second bind of a port in use fails with AddrInUse", () => {
  const taken = bindTakenPort();
  assert.match(taken.error, /^AddrInUse: Address already in use/);
});

Deno.test("deno task 09 bind on a port in use prints one error line and exits 1", async () => {
  using holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = holder.addr.port;
  const what = "the bind command to fail";
  const { code, stderr } = await within(
    2_000,
    what,
    runCli(lesson.cli, ["bind", "--port", `${port}`]),
  );
  assert.deepEqual([code, stderr], [1, [
    `error: 127.0.0.1:${port} is already in use (another server running? stop it, or choose --port)`,
  ]]);
});

Deno.test({
  name: "bindBoth(): 127.0.0.1 and 127.0.0.2 share a port number, 0.0.0.0 covers 127.0.0.1",
  ignore: notLinux,
  fn() {
    assert.equal(bindBoth("127.0.0.1", "127.0.0.2"), "bound");
    assert.match(bindBoth("0.0.0.0", "127.0.0.1"), /^AddrInUse/);
  },
});

Deno.test({
  name: "bindBoth(): a listener on :: takes the IPv4 port too (dual stack)",
  ignore: notLinux,
  fn() {
    assert.match(bindBoth("::", "127.0.0.1"), /^AddrInUse/);
  },
});

Deno.test({
  name: "shareWithReusePort(): two reusePort listeners share one port and both get connections",
  ignore: notLinux,
  async fn() {
    const shared = await within(5_000, "20 connections over two listeners", shareWithReusePort(20));
    assert.equal(shared.accepted[0] + shared.accepted[1], 20);
    // The kernel hashes each client's address and port: all 20 on one side has odds 2^-19.
    assert.ok(shared.accepted[0] > 0 && shared.accepted[1] > 0, `split ${shared.accepted}`);
    assert.match(shared.withoutReusePort, /^AddrInUse/);
  },
});

/** holdPort() under test; if it throws, a failure that says which call and why. */
function hold(options: { port: number; reusePort?: boolean }, what: string): Server {
  try {
    return holdPort({ host: "127.0.0.1", ...options });
  } catch (err) {
    throw new assert.AssertionError({ message: `${what} failed: ${err}` });
  }
}

/** Connects to `port` and reads until the server hangs up, within 2 s. */
async function hungUpOn(port: number): Promise<void> {
  using conn = await within(
    2_000,
    `a connection to 127.0.0.1:${port}`,
    Deno.connect({ hostname: "127.0.0.1", port }),
  );
  const what = "the server to hang up (does holdPort() serve the listener?)";
  assert.equal(await within(2_000, what, conn.read(new Uint8Array(1))), null);
}

Deno.test("holdPort() holds its port: a second listener there gets AddrInUse, a client is hung up on #09a", async () => {
  await using server = hold({ port: 0 }, "holdPort() on a free port");
  const { port } = server.addr;
  assert.throws(() => Deno.listen({ hostname: "127.0.0.1", port }), Deno.errors.AddrInUse);
  await hungUpOn(port);
});

Deno.test({
  name:
    "holdPort() with reusePort, twice on one port: both listen and serve, a third without it gets AddrInUse #09a",
  ignore: notLinux,
  async fn() {
    await using first = hold({ port: 0, reusePort: true }, "holdPort() with reusePort");
    const { port } = first.addr;
    await using _second = hold(
      { port, reusePort: true },
      `a second holdPort() with reusePort on port ${port} (does the listener ask for SO_REUSEPORT?)`,
    );
    assert.throws(() => holdPort({ host: "127.0.0.1", port }), Deno.errors.AddrInUse);
    // The kernel spreads clients over both by a hash of their ports: each is hung up on.
    for (let i = 0; i < 10; i++) await hungUpOn(port);
  },
});

Deno.test("shareTcpAndUdpPort(): a TCP and a UDP socket hold one port number, and both receive #09b", async () => {
  const what = "a segment and a datagram (does the UDP socket receive the one it was sent?)";
  const shared = await within(2_000, what, shareTcpAndUdpPort());
  assert.equal(shared.tcpReceived, "over TCP");
  assert.equal(shared.udpPort, shared.port, "the UDP socket should hold the TCP listener's port");
  assert.equal(shared.udpReceived, "over UDP");
});

Deno.test("restartAfterClose(): a server rebinds its port at once past its own TIME_WAIT", async () => {
  const restart = await within(5_000, "a connection closed and a rebind", restartAfterClose());
  assert.equal(restart.outcome, "bound");
  if (runAllowed("ss")) assert.ok(restart.timeWait! >= 1, "the old connection is in TIME-WAIT");
  else assert.equal(restart.timeWait, undefined);
});

Deno.test({
  name:
    "listenWhereAClientWas(): a client's TIME_WAIT blocks a listener: SO_REUSEADDR needs both sockets",
  ignore: notLinux,
  async fn() {
    const where = await within(5_000, "a connection closed and a bind", listenWhereAClientWas());
    assert.match(where.outcome, /^AddrInUse: Address already in use/);
    if (runAllowed("ss")) assert.equal(where.timeWait, 1);
  },
});

for (const backlog of [0, 1, 2, 5]) {
  Deno.test({
    name: `measureBacklog(): listen(${backlog}) with nobody accepting: ${backlog + 1} handshakes ` +
      `complete, the next SYN is dropped (a timeout, not a refusal)`,
    ignore: notLinux,
    async fn() {
      const result = await within(
        5_000,
        "the clients to connect or time out",
        measureBacklog({ backlog, clients: backlog + 2, timeoutMs: 300 }),
      );
      assert.equal(result.connected, backlog + 1);
      assert.equal(result.timedOut, 1);
      assert.equal(result.refused, 0);
    },
  });
}

/** What clients connecting one by one to a listener that nobody accepts on found. */
interface QueueFill {
  /** The clients whose handshake finished: they wait in the accept queue. */
  queued: Deno.TcpConn[];
  /** Clients that got no answer within 500 ms (their SYN was dropped). */
  timedOut: number;
  /** Clients that were refused. */
  refused: number;
}

/** Connects `clients` clients one after another to `listener`'s port, nobody accepting. */
async function fillAcceptQueue(listener: Deno.TcpListener, clients: number): Promise<QueueFill> {
  const fill: QueueFill = { queued: [], timedOut: 0, refused: 0 };
  for (let i = 0; i < clients; i++) {
    const outcome = await tryConnect(listener.addr.port, 500); // gives up by itself
    if (outcome === "refused") fill.refused++;
    else if (typeof outcome === "string") fill.timedOut++;
    else fill.queued.push(outcome);
  }
  return fill;
}

/** The tutorial's listener under test, on a free port. */
function tutorialListener(backlog: number): Deno.TcpListener {
  try {
    return listenLikeTheTutorial(0, backlog);
  } catch (err) {
    throw new assert.AssertionError({ message: `listenLikeTheTutorial(0, ${backlog}): ${err}` });
  }
}

for (const backlog of [1, 3]) {
  Deno.test({
    name: `listenLikeTheTutorial(0, ${backlog}), nobody accepting: ${backlog + 1} clients finish ` +
      `the handshake, the next one's SYN is dropped (a timeout, not a refusal) #09c`,
    ignore: notLinux,
    async fn() {
      using listener = tutorialListener(backlog);
      assert.equal(listener.addr.hostname, "127.0.0.1");
      const what = `${backlog + 2} clients to connect or give up after 500 ms each`;
      const fill = await within(5_000, what, fillAcceptQueue(listener, backlog + 2));
      try {
        assert.equal(
          fill.queued.length,
          backlog + 1,
          `handshakes finished with nobody calling accept(): Linux lets backlog + 1 wait ` +
            `(was listen()'s backlog, ${backlog}, given to the kernel?)`,
        );
        assert.deepEqual([fill.timedOut, fill.refused], [1, 0], "[timed out, refused]");
      } finally {
        for (const conn of fill.queued) conn.close();
      }
    },
  });
}

Deno.test("listenLikeTheTutorial(): a client waiting in the accept queue can already send; accept() finds its bytes #09c", async () => {
  using listener = tutorialListener(1);
  using client = await within(
    2_000,
    "the handshake (the kernel finishes it; accept() is not needed)",
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  await client.write(new TextEncoder().encode("sent before accept()"));
  using accepted = await within(2_000, "accept() to take the queued client", listener.accept());
  const buffer = new Uint8Array(64);
  const n = await within(2_000, "the bytes sent before accept()", accepted.read(buffer));
  assert.equal(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), "sent before accept()");
});

Deno.test({
  name: "measureBacklog(): a queued client can already send; accepted clients don't count",
  ignore: notLinux,
  async fn() {
    const { log, lines } = recordLog();
    const result = await within(
      5_000,
      "the clients to connect or time out",
      measureBacklog({ backlog: 1, clients: 3, timeoutMs: 300, log }),
    );
    assert.equal(result.sentBeforeAccept, "sent before accept()");
    assert.equal(result.connectedAfterAccept, true);
    assert.deepEqual(lines, [
      "client 1: connected (queued; nobody has called accept())",
      "client 2: connected (queued; nobody has called accept())",
      "client 3: no answer within 300 ms (the SYN was dropped, not refused)",
    ]);
    if (runAllowed("ss")) assert.deepEqual([result.queued, result.limit], [2, 1]);
    // The drop is counted (machine-wide, so others may add to it).
    if (runAllowed("nstat")) assert.ok(result.overflows! >= 1, `overflows ${result.overflows}`);
  },
});

const ssOutputs: { label: string; text: string; rows: ReturnType<typeof parseSs> }[] = [
  {
    label: "a listener with two connections queued",
    text: "LISTEN 2      5      127.0.0.1:9999      0.0.0.0:*\n",
    rows: [{ state: "LISTEN", recvQ: 2, sendQ: 5, local: "127.0.0.1:9999", localPort: 9999 }],
  },
  {
    label: "a connection in TIME-WAIT, then an IPv6 listener",
    text: "TIME-WAIT 0 0 127.0.0.1:40000 127.0.0.1:51234\n" +
      "LISTEN 0 511 [::1]:9999 [::]:*\n",
    rows: [
      { state: "TIME-WAIT", recvQ: 0, sendQ: 0, local: "127.0.0.1:40000", localPort: 40000 },
      { state: "LISTEN", recvQ: 0, sendQ: 511, local: "[::1]:9999", localPort: 9999 },
    ],
  },
  { label: "no sockets at all", text: "", rows: [] },
  { label: "blank lines", text: "\n  \n", rows: [] },
];

for (const { label, text, rows } of ssOutputs) {
  Deno.test(`parseSs reads ${label}`, () => {
    assert.deepEqual(parseSs(text), rows);
  });
}

/** probeBindAddress() under test, within 5 s (each knock gives up after 2 s). */
function probe(bindHost: string, viaHosts: string[]): Promise<addresses.BindProbe> {
  const what = `a listener on ${bindHost} to be knocked on through ${viaHosts.join(" and ")}`;
  return within(5_000, what, probeBindAddress(bindHost, viaHosts));
}

Deno.test("probeBindAddress(): a server bound to 127.0.0.1 is reached through 127.0.0.1 #09d", async () => {
  assert.deepEqual(await probe("127.0.0.1", ["127.0.0.1"]), {
    bind: "127.0.0.1",
    probes: [{ via: "127.0.0.1", outcome: "accepted from 127.0.0.1" }],
  });
});

Deno.test({
  name: "probeBindAddress(): a step without its permission is skipped with the flag it needs",
  permissions: ONLY_127_0_0_1,
  async fn() {
    const { probes } = await probe("127.0.0.1", ["127.0.0.2", "::1"]);
    assert.deepEqual(probes, [
      {
        via: "127.0.0.2",
        outcome: "skipped: needs --allow-net=127.0.0.2 (deno task 09 grants it)",
      },
      { via: "::1", outcome: "skipped: needs --allow-net=[::1] (deno task 09 grants it)" },
    ]);
  },
});

Deno.test({
  name:
    "probeBindAddress(): 127.0.0.1 is one address, 0.0.0.0 all of them: only the wildcard is reached via 127.0.0.2 #09d",
  ignore: notLinux,
  async fn() {
    const one = await probe("127.0.0.1", ["127.0.0.1", "127.0.0.2"]);
    assert.deepEqual(one.probes.map((p) => p.outcome), ["accepted from 127.0.0.1", "refused"]);
    const all = await probe("0.0.0.0", ["127.0.0.1", "127.0.0.2"]);
    // Both get in; the source address is the loopback route's choice (127.0.0.1 here).
    const outcomes = all.probes.map((p) => p.outcome);
    assert.equal(outcomes.length, 2);
    for (const outcome of outcomes) assert.match(outcome, /^accepted from 127\.\d+\.\d+\.\d+$/);
  },
});

Deno.test({
  name:
    "probeBindAddress(): a listener on :: accepts an IPv4 client from 127.0.0.1, seen as ::ffff:127.0.0.1 #09d",
  ignore: notLinux,
  async fn() {
    // Python: s = socket.socket(AF_INET6); s.bind(('::', 0)); s.listen()
    using listener = Deno.listen({ hostname: "::", port: 0 });
    using _client = await within(
      2_000,
      "an IPv4 connection to the IPv6 wildcard",
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    );
    using accepted = await within(2_000, "the accept", listener.accept());
    assert.equal(accepted.remoteAddr.hostname, "::ffff:127.0.0.1");
    const { probes } = await probe("::", ["::1", "127.0.0.1"]);
    assert.deepEqual(probes, [
      { via: "::1", outcome: "accepted from [::1]" },
      { via: "127.0.0.1", outcome: "accepted from [::ffff:127.0.0.1]" },
    ]);
  },
});

Deno.test("exposureWarning(): a server on :: is told that IPv4 clients reach it too", () => {
  const warning = exposureWarning({ hostname: "::", port: 9999 })!;
  assert.match(warning, /^warning: listening on \[::\]:9999, every network interface, IPv6 and/);
  assert.match(warning, /IPv4 clients reach it too/);
  assert.doesNotMatch(exposureWarning({ hostname: "0.0.0.0", port: 9999 })!, /IPv4 clients/);
});

Deno.test("lesson 03's server on [::1] serves IPv6 clients, or says why IPv6 is unavailable", async () => {
  const reached = await probe("::1", ["::1"]);
  if (reached.skipped !== undefined) {
    // A sandbox without IPv6: reported in one line, not a crash.
    assert.match(reached.skipped, /^unavailable here: /);
    return;
  }
  assert.deepEqual(reached.probes, [{ via: "::1", outcome: "accepted from [::1]" }]);
  const { log, waitFor } = recordLog();
  await using server = hello.startHelloServer({ host: "::1", port: 0, log });
  const replies = await within(
    2_000,
    "the conversation over IPv6",
    hello.runHelloClient({ host: "::1", port: server.addr.port, names: ["v6"] }),
  );
  assert.deepEqual(replies, ["Welcome!", "Hello, v6!"]);
  assert.match(await waitFor(/^Accept/, 2_000), /^Accept new connection from \[::1\]:\d+\.\.\.$/);
});

Deno.test("probeBindAddress(): an IPv4 client does not reach a server bound to ::1 (IPv6 loopback only) #09d", async () => {
  const { probes } = await probe("::1", ["127.0.0.1"]);
  assert.deepEqual(probes, [{ via: "127.0.0.1", outcome: "refused" }]);
});

Deno.test({
  name: "portOfAClient(): an outgoing connection's port lies in net.ipv4.ip_local_port_range",
  ignore: notLinux || !runAllowed("sysctl"),
  async fn() {
    const [low, high] = (await ephemeralRange())!;
    const port = await within(2_000, "a connection", portOfAClient());
    assert.ok(low <= port && port <= high, `${port} in ${low}–${high}`);
  },
});

Deno.test({
  name: "unprivilegedPortStart() reads net.ipv4.ip_unprivileged_port_start",
  ignore: notLinux || !runAllowed("sysctl"),
  async fn() {
    const start = await unprivilegedPortStart();
    assert.ok(start !== undefined && start >= 0 && start <= 65536, `${start}`);
  },
});

// lib's helpers with IPv6 hosts: always in brackets, never twice.
const ipv6Messages: { label: string; line: string; expected: string }[] = [
  {
    label: "formatAddr puts ::1 in brackets",
    line: formatAddr({ hostname: "::1", port: 9999 }),
    expected: "[::1]:9999",
  },
  {
    label: "formatAddr does not bracket a host typed as [::1] twice",
    line: formatAddr({ hostname: "[::1]", port: 9999 }),
    expected: "[::1]:9999",
  },
  {
    label: "describeAddr writes a TCP peer on ::1",
    line: describeAddr({ transport: "tcp", hostname: "::1", port: 50000 }),
    expected: "[::1]:50000",
  },
  {
    label: "bracketIpv6 leaves IPv4 and names alone",
    line: `${bracketIpv6("127.0.0.1")} ${bracketIpv6("localhost")} ${bracketIpv6("fe80::1")}`,
    expected: "127.0.0.1 localhost [fe80::1]",
  },
  {
    label: "a refused connection to [::1] says where",
    line: formatError(explainNetError(new Deno.errors.ConnectionRefused("refused"), {
      hostname: "[::1]",
      port: 9999,
    })),
    expected: "error: nothing is listening on [::1]:9999 (start the server first)",
  },
];

for (const { label, line, expected } of ipv6Messages) {
  Deno.test(`IPv6: ${label}`, () => {
    assert.equal(line, expected);
  });
}

Deno.test({
  name: "deno task 09 client --host ::1 without the permission names the flag Deno accepts",
  permissions: ONLY_127_0_0_1,
  async fn() {
    const args = ["client", "--host", "::1", "--port", "9"];
    const what = "the client to be stopped by Deno's permission check";
    const { code, stderr } = await within(2_000, what, runCli(lesson.cli, args));
    assert.deepEqual([code, stderr], [1, [
      "error: Deno was not given permission to use the network at [::1]:9 " +
      "(grant it: deno run --allow-net=[::1] ..., or use deno task 09)",
    ]]);
  },
});

Deno.test("deno task 09 client with no server prints one line saying to start it", async () => {
  const port = closedPort();
  const what = "the client to be refused";
  const { code, stderr } = await within(
    2_000,
    what,
    runCli(lesson.cli, ["client", "--port", `${port}`]),
  );
  assert.deepEqual([code, stderr], [1, [
    `error: nothing is listening on 127.0.0.1:${port} (start the server first: deno task 09 server)`,
  ]]);
});

/** What the demo printed, run within 60 s. */
async function demoText(): Promise<string> {
  const { log, lines } = recordLog();
  await within(60_000, "the demo", lesson.cli.demo(log));
  return lines.join("\n");
}

Deno.test("the demo runs every step under the test task's permissions", async () => {
  const text = await demoText();
  assert.match(text, /A second bind of port \d+: AddrInUse/);
  assert.match(text, /127\.0\.0\.1 then 127\.0\.0\.2 on one port: bound/);
  assert.match(text, /:: then 127\.0\.0\.1 on one port: AddrInUse/);
  assert.match(text, /^2\. TCP and UDP both bound port \d+/m);
  assert.match(text, /A server restarted on port \d+( \(ss: \d+ in TIME-WAIT\))?: bound/);
  assert.match(text, /where a client just closed first[^\n]*\n *AddrInUse/);
  assert.match(text, /client 7: no answer within 300 ms/);
  assert.match(text, /6 connected = backlog \+ 1[^;]*; 2 timed out[^,]*, 0 refused\./);
  assert.match(text, /A user without them gets: error: the system refused/);
  assert.match(text, /bind :: +→ [^\n]*via 127\.0\.0\.1: accepted from \[::ffff:127\.0\.0\.1\]/);
  assert.match(text, /bind ::1 +→ via ::1: accepted from \[::1\]; via 127\.0\.0\.1: refused/);
  assert.match(text, /Hello, IPv6!/);
});

Deno.test({
  name:
    "the demo under the tour's permissions (127.0.0.1 only) names the flag each skipped step needs",
  permissions: ONLY_127_0_0_1,
  async fn() {
    const text = await demoText();
    assert.match(
      text,
      /127\.0\.0\.1 then 127\.0\.0\.2 on one port: skipped: needs --allow-net=127\.0\.0\.2/,
    );
    assert.match(text, /6 connected = backlog \+ 1[^;]*; 2 timed out[^,]*, 0 refused\./);
    assert.match(text, /Lesson 03 over IPv6: skipped: needs --allow-net=\[::1\]/);
    assert.match(text, /bind :: +→ skipped: needs --allow-net=\[::\]/);
  },
});

Deno.test("deno task 09 rejects unknown commands, stray arguments and bad flags in one line", async () => {
  const unknown = await runCli(lesson.cli, ["listen"]);
  assert.deepEqual([unknown.code, unknown.stderr], [1, [
    'error: unknown command "listen": expected backlog or bind or server or client (see --help)',
  ]]);
  const stray = await runCli(lesson.cli, ["backlog", "5"]);
  assert.deepEqual([stray.code, stray.stderr], [1, [
    'error: backlog takes no arguments, got "5" (see --help)',
  ]]);
  for (const args of [["--backlog", "-1"], ["--backlog=-1"]]) {
    const negative = await runCli(lesson.cli, ["backlog", ...args]);
    assert.equal(negative.code, 1);
    assert.match(negative.stderr.join("\n"), /^error: [^\n]*--backlog/);
  }
});
