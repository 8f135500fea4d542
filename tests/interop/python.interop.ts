/**
 * The tutorials' own Python clients against our servers: proof that the
 * lessons speak the tutorials' exact bytes. Needs `python3` on PATH; without
 * it these tests are reported as ignored, not passed.
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";
import * as tcp from "../../lessons/03_tcp_hello.ts";
import * as framing from "../../lessons/05_framing.ts";
import { canRun, within } from "../_util.ts";
import { TimeoutError } from "../../lib/errors.ts";
import * as udp from "../../lessons/04_udp_hello.ts";
import * as factorial from "../../lessons/06_factorial_udp.ts";

const ignore = !await canRun("python3");
if (ignore) console.error("python3 not found: the Python interop tests are ignored");

/** Runs one of the tutorial scripts in this folder with `args`; its stdout lines. */
async function runPython(script: string, args: string[], stdin?: string): Promise<string[]> {
  const path = new URL(`./python/${script}`, import.meta.url).pathname;
  const child = new Deno.Command("python3", {
    args: [path, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, `python3 ${script} failed:\n${decoder.decode(stderr)}`);
  return decoder.decode(stdout).trimEnd().split("\n");
}

Deno.test({
  name: "the tutorial's Python TCP client gets the tutorial's transcript from lesson 03",
  ignore,
  async fn() {
    await using server = tcp.startHelloServer({ port: 0 });
    const lines = await runPython("tcp_hello_client.py", [String(server.addr.port)]);
    assert.deepEqual(lines, ["Welcome!", "Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
  },
});

Deno.test({
  name: "the tutorial's Python UDP client gets a Hello for each name from lesson 04",
  ignore,
  async fn() {
    await using server = udp.startUdpHelloServer({ port: 0 });
    const lines = await within(
      20_000,
      "udp_hello_client.py",
      runPython("udp_hello_client.py", [String(server.addr.port)]),
    );
    assert.deepEqual(lines, ["Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
  },
});

Deno.test({
  name: "lesson 04's claim: with nobody listening, only a connected UDP socket hears ECONNREFUSED",
  ignore,
  async fn() {
    // A UDP port nothing listens on: bound, then released.
    const probe = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const lines = await within(
      20_000,
      "udp_connected_refused.py",
      runPython("udp_connected_refused.py", [String(port)]),
    );
    // The ICMP port unreachable reaches the connected socket as an error;
    // the unconnected one (all Deno.listenDatagram makes) only times out.
    assert.deepEqual(lines, ["unconnected: TimeoutError", "connected: ConnectionRefusedError"]);
  },
});

Deno.test({
  name: "a Python client framing with struct.pack('!I', n) gets lesson 05's upper-cased replies",
  ignore,
  async fn() {
    await using server = framing.startFramedServer({ port: 0 });
    const messages = ["héllo", "wörld", "straße", "中文 ok", "", "Michael"];
    const lines = await within(
      10_000,
      "framing_client.py's replies",
      runPython("framing_client.py", [String(server.addr.port), ...messages]),
    );
    assert.deepEqual(lines, ["HÉLLO", "WÖRLD", "STRASSE", "中文 OK", "", "MICHAEL"]);
  },
});

/** True when Python may open a packet socket (Linux, root or CAP_NET_RAW). */
async function canSniff(): Promise<boolean> {
  if (ignore) return false;
  const script = "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)";
  const { success } = await new Deno.Command("python3", { args: ["-c", script], stderr: "null" })
    .output();
  return success;
}

Deno.test({
  name:
    "lesson 05's three sends carry sequence numbers that count bytes: 5, 6 and 7 apart, one recv()",
  ignore: !await canSniff(),
  async fn() {
    const messages = ["hello", "sticky", "packets"];
    const path = new URL("./python/tcp_seq_sniff.py", import.meta.url).pathname;
    const sniffer = new Deno.Command("python3", {
      args: [path, ...messages],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const output = sniffer.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("ready\n")) {
      const { value, done } = await within(5_000, "the sniffer to be ready", output.read());
      if (done) break;
      seen += value;
    }
    const received = await within(5_000, "the three sends", framing.sendThenReceive(messages));
    await sniffer.stdin.close();
    for (let next; !(next = await within(5_000, "the sniffer's lines", output.read())).done;) {
      seen += next.value;
    }
    await sniffer.status;
    assert.deepEqual(received, ["hellostickypackets"]);
    // Other programs may talk on lo too: take the connection that carried all three.
    const byConnection = Map.groupBy(
      seen.split("\n").slice(1).filter(Boolean).map((line) => line.split(" ")),
      ([from, to]) => `${from}→${to}`,
    );
    const segments = [...byConnection.values()].find((group) =>
      group.map(([, , , , payload]) => payload).join(" ") === messages.join(" ")
    );
    assert.ok(segments, `no connection carried ${messages.join(", ")}:\n${seen}`);
    assert.deepEqual(segments.map(([, , , length]) => Number(length)), [5, 6, 7]);
    // Each segment's number is the one before plus the bytes it carried.
    const seqs = segments.map(([, , seq]) => Number(seq));
    assert.deepEqual([(seqs[1] - seqs[0]) >>> 0, (seqs[2] - seqs[1]) >>> 0], [5, 6]);
  },
});

Deno.test({
  name: "the tutorial's client6.py, typed 5, prints 计算结果: 120 from lesson 06",
  ignore,
  async fn() {
    await using server = factorial.startFactorialServer({ port: 0 });
    const port = String(server.addr.port);
    // input() prints its prompt without a newline: the result follows it on the same line.
    const ask = (n: string) =>
      within(20_000, `client6.py typed ${n}`, runPython("factorial_client.py", [port], `${n}\n`));
    const [five] = await ask("5");
    assert.equal(five, "请输入一个大于1的整数:计算结果: 120");
    const [twenty] = await ask("20");
    assert.equal(twenty, "请输入一个大于1的整数:计算结果: 2432902008176640000");
  },
});

Deno.test({
  name:
    "lesson 06's claim: under Python 3.11 the tutorial's server6.py answers 1558 and dies on 1559",
  ignore,
  async fn() {
    // 1,558! has 4,300 digits; 1,559! has 4,303, and Python 3.11 refuses to
    // str() an integer over 4,300 digits: server6.py raises and never answers.
    const cases = [[1558, "answered"], [1559, "no answer"]] as const;
    for (const [n, expected] of cases) {
      await using server6 = startPython("factorial_server.py", ["0"]);
      const port = Number(await within(20_000, "server6.py's port", server6.firstLine));
      const outcome = await within(
        20_000,
        `the answer to ${n}`,
        factorial.runFactorialClient({ port, n, timeoutMs: 2_000, tries: 1 }).then(
          (digits) => (assert.equal(digits.length, 4300), "answered"),
          (err) => (assert.ok(err instanceof TimeoutError, String(err)), "no answer"),
        ),
      );
      assert.equal(outcome, expected, `${n}`);
      const { code, stderr } = await within(20_000, "server6.py to exit", server6.done);
      if (expected === "no answer") {
        assert.notEqual(code, 0);
        assert.match(
          stderr,
          /ValueError: Exceeds the limit \(4300 digits\) for integer string conversion/,
        );
      } else {
        assert.equal(code, 0, stderr);
      }
    }
  },
});

/** Starts one of the scripts in this folder; its first stdout line, and how it ended. */
function startPython(script: string, args: string[]) {
  const path = new URL(`./python/${script}`, import.meta.url).pathname;
  const child = new Deno.Command("python3", {
    args: [path, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const firstLine = (async () => {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await stdout.read();
      if (done) break;
      text += value;
    }
    return text.split("\n")[0];
  })();
  const stderr = new Response(child.stderr).text();
  const done = Promise.all([child.status, stderr]).then(([status, text]) => ({
    code: status.code,
    stderr: text,
  }));
  return {
    firstLine,
    done,
    async [Symbol.asyncDispose]() {
      try {
        child.kill();
      } catch {
        // already exited
      }
      await firstLine.catch(() => {});
      await stdout.cancel();
      await done;
    },
  };
}
