/**
 * Bugs to plant in lesson 02 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const LESSON = "lessons/02_hello_http.ts";
const ANSWERS = "lessons/02_hello_http/answers.ts";
const TESTS = [
  "tests/02_hello_http.test.ts",
  "tests/hostile/02_hello_http.test.ts",
  "tests/02_hello_http_closing.test.ts",
];

/** Lesson 02's mutations. */
export const MUTATIONS_02: readonly Mutation[] = [
  {
    id: "02-no-drain",
    file: LESSON,
    find: `await shutdownAndDrain(conn);`,
    replace: ``,
    why: "closing with unread input: a client still uploading gets a reset, not its 405/431",
    tests: TESTS,
  },
  {
    id: "02-length-in-characters",
    file: ANSWERS,
    find: `["Content-Length", String(bytes.length)],`,
    replace: `["Content-Length", String(body.length)],`,
    why: "Content-Length counts characters, not bytes: the Chinese page is cut short",
    tests: TESTS,
  },
  {
    id: "02-head-limit-off-by-one",
    file: LESSON,
    find: `const maxBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;`,
    replace: `const maxBytes = (options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES) + 1;`,
    why: "a head one byte over the limit is served",
    tests: TESTS,
  },
  {
    id: "02-no-request-check",
    file: LESSON,
    find: `{ maxBytes, what: "request", check: checkRequestStart }`,
    replace: `{ maxBytes, what: "request" }`,
    why: "a TLS handshake waits for the head deadline instead of a 400 at its first bytes",
    tests: TESTS,
  },
  {
    id: "02-no-431",
    file: ANSWERS,
    find: `if (err instanceof LimitError) return 431;`,
    replace: ``,
    why: "a head past the limit gets no answer, only the close",
    tests: TESTS,
  },
  {
    id: "02-505-as-400",
    file: ANSWERS,
    find: `if (err instanceof HttpVersionError) return 505;`,
    replace: ``,
    why: "HTTP/2.0 gets 400 Bad Request instead of 505",
    tests: TESTS,
  },
  {
    id: "02-host-for-1.0-too",
    file: ANSWERS,
    find: `if (hosts.length === 0 && request.version !== "1.0") {`,
    replace: `if (hosts.length === 0) {`,
    why: "an HTTP/1.0 request without Host (Host came with 1.1) gets 400",
    tests: TESTS,
  },
  {
    id: "02-two-hosts",
    file: ANSWERS,
    find: `if (hosts.length > 1) {`,
    replace: `if (hosts.length > 2) {`,
    why: "a request with two Host headers is served",
    tests: TESTS,
  },
  {
    id: "02-head-with-body",
    file: ANSWERS,
    find: `return options.headOnly ? head : concatBytes([head, bytes]);`,
    replace: `return concatBytes([head, bytes]);`,
    why: "the answer to HEAD carries the body",
    tests: TESTS,
  },
  {
    id: "02-every-path-served",
    file: ANSWERS,
    find: `if (path === "/" || path === "/index.html") {`,
    replace: `if (path.startsWith("/")) {`,
    why: "/favicon.ico gets the page instead of 404",
    tests: TESTS,
  },
  {
    id: "02-tutorial-whole-buffer",
    file: LESSON,
    find: `const data = decoder.decode(buffer.subarray(0, n ?? 0));`,
    replace: `const data = decoder.decode(buffer);`,
    why: "the tutorial's server prints the whole 1024-byte buffer, NULs and all",
    tests: TESTS,
  },
  {
    id: "02-tutorial-no-close",
    file: LESSON,
    find: `using c = traced(accepted, "server");`,
    replace: `const c = traced(accepted, "server");`,
    why: "the tutorial's server never closes: the page never ends",
    tests: TESTS,
  },
  {
    id: "02-no-head-deadline",
    file: LESSON,
    find: `const cut = await timeout.run(reading);`,
    replace: `const cut = await reading();`,
    why: "a client that sends nothing, or drips its head, is never dropped",
    tests: TESTS,
  },
  {
    id: "02-no-503",
    file: LESSON,
    find:
      `refuse: refuseWith(answers.errorAnswer(503, "too many connections, try again later").bytes),`,
    replace: ``,
    why: "a client over --max-connections gets no 503, only the close",
    tests: TESTS,
  },
];
