import assert from "node:assert/strict";
import { connectTcp, explainNetError, listenTcp } from "../lib/tcp.ts";
import {
  AddressInUseError,
  ConnectionRefusedError,
  formatError,
  HostNotFoundError,
  PermissionError,
  TimeoutError,
} from "../lib/errors.ts";
import { closedPort } from "./_util.ts";

function errorLine(err: unknown): string {
  return formatError(err);
}

Deno.test("listenTcp binds 127.0.0.1 unless told otherwise", () => {
  using listener = listenTcp({ port: 0 });
  assert.equal(listener.addr.hostname, "127.0.0.1");
});

Deno.test("a port already in use is reported with what to do", () => {
  using first = listenTcp({ port: 0 });
  assert.throws(() => listenTcp({ port: first.addr.port }), (err) => {
    assert.ok(err instanceof AddressInUseError);
    assert.equal(
      errorLine(err),
      `error: port ${first.addr.port} is already in use (another server running? choose --port)`,
    );
    return true;
  });
});

Deno.test("connecting where nothing listens is reported as refused, with the lesson's hint", async () => {
  const port = closedPort();
  await assert.rejects(
    () => connectTcp({ port, hint: "start the server first: deno task 03 server" }),
    (err) => {
      assert.ok(err instanceof ConnectionRefusedError);
      assert.equal(
        errorLine(err),
        `error: nothing is listening on 127.0.0.1:${port} (start the server first: deno task 03 server)`,
      );
      return true;
    },
  );
});

Deno.test("a connect that gets no handshake in time fails with a timeout", async () => {
  // With a backlog of 1 and nobody calling accept(), Linux completes two
  // handshakes and then drops further SYNs: the third connect hangs.
  using listener = listenTcp({ port: 0, backlog: 1 });
  const port = listener.addr.port;
  using _first = await connectTcp({ port, timeoutMs: 2_000 });
  using _second = await connectTcp({ port, timeoutMs: 2_000 });
  await assert.rejects(() => connectTcp({ port, timeoutMs: 100 }), (err) => {
    assert.ok(err instanceof TimeoutError);
    assert.equal(
      errorLine(err),
      `error: no answer from 127.0.0.1:${port} within 100 ms (is the host reachable? raise --timeout-ms)`,
    );
    return true;
  });
});

Deno.test("a missing --allow-net permission is explained, not dumped", async () => {
  await assert.rejects(() => connectTcp({ host: "10.255.255.1", port: 9 }), (err) => {
    assert.ok(err instanceof PermissionError);
    assert.match(
      errorLine(err),
      /^error: Deno was not given permission to use the network at 10\.255\.255\.1:9 \(run it with that permission: deno run --allow-net=10\.255\.255\.1 \S+ \.\.\.\)$/,
    );
    return true;
  });
});

const translations: { label: string; err: Error; line: string }[] = [
  {
    label: "a failed DNS lookup",
    err: new Error("failed to lookup address information: Name or service not known"),
    line: "error: host not found: example.invalid (check the spelling, or use an IP address)",
  },
  {
    label: "a port below 1024 for a non-root user",
    err: new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    line:
      "error: the system refused to listen on example.invalid:80 (ports below 1024 need administrator rights: choose a port from 1024 up)",
  },
  {
    label: "a kernel timeout",
    err: new Deno.errors.TimedOut("Connection timed out (os error 110)"),
    line:
      "error: no answer from example.invalid:80 (is the host reachable? is a firewall dropping packets?)",
  },
];

for (const { label, err, line } of translations) {
  Deno.test(`explainNetError turns ${label} into one readable line`, () => {
    const explained = explainNetError(err, {
      action: "listen",
      hostname: "example.invalid",
      port: 80,
    });
    assert.equal(errorLine(explained), line);
  });
}

Deno.test("explainNetError names a host not found with a typed error", () => {
  const explained = explainNetError(new Error("failed to lookup address information"), {
    action: "connect",
    hostname: "nope.invalid",
    port: 80,
  });
  assert.ok(explained instanceof HostNotFoundError);
});

Deno.test("explainNetError leaves errors it does not know unchanged", () => {
  const err = new RangeError("something else");
  assert.equal(explainNetError(err, { action: "connect", hostname: "h", port: 1 }), err);
});

Deno.test("IPv6 addresses appear in brackets in messages", () => {
  const explained = explainNetError(new Deno.errors.ConnectionRefused("refused"), {
    action: "connect",
    hostname: "::1",
    port: 9999,
  });
  assert.equal(
    errorLine(explained),
    "error: nothing is listening on [::1]:9999 (start the server first)",
  );
});
