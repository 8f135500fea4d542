import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { recordLog } from "./_util.ts";
import { bracketIpv6, describeAddr, formatAddr } from "../lib/addr.ts";
import { formatError, PermissionError, UsageError } from "../lib/errors.ts";
import { connectTcp, explainNetError } from "../lib/tcp.ts";

const lesson = await loadLesson<typeof import("../lessons/09_ports_backlog.ts")>(
  "09_ports_backlog.ts",
);

// What the kernel does with the backlog and with 127.0.0.2 is Linux behaviour.
const notLinux = Deno.build.os !== "linux";
// The test task grants 127.0.0.1 only; these run under `deno task 09`'s flags:
//   deno test --allow-net=127.0.0.1,127.0.0.2,0.0.0.0,[::1] --allow-run=ss tests/09_ports_backlog.test.ts
const ipv6Allowed = lesson.netAllowed("::1");
const anyAllowed = lesson.netAllowed("0.0.0.0") && lesson.netAllowed("127.0.0.2");
const ssAllowed = Deno.permissions.querySync({ name: "run", command: "ss" }).state === "granted";

Deno.test("binding a port that is taken fails: Deno's AddrInUse, and the project's one line", () => {
  const taken = lesson.bindTakenPort();
  assert.match(taken.denoError, /^AddrInUse: Address already in use/);
  assert.equal(
    taken.lessonError,
    `error: port ${taken.port} is already in use (another server running? choose --port)`,
  );
});

Deno.test("a TCP and a UDP socket hold the same port at once, and both receive", async () => {
  const shared = await lesson.shareTcpAndUdpPort();
  assert.equal(shared.tcpReceived, "over TCP");
  assert.equal(shared.udpReceived, "over UDP");
});

Deno.test("a server restarted right after a connection closed binds the same port at once", async () => {
  const restart = await lesson.restartAfterClose();
  assert.equal(restart.rebound, true, restart.error);
  if (ssAllowed) assert.ok(restart.timeWait! >= 1, "the old connection is in TIME-WAIT");
  else assert.equal(restart.timeWait, undefined);
});

for (const backlog of [0, 1, 2, 5]) {
  Deno.test({
    name: `listen(${backlog}) with nobody accepting: ${backlog + 1} handshakes complete, ` +
      `the next SYN is dropped (a timeout, not a refusal)`,
    ignore: notLinux,
    async fn() {
      const result = await lesson.measureBacklog({
        backlog,
        clients: backlog + 2,
        timeoutMs: 300,
      });
      assert.equal(result.connected, backlog + 1);
      assert.equal(result.timedOut, 1);
      assert.equal(result.refused, 0);
    },
  });
}

Deno.test({
  name: "a queued client can already send; accepted clients don't count against the backlog",
  ignore: notLinux,
  async fn() {
    const { log, lines } = recordLog();
    const result = await lesson.measureBacklog({ backlog: 1, clients: 3, timeoutMs: 300, log });
    assert.equal(result.sentBeforeAccept, "sent before accept()");
    assert.equal(result.connectedAfterAccept, true);
    assert.deepEqual(lines, [
      "client 1: connected (queued; nobody has called accept())",
      "client 2: connected (queued; nobody has called accept())",
      "client 3: no answer within 300 ms (the SYN was dropped, not refused)",
    ]);
    if (ssAllowed) {
      assert.equal(result.queued, 2);
      assert.equal(result.limit, 1);
    }
  },
});

const ssOutputs: { label: string; text: string; rows: ReturnType<typeof lesson.parseSs> }[] = [
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
    assert.deepEqual(lesson.parseSs(text), rows);
  });
}

Deno.test("a server bound to 127.0.0.1 is reached through 127.0.0.1", async () => {
  const probe = await lesson.probeBindAddress("127.0.0.1", ["127.0.0.1"]);
  assert.deepEqual(probe, {
    bind: "127.0.0.1",
    probes: [{ via: "127.0.0.1", outcome: "accepted" }],
  });
});

Deno.test({
  name: "a step without its permission is skipped with the flag it needs, not failed",
  ignore: lesson.netAllowed("127.0.0.2"),
  async fn() {
    const probe = await lesson.probeBindAddress("127.0.0.1", ["127.0.0.2"]);
    assert.deepEqual(probe.probes, [{
      via: "127.0.0.2",
      outcome: "skipped: needs --allow-net=127.0.0.2 (deno task 09 grants it)",
    }]);
  },
});

Deno.test({
  name: "127.0.0.1 is one address, 0.0.0.0 all of them: only the wildcard is reached via 127.0.0.2",
  ignore: notLinux || !anyAllowed,
  async fn() {
    const one = await lesson.probeBindAddress("127.0.0.1", ["127.0.0.1", "127.0.0.2"]);
    assert.deepEqual(one.probes.map((p) => p.outcome), ["accepted", "refused"]);
    const all = await lesson.probeBindAddress("0.0.0.0", ["127.0.0.1", "127.0.0.2"]);
    assert.deepEqual(all.probes.map((p) => p.outcome), ["accepted", "accepted"]);
  },
});

Deno.test({
  name: "lesson 03's server on [::1] serves IPv6 clients, or says why IPv6 is unavailable",
  ignore: !ipv6Allowed,
  async fn() {
    const probe = await lesson.probeBindAddress("::1", ["::1"]);
    if (probe.skipped !== undefined) {
      // A sandbox without IPv6: reported in one line, not a crash.
      assert.match(probe.skipped, /^unavailable here: error: /);
      return;
    }
    assert.deepEqual(probe.probes, [{ via: "::1", outcome: "accepted" }]);
    const hello = await loadLesson<typeof import("../lessons/03_tcp_hello.ts")>("03_tcp_hello.ts");
    const { log, waitFor } = recordLog();
    await using server = hello.startHelloServer({ host: "::1", port: 0, log });
    const replies = await hello.runHelloClient({
      host: "::1",
      port: server.addr.port,
      names: ["v6"],
    });
    assert.deepEqual(replies, ["Welcome!", "Hello, v6!"]);
    assert.match(await waitFor(/^Accept/), /^Accept new connection from \[::1\]:\d+\.\.\.$/);
  },
});

Deno.test({
  name: "an IPv4 client does not reach a server bound to ::1 (separate address families)",
  ignore: !ipv6Allowed,
  async fn() {
    const probe = await lesson.probeBindAddress("::1", ["127.0.0.1"]);
    if (probe.skipped !== undefined) return; // no IPv6 here: reported by the test above
    assert.deepEqual(probe.probes, [{ via: "127.0.0.1", outcome: "refused" }]);
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
      action: "connect",
      hostname: "[::1]",
      port: 9999,
    })),
    expected: "error: nothing is listening on [::1]:9999 (start the server first)",
  },
  {
    label: "a missing IPv6 address on this machine is named",
    line: formatError(explainNetError(new Deno.errors.AddrNotAvailable("not available"), {
      action: "listen",
      hostname: "::1",
      port: 9999,
    })),
    expected:
      "error: ::1 is not an address of this machine (use 127.0.0.1, or an address `ip addr` lists)",
  },
];

for (const { label, line, expected } of ipv6Messages) {
  Deno.test(`IPv6: ${label}`, () => {
    assert.equal(line, expected);
  });
}

Deno.test({
  name: "IPv6: a missing permission for ::1 names the flag Deno accepts, --allow-net=[::1]",
  ignore: ipv6Allowed,
  async fn() {
    await assert.rejects(() => connectTcp({ host: "::1", port: 9 }), (err) => {
      assert.ok(err instanceof PermissionError);
      assert.match(
        formatError(err),
        /^error: Deno was not given permission to use the network at \[::1\]:9 \(run it with that permission: deno run --allow-net=\[::1\] \S+ \.\.\.\)$/,
      );
      return true;
    });
  },
});

Deno.test("a port below 1024 refused by the kernel (EACCES) becomes one line with what to do", () => {
  assert.equal(
    lesson.unprivilegedBindError(80),
    "error: the system refused to listen on 127.0.0.1:80 " +
      "(ports below 1024 need administrator rights: choose a port from 1024 up)",
  );
});

Deno.test("the demo runs under the test's permissions, noting each step it had to skip", async () => {
  const { log, lines } = recordLog();
  await lesson.demo(log);
  const text = lines.join("\n");
  assert.match(text, /^1\. A second bind of port \d+: Deno says "AddrInUse/m);
  assert.match(text, /^2\. TCP and UDP both bound port \d+/m);
  assert.match(text, /^3\. A new server bound port \d+ right after the old one stopped/m);
  assert.match(text, /client 7: no answer within 300 ms/);
  assert.match(text, /6 connected = backlog \+ 1; 2 timed out, 0 refused\./);
  assert.match(text, /A user without privileges gets: error: the system refused/);
  if (!ipv6Allowed) assert.match(text, /Lesson 03 over IPv6: skipped: needs --allow-net=\[::1\]/);
});

Deno.test("main rejects unknown commands and stray arguments as usage errors", async () => {
  await assert.rejects(() => lesson.main(["listen"]), UsageError);
  await assert.rejects(() => lesson.main(["backlog", "5"]), UsageError);
  await assert.rejects(() => lesson.main(["backlog", "--backlog", "-1"]), UsageError);
});
