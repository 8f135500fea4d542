import assert from "node:assert/strict";
import { IdleTimeout } from "../lib/idle_timeout.ts";
import { TimeoutError } from "../lib/errors.ts";
import { writeAll } from "../lib/io.ts";
import { utf8 } from "./_util.ts";

const explain = () => new TimeoutError("the peer said nothing", "raise --timeout-ms");

Deno.test("a read that gets bytes in time returns them, and the timer is cleared", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  await writeAll(server, utf8.encode("hi"));
  const timeout = new IdleTimeout(client, 60_000, explain);
  const buffer = new Uint8Array(16);
  const n = await timeout.reader(client).read(buffer);
  assert.equal(utf8.decode(buffer.subarray(0, n!)), "hi");
  assert.equal(timeout.timedOut, false);
  // The test ends with no timer pending: the op sanitizer checks that.
});

Deno.test("a silent peer: the read fails with the TimeoutError, the socket is closed, later calls fail the same way", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using _server = await listener.accept();
  const timeout = new IdleTimeout(client, 10, explain);
  const reader = timeout.reader(client);
  await assert.rejects(reader.read(new Uint8Array(16)), (err) => {
    assert.ok(err instanceof TimeoutError);
    assert.equal(err.message, "the peer said nothing");
    return true;
  });
  assert.ok(timeout.timedOut);
  await assert.rejects(reader.read(new Uint8Array(16)), TimeoutError);
});

Deno.test("an operation's own error passes through unchanged", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const timeout = new IdleTimeout(listener, 60_000, explain);
  await assert.rejects(timeout.run(() => Promise.reject(new RangeError("boom"))), RangeError);
});
