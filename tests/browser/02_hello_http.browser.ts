/**
 * A real browser loads lesson 02's page: headless Chromium fetches
 * http://127.0.0.1:<port>/ from the lesson's raw-socket server, renders it,
 * and prints the DOM it built. If the server's answer were malformed (no
 * length, a wrong charset, a reset), the DOM would show it.
 *
 * Run: deno task test:browser
 *
 * Needs the `chromium` command (Debian: `apt-get install chromium`). Without
 * it the test is reported as ignored, not passed, and this file says how to
 * get it. Not part of `deno task test`, which needs no browser.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as lesson from "../../lessons/02_hello_http.ts";
import { recordLog } from "../_util.ts";
import { chromium, chromiumVersion } from "./_chromium.ts";

const version = await chromiumVersion();
if (version === undefined) {
  console.log(
    "Chromium is not installed, so the browser test is IGNORED (not passed).\n" +
      "Get it, then run `deno task test:browser` again:\n" +
      "  Debian:  sudo apt-get install chromium\n" +
      "  Ubuntu:  sudo snap install chromium   (the command must be called `chromium`)",
  );
} else {
  console.log(`Using ${version}`);
}

/** Runs Chromium on `url` (with `flags`) and returns the DOM it rendered. */
function dumpDom(url: string, flags: string[] = []): Promise<string> {
  return chromium([...flags, "--dump-dom", url]);
}

Deno.test({
  name:
    "headless Chromium renders lesson 02's page: <h1>Hello World</h1>, the Chinese title decoded as UTF-8",
  ignore: version === undefined,
}, async () => {
  const { log, lines, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  const dom = await dumpDom(`http://127.0.0.1:${server.addr.port}/`);

  assert.match(dom, /<h1>Hello World<\/h1>/);
  // Right only if the browser read the bytes as UTF-8, as Content-Type says.
  assert.match(dom, /<title>客户端请求<\/title>/);
  assert.match(dom, /这一页来自一个原始的 TCP 套接字。/);

  // The server saw a browser, and answered it.
  await waitFor(/^ {2}User-Agent: .*HeadlessChrome/);
  await waitFor(/^Answered 127\.0\.0\.1:\d+: 200 OK\.$/);
  // Whatever else the browser asked for (/favicon.ico) was answered, not dropped.
  assert.ok(!lines.some((l) => /dropped|failed|reset/.test(l)), lines.join("\n"));
});

Deno.test({
  name:
    "headless Chromium sending a head over 1 KiB (a 1.5 KB User-Agent) gets lesson 02's page: the server reads the whole head",
  ignore: version === undefined,
}, async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startHttpHelloServer({ port: 0, log });
  // One recv(1024), as the tutorial reads, would leave half of this head
  // unread; in Python the close is then a reset, and Chromium shows
  // ERR_CONNECTION_RESET instead of the page.
  const userAgent = `Mozilla/5.0 ${"x".repeat(1500)}`;
  const dom = await dumpDom(`http://127.0.0.1:${server.addr.port}/`, [`--user-agent=${userAgent}`]);
  assert.match(dom, /<h1>Hello World<\/h1>/);
  await waitFor(new RegExp(`^ {2}User-Agent: Mozilla/5\\.0 x{1500}$`));
  await waitFor(/^Answered 127\.0\.0\.1:\d+: 200 OK\.$/);
});
