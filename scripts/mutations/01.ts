/**
 * Bugs to plant in lesson 01 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const TESTS = ["tests/01_fetch_page.test.ts", "tests/01_fetch_page_chunked.test.ts"];

/** Lesson 01's mutations. */
export const MUTATIONS_01: readonly Mutation[] = [
  {
    id: "01-past-content-length",
    file: "lessons/01_fetch_page/3_content_length.ts",
    find: `body.add(value.subarray(0, length - body.length));`,
    replace: `body.add(value);`,
    why: "bytes a server sends past its Content-Length are kept as part of the page",
    tests: TESTS,
  },
  {
    id: "01-reads-on-after-last-chunk",
    file: "lessons/01_fetch_page/4_chunked.ts",
    find: `if (decoder.done) break;`,
    replace: ``,
    why: "after a chunked body's last chunk the client reads on, until the timeout",
    tests: TESTS,
  },
  {
    id: "01-no-connection-close",
    file: "lessons/01_fetch_page/1_request.ts",
    find: "`Connection: close`,",
    replace: ``,
    why: "the request no longer asks the server to close: the read to EOF waits for its keep-alive",
    tests: TESTS,
  },
  {
    id: "01-max-bytes-off-by-one",
    file: "lessons/01_fetch_page/3_content_length.ts",
    find: `if (this.#length + piece.length > this.#maxBytes) {`,
    replace: `if (this.#length + piece.length >= this.#maxBytes) {`,
    why: "a body of exactly --max-bytes is refused",
    tests: TESTS,
  },
  {
    id: "01-content-length-unchecked",
    file: "lessons/01_fetch_page/3_content_length.ts",
    find:
      `  if (length > maxBytes) {\n    throw new LimitError(\n      \`the body is \${length} bytes (Content-Length)`,
    replace:
      `  if (false) {\n    throw new LimitError(\n      \`the body is \${length} bytes (Content-Length)`,
    why: "a Content-Length over --max-bytes is believed and read",
    tests: TESTS,
  },
];
