/**
 * Bugs to plant in lesson 03 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const LESSON = "lessons/03_tcp_hello.ts";
const TESTS = ["tests/03_tcp_hello.test.ts", "tests/hostile/03_tcp_hello.test.ts"];

/** Lesson 03's mutations. */
export const MUTATIONS_03: readonly Mutation[] = [
  {
    id: "03-exit-prefix",
    file: LESSON,
    find: `if (text === "exit") break;`,
    replace: `if (text.startsWith("exit")) break;`,
    why: "any text starting with exit ends the conversation",
    tests: TESTS,
  },
  {
    id: "03-no-stream-decode",
    file: LESSON,
    find: `decoder.decode(buffer.subarray(0, n), { stream: true });\n    if (text === "exit")`,
    replace: `decoder.decode(buffer.subarray(0, n));\n    if (text === "exit")`,
    why: "a UTF-8 character cut between reads becomes U+FFFD",
    tests: TESTS,
  },
  {
    id: "03-whole-buffer",
    file: LESSON,
    find: `const text = decoder.decode(buffer.subarray(0, n), { stream: true });`,
    replace: `const text = decoder.decode(buffer, { stream: true });`,
    why: "decodes the whole buffer, not the n bytes read",
    tests: TESTS,
  },
  {
    id: "03-no-welcome",
    file: LESSON,
    find: `await conn.write(encoder.encode(WELCOME));`,
    replace: ``,
    why: "the server forgets to greet",
    tests: TESTS,
  },
  {
    id: "03-eof-ignored",
    file: LESSON,
    find: `if (n === null) break;`,
    replace: `if (n === 0) break;`,
    why: "end of stream is not noticed",
    tests: TESTS,
  },
  {
    id: "03-one-client-at-a-time",
    file: LESSON,
    find: `open.add(handler);`,
    replace: `open.add(handler);\n    await handler;`,
    why: "the accept loop waits for each client before the next",
    tests: TESTS,
  },
  {
    id: "03-long-name-allowed",
    file: LESSON,
    find: `if (bytes > READ_SIZE) {`,
    replace: `if (bytes > READ_SIZE + 8) {`,
    why: "a name whose reply needs two reads is sent anyway",
    tests: TESTS,
  },
  {
    id: "03-no-busy",
    file: "lessons/03_tcp_hello/limits.ts",
    find: `refuse: refuseWith(encoder.encode(BUSY)),`,
    replace: ``,
    why: "a client over --max-connections gets no words",
    tests: TESTS,
  },
  {
    id: "03-no-graceful-reads",
    file: "lessons/03_tcp_hello/limits.ts",
    find: `endReadsOnClose: true,`,
    replace: `endReadsOnClose: false,`,
    why: "Ctrl+C waits out the grace period for idle clients",
    tests: TESTS,
  },
];
