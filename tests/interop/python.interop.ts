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
import { loadLesson } from "../_lesson.ts";

const tcp = await loadLesson<typeof import("../../lessons/03_tcp_hello.ts")>("03_tcp_hello.ts");
const udp = await loadLesson<typeof import("../../lessons/04_udp_hello.ts")>("04_udp_hello.ts");
const framing = await loadLesson<typeof import("../../lessons/05_framing.ts")>("05_framing.ts");
const factorial = await loadLesson<typeof import("../../lessons/06_factorial_udp.ts")>(
  "06_factorial_udp.ts",
);

/** True when `python3` can be started. */
async function havePython(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("python3", { args: ["--version"], stdout: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

const ignore = !await havePython();
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
    const server = udp.startUdpHelloServer({ port: 0 });
    try {
      const lines = await runPython("udp_hello_client.py", [String(server.addr.port)]);
      assert.deepEqual(lines, ["Hello, Michael!", "Hello, Tracy!", "Hello, Sarah!"]);
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "a Python client framing with struct.pack('!I', n) gets lesson 05's upper-cased replies",
  ignore,
  async fn() {
    await using server = framing.startFramedServer({ port: 0 });
    const messages = ["héllo", "wörld", "straße", "中文 ok", "", "Michael"];
    const lines = await runPython("framing_client.py", [String(server.addr.port), ...messages]);
    assert.deepEqual(lines, ["HÉLLO", "WÖRLD", "STRASSE", "中文 OK", "", "MICHAEL"]);
  },
});

Deno.test({
  name: "the tutorial's client6.py, typed 5, prints 计算结果: 120 from lesson 06",
  ignore,
  async fn() {
    const server = factorial.startFactorialServer({ port: 0 });
    try {
      const port = String(server.addr.port);
      // input() prints its prompt without a newline: the result follows it on the same line.
      const [five] = await runPython("factorial_client.py", [port], "5\n");
      assert.equal(five, "请输入一个大于1的整数:计算结果: 120");
      const [twenty] = await runPython("factorial_client.py", [port], "20\n");
      assert.equal(twenty, "请输入一个大于1的整数:计算结果: 2432902008176640000");
    } finally {
      await server.close();
    }
  },
});
