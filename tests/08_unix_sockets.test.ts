import assert from "node:assert/strict";
import * as lesson from "../lessons/08_unix_sockets.ts";
import * as socketFile from "../lessons/08_unix_sockets/socket_file.ts";
import { underTest } from "./_exercise.ts";
import { lockSocketPath } from "./_socket_lock.ts";
import { recordLog, runCli, utf8, within } from "./_util.ts";
import { describeAddr } from "../lib/addr.ts";
import { AddressInUseError, formatError, LessonError, LimitError } from "../lib/errors.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import { serve, type Server } from "../lib/serve.ts";

const {
  explainUnixError,
  leaveStaleSocket,
  probeSocketFile,
  socketMode,
  unixPermissionFlags,
} = socketFile;

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #08a ... #08c, when `deno task verify` checks that exercise).
const listenUnix = await underTest(lesson, "listenUnix");
const serveHello = await underTest(lesson, "serveHello");
const runUnixHelloClient = await underTest(lesson, "runUnixHelloClient");
const clearStaleSocket = await underTest(socketFile, "clearStaleSocket");

// The one socket path the test task grants (--allow-net=unix:$PWD/.tmp/08_demo.sock).
const path = lesson.DEMO_PATH;

/** Lesson 03's server on `path`, built from the units under test: listenUnix() and serveHello(). */
function startServer(options: lesson.UnixHelloServerOptions = {}): Server<Deno.UnixAddr> {
  return serveHello(listenUnix(path), options);
}

/** Connects to `path`, failing in words if the connect does not finish within 2 s. */
function connect(): Promise<Deno.UnixConn> {
  return within(2_000, `a connection to ${path}`, Deno.connect({ transport: "unix", path }));
}

/** True if a file (of any kind) is at `path`. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Removes what a failed test (or a crashed run) left at `path`, so the next test can bind it. */
async function removeLeftover(): Promise<void> {
  if (await exists(path)) await Deno.remove(path);
}

/**
 * A test on the shared socket path, holding its lock so two runs at once
 * take turns, and starting and ending with nothing at the path.
 */
function socketTest(name: string, fn: () => Promise<void>): void {
  Deno.test(name, async () => {
    await using _lock = await lockSocketPath(path);
    await removeLeftover();
    try {
      await fn();
    } finally {
      await removeLeftover();
    }
  });
}

/** What is at `path`, knocking if it is a socket file, within 2 s. */
function probe(): Promise<socketFile.SocketFileState> {
  return within(2_000, `a knock on ${path}`, probeSocketFile(path));
}

/** What a promise settled with: its value, or the error it was rejected with. */
function settled<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.then((value) => value, (err: unknown) => err);
}

socketTest(
  "runUnixHelloClient() speaks lesson 03's protocol, unchanged, over a Unix socket #08a #08b",
  async () => {
    await using _server = startServer();
    const replies = await within(
      2_000,
      "the hello conversation over the socket (does the client read a reply after each name?)",
      runUnixHelloClient({ path, names: ["Michael", "张三"] }),
    );
    assert.deepEqual(replies, ["Welcome!", "Hello, Michael!", "Hello, 张三!"]);
  },
);

socketTest(
  "listenUnix() carries lesson 03's bytes: 8-byte greeting, UTF-8 reply, end of stream after exit #08a",
  async () => {
    await using _server = startServer();
    using conn = await connect();
    assert.deepEqual(
      await within(2_000, "Welcome! over the socket", readChunk(conn, 1024)),
      utf8.encode("Welcome!"),
    );
    await writeAll(conn, utf8.encode("张三"));
    const reply = await within(2_000, "Hello, 张三! over the socket", readChunk(conn, 1024));
    assert.deepEqual(reply, utf8.encode("Hello, 张三!"));
    await writeAll(conn, utf8.encode("exit"));
    const what = "the server's hang-up after exit";
    assert.equal(await within(2_000, what, readChunk(conn, 1024)), null);
  },
);

socketTest(
  "runUnixHelloClient() refuses a name whose reply would not fit one read: no framing here either #08b",
  async () => {
    await using _server = startServer();
    const err = await within(
      2_000,
      "the client to refuse a 1100-byte name",
      settled(runUnixHelloClient({ path, names: ["x".repeat(1100), "Tracy"] })),
    );
    assert.ok(err instanceof LimitError, `expected lesson 03's LimitError, got ${err}`);
    assert.match(formatError(err), /more than one 1024-byte read.*lesson 05/);
  },
);

socketTest(
  "runUnixHelloClient() with no socket file at the path lets Deno's NotFound rise #08b",
  async () => {
    const err = await within(
      2_000,
      "the client to fail with no socket file",
      settled(runUnixHelloClient({ path, names: ["nobody"] })),
    );
    assert.ok(
      err instanceof Deno.errors.NotFound,
      `expected Deno.errors.NotFound from connecting to a missing socket file, got ${err}`,
    );
  },
);

socketTest("a Unix client that bound no path is an unnamed peer: no address, no port", async () => {
  const { log, waitFor } = recordLog();
  await using server = await startLessonServer({ log });
  using conn = await connect();
  assert.equal(describeAddr(conn.localAddr), "unix:(unnamed)");
  assert.equal(describeAddr(conn.remoteAddr), `unix:${server.addr.path}`);
  const accepted = await waitFor(/^Accept/, 2_000);
  assert.equal(accepted, "Accept new connection from unix:(unnamed)...");
});

socketTest(
  "bytesBypassTheFile(): queued bytes leave the file at 0 bytes, and a conversation outlives its deletion",
  async () => {
    const seen = await within(
      5_000,
      "the conversation around the file",
      lesson.bytesBypassTheFile(path),
    );
    assert.equal(seen.queued, 64 * 1024);
    assert.equal(seen.fileSize, 0, "the data is in the kernel's buffers, not in the file");
    assert.equal(seen.readAfterDelete, seen.queued);
    assert.equal(seen.answerAfterDelete, "still here");
    assert.match(seen.newClient, /^NotFound: /, "only finding the server needs the name");
    assert.equal(await exists(path), false);
  },
);

socketTest(
  "listenUnix() makes a socket file that exists while the server runs and is gone after close() #08a",
  async () => {
    const server = startServer();
    try {
      const info = await Deno.lstat(path);
      assert.ok(info.isSocket, `${path} should be a socket file (ls -l: s...)`);
      assert.match(socketMode(info), /^s[rwx-]{9}$/);
    } finally {
      await within(2_000, "the server's close", server.close());
    }
    assert.equal(await exists(path), false, "closing the listener removes the socket file");
  },
);

/** Starts the lesson's whole server (bind, clear a stale file, serve) within 2 s. */
function startLessonServer(options: lesson.UnixHelloServerOptions = {}) {
  const what = "startUnixHelloServer() (its knock on the socket file, then the bind)";
  return within(2_000, what, lesson.startUnixHelloServer({ path, ...options }));
}

/** Lesson 08's client for one name, within 2 s. */
function greet(name: string): Promise<string[]> {
  return within(
    2_000,
    `a conversation as ${name}`,
    lesson.runUnixHelloClient({ path, names: [name] }),
  );
}

socketTest(
  "a stale socket file refuses clients at once; a new server removes it with one log line",
  async () => {
    await leaveStaleSocket(path);
    assert.equal(await probe(), "stale");

    const client = await within(
      2_000,
      "the refused client",
      runCli(lesson.cli, ["client", "--path", path]),
    );
    assert.deepEqual([client.code, client.stderr], [1, [
      `error: nothing is listening on ${path} (start the server first: deno task 08 server)`,
    ]]);

    const { log, lines } = recordLog();
    await using _server = await startLessonServer({ log });
    assert.equal(
      lines[0],
      `Removed a stale socket file at ${path}: nothing was listening (a server that crashed?).`,
    );
    assert.deepEqual(await greet("again"), ["Welcome!", "Hello, again!"]);
  },
);

socketTest(
  "a second server on a live socket path is refused and the first keeps serving",
  async () => {
    await using _first = await startLessonServer();
    assert.equal(await probe(), "live");
    const err = await settled(startLessonServer());
    assert.ok(err instanceof AddressInUseError, `expected AddressInUseError, got ${err}`);
    assert.equal(
      formatError(err),
      `error: ${path} is in use: a server is listening on it (stop that server, or choose another --path)`,
    );
    assert.deepEqual(await greet("still"), ["Welcome!", "Hello, still!"]);
  },
);

socketTest("a file that is not a socket is never deleted to make room", async () => {
  await Deno.writeTextFile(path, "precious");
  assert.equal(await probe(), "not-a-socket");
  await assert.rejects(() => startLessonServer(), /exists and is not a socket/);
  assert.equal(await Deno.readTextFile(path), "precious");
});

/** Runs the clearStaleSocket() under test on `path`: what it threw, or `undefined`. */
function clearing(log: (line: string) => void = () => {}): Promise<unknown> {
  const what = "clearStaleSocket() to decide (does its knock finish?)";
  return within(2_000, what, settled(clearStaleSocket(path, log)));
}

socketTest(
  "clearStaleSocket() removes a stale socket file, so a new server binds the path and serves #08c",
  async () => {
    await leaveStaleSocket(path); // what kill -9 leaves behind
    const { log, lines } = recordLog();
    assert.equal(await clearing(log), undefined, "a stale socket file is no reason to throw");
    assert.equal(
      await exists(path),
      false,
      "the stale socket file is still there: one that refuses a connection must be removed",
    );
    assert.equal(lines.length, 1, "one log line says a stale file was removed");
    await using _server = startServer();
    assert.deepEqual(await greet("again"), ["Welcome!", "Hello, again!"]);
  },
);

socketTest(
  "clearStaleSocket() leaves a live server's socket file alone: AddressInUseError, and the server still serves #08c",
  async () => {
    await using _server = startServer();
    const err = await clearing();
    assert.ok(
      err instanceof AddressInUseError,
      `expected an AddressInUseError for a socket a server answers on, got ${err}`,
    );
    assert.equal(await exists(path), true, "the live server's socket file was removed");
    assert.deepEqual(await greet("still"), ["Welcome!", "Hello, still!"]);
  },
);

socketTest("clearStaleSocket() never deletes a file that is not a socket #08c", async () => {
  await Deno.writeTextFile(path, "precious");
  const err = await clearing();
  assert.ok(err instanceof LessonError, `expected a LessonError for an ordinary file, got ${err}`);
  assert.equal(await Deno.readTextFile(path), "precious", "someone's file was changed or removed");
});

socketTest("clearStaleSocket() with nothing at the path does nothing #08c", async () => {
  assert.equal(await clearing(), undefined);
  assert.equal(await exists(path), false);
});

socketTest(
  "deno task 08 client with no socket file prints one error line and exits 1",
  async () => {
    assert.equal(await probe(), "missing");
    const what = "the client to fail";
    const { code, stderr } = await within(
      2_000,
      what,
      runCli(lesson.cli, ["client", "--path", path]),
    );
    assert.deepEqual([code, stderr], [1, [
      `error: there is no socket at ${path} (start the server first: deno task 08 server)`,
    ]]);
  },
);

Deno.test("deno task 08 client on a socket Deno was not allowed names the exact flags to run with", async () => {
  // .tmp/ may be read and written, but no --allow-net=unix: rule names this socket.
  const other = ".tmp/08_not_granted.sock";
  const what = "the client to be stopped by Deno's permission check";
  const { code, stderr } = await within(
    2_000,
    what,
    runCli(lesson.cli, ["client", "--path", other]),
  );
  assert.equal(code, 1);
  assert.deepEqual(stderr, [
    `error: Deno was not given permission to use the socket ${other} (run it with that ` +
    `permission: deno run ${unixPermissionFlags(other)} lessons/08_unix_sockets.ts ...)`,
  ]);
});

Deno.test("deno task 08 --help lists server, client and --path; an unknown command is one line", async () => {
  const help = await runCli(lesson.cli, ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout.join("\n"), /deno task 08 server \[options\]/);
  assert.match(help.stdout.join("\n"), /--path P +the socket file/);
  const wrong = await runCli(lesson.cli, ["serve"]);
  assert.deepEqual([wrong.code, wrong.stderr], [1, [
    'error: unknown command "serve": expected server or client (see --help)',
  ]]);
});

const permissionFlags: { label: string; path: string; flags: string }[] = [
  {
    label: "a relative path is named from $PWD",
    path: ".tmp/a.sock",
    flags: "--allow-read=.tmp --allow-write=.tmp --allow-net=unix:$PWD/.tmp/a.sock",
  },
  {
    label: "a ./ prefix is dropped",
    path: "./a.sock",
    flags: "--allow-read=. --allow-write=. --allow-net=unix:$PWD/a.sock",
  },
  {
    label: "an absolute path is kept as is",
    path: "/tmp/a.sock",
    flags: "--allow-read=/tmp --allow-write=/tmp --allow-net=unix:/tmp/a.sock",
  },
];

for (const { label, path, flags } of permissionFlags) {
  Deno.test(`unixPermissionFlags: ${label}`, () => {
    assert.equal(unixPermissionFlags(path), flags);
  });
}

// What Deno 2.9 throws on Linux for each case (checked by hand), and the line a person sees.
const translations: { label: string; err: Error; action: "listen" | "connect"; line: string }[] = [
  {
    label: "a client whose socket file does not exist",
    err: new Deno.errors.NotFound("No such file or directory (os error 2)"),
    action: "connect",
    line: "error: there is no socket at .tmp/a.sock (start the server first)",
  },
  {
    label: "a client on a stale socket file",
    err: new Deno.errors.ConnectionRefused("Connection refused (os error 111)"),
    action: "connect",
    line:
      "error: nothing is listening on .tmp/a.sock (a socket file with no server behind it: start the server again)",
  },
  {
    label: "a file mode that keeps this user out",
    err: new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    action: "connect",
    line:
      "error: the system refused to connect on .tmp/a.sock (a socket file obeys file permissions: check its owner and mode with ls -l)",
  },
  {
    label: "a server stopped mid-conversation",
    err: new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"),
    action: "connect",
    line:
      "error: the server on .tmp/a.sock reset the connection in the middle of the conversation (was it stopped? start it again)",
  },
  {
    // Deno 2.9 checks the absolute path (unless --allow-all): 108 bytes and up fail.
    label: "a path longer than sockaddr_un holds",
    err: new TypeError("path must be shorter than SUN_LEN"),
    action: "listen",
    line:
      "error: the socket path .tmp/a.sock is too long: sockaddr_un holds 107 bytes (Deno counts the absolute path: choose a shorter --path, e.g. under /tmp)",
  },
];

for (const { label, err, action, line } of translations) {
  Deno.test(`explainUnixError turns ${label} into one readable line`, () => {
    assert.equal(formatError(explainUnixError(err, { action, path: ".tmp/a.sock" })), line);
  });
}

Deno.test("explainUnixError leaves errors it does not know unchanged", () => {
  const err = new RangeError("something else");
  assert.equal(explainUnixError(err, { action: "listen", path: "x.sock" }), err);
});

socketTest(
  "serve() on a listenUnix() listener keeps serving after one client breaks the handler #08a",
  async () => {
    const { log, waitFor } = recordLog();
    let calls = 0;
    await using _server = serve(listenUnix(path), async (conn) => {
      if (++calls === 1) throw new Error("boom");
      await writeAll(conn, utf8.encode("fine"));
    }, { log });
    {
      using first = await connect();
      assert.equal(await within(2_000, "the close", readChunk(first, 16)), null);
    }
    assert.equal(await waitFor(/boom/, 2_000), "Connection from unix:(unnamed) failed: boom");
    using second = await connect();
    assert.equal(utf8.decode((await within(2_000, "fine", readChunk(second, 16)))!), "fine");
  },
);

socketTest(
  "the demo narrates the file's life, where the bytes go, and times both transports",
  async () => {
    const { log, lines } = recordLog();
    await within(60_000, "the demo", lesson.cli.demo(log));
    const text = lines.join("\n");
    assert.match(text, /Accept new connection from unix:\(unnamed\)\.\.\./);
    assert.match(text, /is in use: a server is listening on it/);
    assert.match(text, /After close\(\): \.tmp\/08_demo\.sock is gone/);
    assert.match(text, /65536 bytes written, not yet read: the socket file is 0 bytes\./);
    assert.match(text, /A client now: error: nothing is listening on \.tmp\/08_demo\.sock/);
    assert.match(text, /Removed a stale socket file/);
    assert.match(text, /TCP 127\.0\.0\.1: +\d+ ms/);
    assert.match(text, /Unix socket: +\d+ ms/);
    assert.equal(await exists(path), false, "the demo leaves no socket file behind");
  },
);
