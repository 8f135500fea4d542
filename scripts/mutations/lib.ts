/**
 * Bugs to plant in the shared code in `lib/` (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const SERVE = [
  "tests/lib_serve.test.ts",
  "tests/03_tcp_hello.test.ts",
  "tests/hostile/03_tcp_hello.test.ts",
];

/** The mutations of lib/. */
export const MUTATIONS_LIB: readonly Mutation[] = [
  {
    id: "lib-serve-idle-early",
    file: "lib/serve.ts",
    find: `++idle.quietChecks >= IDLE_CHECKS`,
    replace: `++idle.quietChecks >= IDLE_CHECKS - 1`,
    why: "an idle connection is closed after three quarters of --idle-timeout-ms",
    tests: SERVE,
  },
  {
    id: "lib-serve-limit-off-by-one",
    file: "lib/serve.ts",
    find: `if (open.size >= maxConnections)`,
    replace: `if (open.size > maxConnections)`,
    why: "one connection more than --max-connections is let in",
    tests: SERVE,
  },
  {
    id: "lib-serve-serial",
    file: "lib/serve.ts",
    find: `else track(serveOne(conn));`,
    replace: `else await serveOne(conn);`,
    why: "the server loop serves one client at a time",
    tests: SERVE,
  },
  {
    id: "lib-serve-no-end-reads",
    file: "lib/serve.ts",
    find: `if (options.endReadsOnClose) { for (const watched of open.keys()) watched.endReads(); }`,
    replace: ``,
    why: "close(grace) leaves waiting reads alone",
    tests: SERVE,
  },
  {
    id: "lib-serve-silent-failures",
    file: "lib/serve.ts",
    find: `if (!idle.closed && !(closing && isClosedError(err))) log(describeFailure(conn, err));`,
    replace: ``,
    why: "a failed connection is not logged",
    tests: SERVE,
  },
  {
    id: "lib-serve-reset-as-bug",
    file: "lib/serve.ts",
    find: `if (isPeerGoneError(err)) return \`Connection from \${peer} was reset by the peer.\`;`,
    replace: ``,
    why: "a peer's reset is logged as a failure",
    tests: SERVE,
  },
  {
    id: "lib-watched-no-write-count",
    file: "lib/watched_conn.ts",
    find: `this.activity++;\n    return this.inner.write(p);`,
    replace: `return this.inner.write(p);`,
    why: "the idle timeout does not see writes",
    tests: SERVE,
  },
  {
    id: "lib-linger-no-fin",
    file: "lib/linger.ts",
    find: `await conn.closeWrite();`,
    replace: ``,
    why: "shutdownAndDrain sends no FIN: the peer waits out the drain timer",
    tests: [
      "tests/lib_linger.test.ts",
      "tests/lib_serve.test.ts",
      "tests/02_hello_http.test.ts",
      "tests/02_hello_http_closing.test.ts",
    ],
  },
  {
    id: "lib-io-write-once",
    file: "lib/io.ts",
    find:
      `  while (written < bytes.length) {\n    const n = await writer.write(bytes.subarray(written));`,
    replace:
      `  if (written < bytes.length) {\n    const n = await writer.write(bytes.subarray(written));`,
    why: "writeAll writes once: a partial write loses the rest",
    tests: ["tests/lib_io.test.ts"],
  },
  {
    id: "lib-cli-stack-for-all",
    file: "lib/cli.ts",
    find:
      `if (!(explained instanceof LessonError)) {\n      stderr("(this is a bug in the lesson; the stack trace follows)");`,
    replace:
      `if (explained) {\n      stderr("(this is a bug in the lesson; the stack trace follows)");`,
    why: "an expected error prints a stack trace",
    tests: ["tests/lib_cli.test.ts", "tests/03_tcp_hello.test.ts"],
  },
  {
    id: "lib-cli-grace-ignored",
    file: "lib/cli.ts",
    find: `await serveUntilCtrlC(running, stdout, { graceMs: limits.graceMs, signal: io.signal });`,
    replace: `await serveUntilCtrlC(running, stdout, { graceMs: 0, signal: io.signal });`,
    why: "--grace-ms is ignored",
    tests: ["tests/lib_cli.test.ts"],
  },
  {
    id: "lib-explain-hint-lost",
    file: "lib/explain.ts",
    find: `ctx.refusedHint ?? "start the server first"`,
    replace: `"start the server first"`,
    why: "a client with no server is not told which command starts it",
    tests: ["tests/lib_explain.test.ts", "tests/03_tcp_hello.test.ts"],
  },
];
