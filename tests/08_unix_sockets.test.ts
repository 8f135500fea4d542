import assert from "node:assert/strict";
import { loadLesson } from "./_lesson.ts";
import { recordLog, utf8 } from "./_util.ts";
import { describeAddr } from "../lib/addr.ts";
import {
  AddressInUseError,
  ConnectionRefusedError,
  formatError,
  PermissionError,
  UsageError,
} from "../lib/errors.ts";
import { readChunk, writeAll } from "../lib/io.ts";
import {
  connectUnix,
  explainUnixError,
  listenUnix,
  probeSocketFile,
  serveUnix,
  unixPermissionFlags,
} from "../lib/unix.ts";

const lesson = await loadLesson<typeof import("../lessons/08_unix_sockets.ts")>(
  "08_unix_sockets.ts",
);

// The one socket path the test task grants (--allow-net=unix:$PWD/.tmp/08_demo.sock).
const path = lesson.DEMO_PATH;

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

Deno.test("lesson 03's hello protocol runs unchanged over a Unix socket", async () => {
  await using _server = await lesson.startUnixHelloServer({ path });
  const replies = await lesson.runUnixHelloClient({ path, names: ["Michael", "张三"] });
  assert.deepEqual(replies, ["Welcome!", "Hello, Michael!", "Hello, 张三!"]);
});

Deno.test("the bytes on a Unix socket are the same as over TCP: 8-byte greeting, UTF-8 reply", async () => {
  await using _server = await lesson.startUnixHelloServer({ path });
  using conn = await connectUnix({ path });
  assert.deepEqual(await readChunk(conn, 1024), utf8.encode("Welcome!"));
  await writeAll(conn, utf8.encode("张三"));
  assert.deepEqual(await readChunk(conn, 1024), utf8.encode("Hello, 张三!"));
  await writeAll(conn, utf8.encode("exit"));
  assert.equal(await readChunk(conn, 1024), null); // the server hung up
});

Deno.test("a Unix client that bound no path is an unnamed peer: no address, no port", async () => {
  const { log, waitFor } = recordLog();
  await using server = await lesson.startUnixHelloServer({ path, log });
  using conn = await connectUnix({ path });
  assert.equal(describeAddr(conn.localAddr), "unix:(unnamed)");
  assert.equal(describeAddr(conn.remoteAddr), `unix:${server.path}`);
  assert.equal(await waitFor(/^Accept/), "Accept new connection from unix:(unnamed)...");
});

Deno.test("the socket file exists while the server runs and is gone after close()", async () => {
  const server = await lesson.startUnixHelloServer({ path });
  const info = await Deno.lstat(path);
  assert.ok(info.isSocket);
  assert.match(lesson.socketMode(info), /^s[rwx-]{9}$/);
  await server.close();
  assert.equal(await exists(path), false);
});

Deno.test("a stale socket file from a crashed server is removed with one log line, then served", async () => {
  await lesson.leaveStaleSocket(path);
  assert.equal(await probeSocketFile(path), "stale");

  // A client is refused at once: the kernel knows nobody listens on the file.
  await assert.rejects(() => lesson.runUnixHelloClient({ path }), (err) => {
    assert.ok(err instanceof ConnectionRefusedError);
    assert.equal(
      formatError(err),
      `error: nothing is listening on ${path} (start the server first: deno task 08 server)`,
    );
    return true;
  });

  const { log, lines } = recordLog();
  await using _server = await lesson.startUnixHelloServer({ path, log });
  assert.equal(
    lines[0],
    `Removed a stale socket file at ${path}: nothing was listening (a server that crashed?).`,
  );
  assert.deepEqual(await lesson.runUnixHelloClient({ path, names: ["again"] }), [
    "Welcome!",
    "Hello, again!",
  ]);
});

Deno.test("a second server on a live socket path is refused and the first keeps serving", async () => {
  await using _first = await lesson.startUnixHelloServer({ path });
  assert.equal(await probeSocketFile(path), "live");
  await assert.rejects(() => lesson.startUnixHelloServer({ path }), (err) => {
    assert.ok(err instanceof AddressInUseError);
    assert.equal(
      formatError(err),
      `error: ${path} is in use: a server is listening on it (stop that server, or choose another --path)`,
    );
    return true;
  });
  assert.deepEqual(await lesson.runUnixHelloClient({ path, names: ["still"] }), [
    "Welcome!",
    "Hello, still!",
  ]);
});

Deno.test("a file that is not a socket is never deleted to make room", async () => {
  await Deno.mkdir(".tmp", { recursive: true });
  await Deno.writeTextFile(path, "precious");
  try {
    assert.equal(await probeSocketFile(path), "not-a-socket");
    await assert.rejects(() => listenUnix({ path }), /exists and is not a socket/);
    assert.equal(await Deno.readTextFile(path), "precious");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a client with no socket file gets one clear line", async () => {
  assert.equal(await probeSocketFile(path), "missing");
  await assert.rejects(() => lesson.runUnixHelloClient({ path }), (err) => {
    assert.ok(err instanceof ConnectionRefusedError);
    assert.equal(
      formatError(err),
      `error: there is no socket at ${path} (start the server first: deno task 08 server)`,
    );
    return true;
  });
});

Deno.test("a socket path Deno was not allowed names the exact flags to run with", async () => {
  // .tmp/ may be read and written, but no --allow-net=unix: rule names this socket.
  const other = ".tmp/08_not_granted.sock";
  await assert.rejects(() => connectUnix({ path: other }), (err) => {
    assert.ok(err instanceof PermissionError);
    const line = formatError(err);
    const flags = unixPermissionFlags(other);
    assert.ok(
      line.startsWith(
        `error: Deno was not given permission to use the socket ${other} ` +
          `(run it with that permission: deno run ${flags} `,
      ),
      line,
    );
    assert.equal(flags, "--allow-read=.tmp --allow-write=.tmp --allow-net=unix:$PWD/" + other);
    return true;
  });
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
    label: "a path longer than sockaddr_un holds",
    err: new TypeError("path must be shorter than SUN_LEN"),
    action: "listen",
    line:
      "error: the socket path .tmp/a.sock is too long: the kernel takes about 100 bytes at most (choose a shorter --path, e.g. under /tmp)",
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

Deno.test("serveUnix keeps serving after one client breaks the handler", async () => {
  const { log, waitFor } = recordLog();
  let calls = 0;
  await using server = serveUnix(await listenUnix({ path }), async (conn) => {
    if (++calls === 1) throw new Error("boom");
    await writeAll(conn, utf8.encode("fine"));
  }, { log });
  {
    using first = await connectUnix({ path: server.path });
    assert.equal(await readChunk(first, 16), null);
  }
  assert.equal(await waitFor(/boom/), "Connection from unix:(unnamed) failed: boom");
  using second = await connectUnix({ path: server.path });
  assert.equal(utf8.decode((await readChunk(second, 16))!), "fine");
});

Deno.test("the demo narrates the file's life and measures both transports", async () => {
  const { log, lines } = recordLog();
  await lesson.demo(log);
  const text = lines.join("\n");
  assert.match(text, /Accept new connection from unix:\(unnamed\)\.\.\./);
  assert.match(text, /is in use: a server is listening on it/);
  assert.match(text, /After close\(\): \.tmp\/08_demo\.sock is gone/);
  assert.match(text, /A client now: error: nothing is listening on \.tmp\/08_demo\.sock/);
  assert.match(text, /Removed a stale socket file/);
  assert.match(text, /TCP 127\.0\.0\.1: +\d+ ms/);
  assert.match(text, /Unix socket: +\d+ ms/);
  assert.equal(await exists(path), false, "the demo leaves no socket file behind");
});

Deno.test("main rejects unknown commands as usage errors", async () => {
  await assert.rejects(() => lesson.main(["serve"]), UsageError);
});
