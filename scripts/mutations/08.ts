/**
 * Bugs to plant in lesson 08 (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const TESTS = ["tests/08_unix_sockets.test.ts", "tests/hostile/08_unix_sockets.test.ts"];

/** Lesson 08's mutations. */
export const MUTATIONS_08: readonly Mutation[] = [
  {
    id: "08-removes-any-file",
    file: "lessons/08_unix_sockets/socket_file.ts",
    find: `if (!info.isSocket) return "not-a-socket";`,
    replace: ``,
    why: "a file that is not a socket is taken for a stale socket and deleted",
    tests: TESTS,
  },
  {
    id: "08-no-busy",
    file: "lessons/08_unix_sockets.ts",
    find: `refuse: refuseWith(new TextEncoder().encode(BUSY)),`,
    replace: ``,
    why: "a client over --max-connections gets no words",
    tests: TESTS,
  },
  {
    id: "08-sun-path-off-by-one",
    file: "lessons/08_unix_sockets/socket_file.ts",
    find: `export const SUN_PATH_MAX = 107;`,
    replace: `export const SUN_PATH_MAX = 108;`,
    why: "a 108-byte path, one too long for sun_path with its NUL, is let through",
    tests: TESTS,
  },
];
