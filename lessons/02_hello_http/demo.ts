/**
 * # 02 · The narrated demo
 *
 * What `deno task 02` runs, offline, on ports the kernel picks: the
 * tutorial's server and the lesson's, asked the same things, then what
 * closing with unread input costs.
 *
 * @module
 */

import { type Log, prefixed } from "../../lib/log.ts";
import {
  DEFAULT_PORT,
  listenLikeTheTutorial,
  PAGE,
  rawExchange,
  serveLikeTheTutorial,
  startHttpHelloServer,
} from "../02_hello_http.ts";
import { showClosing } from "./closing.ts";

/** Logs an answer line by line, the body cut short. */
function showAnswer(log: Log, answer: string): void {
  for (const line of answer.trimEnd().split(/\r?\n/)) {
    log(`  ${line.length > 72 ? `${line.slice(0, 72)}…` : line}`);
  }
}

/** The demo, step by step. */
export async function demo(log: Log): Promise<void> {
  const request = (port: number, version = "1.1") =>
    `GET / HTTP/${version}\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: demo\r\n\r\n`;

  // Step 1: the tutorial's server, asked what a browser asks (in short).
  log("1. The tutorial's server answers a request like a browser's:");
  {
    const listener = listenLikeTheTutorial(0);
    const serving = serveLikeTheTutorial(listener, prefixed(log, "server"));
    const { port } = listener.addr;
    showAnswer(log, await rawExchange({ port, request: request(port) }));
    log("  No length and no type: the page ends where the connection does.");
    listener.close();
    await serving;
  }

  // Step 2: the lesson's server, the same request: three fields more.
  log("");
  log("2. The lesson's server (part 3), the same request:");
  await using server = startHttpHelloServer({ port: 0 });
  const { port } = server.addr;
  showAnswer(log, await rawExchange({ port, request: request(port) }));
  const bytes = new TextEncoder().encode(PAGE).length;
  log(`The page is ${PAGE.length} characters but ${bytes} bytes: Content-Length counts bytes.`);

  // Step 3: a real HTTP client, what browsers ask next, and what is wrong.
  log("");
  log("3. fetch(), a real HTTP client, and requests that are not the page:");
  const page = await fetch(`http://127.0.0.1:${port}/`);
  log(
    `  /: ${page.status} ${page.headers.get("content-type")}, ${
      (await page.text()).length
    } characters`,
  );
  const icon = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
  await icon.body?.cancel();
  log(`  /favicon.ico: ${icon.status} (a browser shows its default icon)`);
  const asks: [string, string][] = [
    [`"hello\\r\\n\\r\\n"`, "hello\r\n\r\n"],
    ["HTTP/1.2, a newer minor version", request(port, "1.2")],
    ["HTTP/2.0, another major version", request(port, "2.0")],
    ["a POST with a body", `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello`],
  ];
  for (const [what, ask] of asks) {
    const answer = await rawExchange({ port, request: ask });
    log(`  ${what}: ${answer.split("\r\n")[0]}`);
  }

  // Step 4: what closing with unread input costs (closing.ts).
  log("");
  log("4. Closing with the request unread, on loopback:");
  await showClosing((line) => log(`  ${line}`));
  log("");
  log(`Now a browser: deno task 02 server, then open http://127.0.0.1:${DEFAULT_PORT}/`);
}
