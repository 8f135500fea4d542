/**
 * `curl`, the command SPEC promises for lesson 02, against the lesson's
 * server: `curl -sS http://127.0.0.1:12345/` prints the page and exits 0.
 * Needs `curl` on PATH; without it these tests are reported as ignored, not
 * passed.
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";
import * as http from "../../lessons/02_hello_http.ts";
import { canRun, within } from "../_util.ts";

const ignore = !await canRun("curl");
if (ignore) console.error("curl not found: the curl interop tests are ignored");

/** Runs curl with `args` and `stdin`; its exit code, stdout and stderr. */
async function curl(args: string[], stdin?: Uint8Array) {
  const child = new Deno.Command("curl", {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin).catch(() => {}); // curl may stop reading once answered
    await writer.close().catch(() => {});
  }
  const { code, stdout, stderr } = await within(10_000, `curl ${args.join(" ")}`, child.output());
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test({
  name: "curl -sS gets lesson 02's page and exits 0",
  ignore,
  async fn() {
    await using server = http.startHttpHelloServer({ port: 0 });
    const { code, stdout, stderr } = await curl(["-sS", `http://127.0.0.1:${server.addr.port}/`]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.equal(stdout, http.PAGE);
  },
});

Deno.test({
  name: "curl uploading 200 KB to lesson 02 gets the 405 and exits 0, no reset reported",
  ignore,
  async fn() {
    await using server = http.startHttpHelloServer({ port: 0 });
    const url = `http://127.0.0.1:${server.addr.port}/`;
    const body = new Uint8Array(200_000);
    const { code, stdout, stderr } = await curl(["-sS", "--data-binary", "@-", url], body);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.match(stdout, /^405 Method Not Allowed: POST is not supported here/);
  },
});
