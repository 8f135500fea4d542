import assert from "node:assert/strict";
import { explainNetError } from "../lib/explain.ts";
import { formatError, HostNotFoundError } from "../lib/errors.ts";

const at = { hostname: "example.invalid", port: 80 };

Deno.test("explainNetError() turns each of Deno's socket errors into one readable line", async (t) => {
  const cases: { label: string; err: Error; line: string }[] = [
    {
      label: "a port in use",
      err: new Deno.errors.AddrInUse("Address already in use (os error 98)"),
      line:
        "error: example.invalid:80 is already in use (another server running? stop it, or choose --port)",
    },
    {
      label: "nothing listening",
      err: new Deno.errors.ConnectionRefused("Connection refused (os error 111)"),
      line: "error: nothing is listening on example.invalid:80 (start the server first)",
    },
    {
      label: "a failed DNS lookup",
      err: new Error("failed to lookup address information: Name or service not known"),
      line: "error: host not found: example.invalid (check the spelling, or use an IP address)",
    },
    {
      label: "a privileged port",
      err: new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
      line:
        "error: the system refused to use example.invalid:80 (ports below net.ipv4.ip_unprivileged_port_start (usually 1024) need privileges: choose a port from 1024 up)",
    },
    {
      label: "a kernel timeout",
      err: new Deno.errors.TimedOut("Connection timed out (os error 110)"),
      line:
        "error: no answer from example.invalid:80 (is the host reachable? is a firewall dropping packets?)",
    },
    {
      label: "a reset mid-conversation",
      err: new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"),
      line:
        "error: example.invalid:80 reset the connection in the middle of the conversation (was the server stopped? start it again)",
    },
    {
      label: "no such local address, or no ephemeral port left",
      err: new Deno.errors.AddrNotAvailable("Cannot assign requested address (os error 99)"),
      line:
        "error: cannot use example.invalid:80: the address is not on this machine, or no local port is free (use 127.0.0.1 or an address `ip addr` lists; if connecting, the ephemeral ports may be used up)",
    },
  ];
  for (const { label, err, line } of cases) {
    await t.step(label, () => assert.equal(formatError(explainNetError(err, at)), line));
  }
});

Deno.test("explainNetError() explains a missing --allow-net and names the task", async () => {
  const err = await Deno.connect({ hostname: "10.255.255.1", port: 9 }).catch((e) => e);
  assert.ok(err instanceof Deno.errors.NotCapable);
  const line = formatError(
    explainNetError(err, { hostname: "10.255.255.1", port: 9, command: "deno task 03" }),
  );
  assert.equal(
    line,
    "error: Deno was not given permission to use the network at 10.255.255.1:9 (grant it: deno run --allow-net=10.255.255.1 ..., or use deno task 03)",
  );
});

Deno.test("explainNetError() names a host not found with a typed error", () => {
  const explained = explainNetError(new Error("failed to lookup address information"), at);
  assert.ok(explained instanceof HostNotFoundError);
});

Deno.test("explainNetError() leaves errors it does not know unchanged", () => {
  const err = new RangeError("something else");
  assert.equal(explainNetError(err, at), err);
});

Deno.test("explainNetError() writes IPv6 addresses in brackets", () => {
  const explained = explainNetError(new Deno.errors.ConnectionRefused("refused"), {
    hostname: "::1",
    port: 9999,
  });
  assert.equal(
    formatError(explained),
    "error: nothing is listening on [::1]:9999 (start the server first)",
  );
});
