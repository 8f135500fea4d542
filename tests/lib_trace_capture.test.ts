/**
 * `--capture` where it cannot run: one line saying why and what would
 * enable it. (The capture itself, as root with tcpdump installed:
 * tests/interop/capture.interop.ts; reading tcpdump's output:
 * lib_trace_capture_parse.test.ts.)
 */

import assert from "node:assert/strict";
import { startCapture, TCPDUMP_ARGS, whyTcpdumpFailed } from "../lib/capture.ts";

Deno.test("startCapture() with a tcpdump it may not run, or that is not there, says why in one line", async () => {
  const started = await startCapture({ onPacket: () => {}, command: "no-such-tcpdump" });
  assert.equal(started.capture, undefined);
  const reason = started.reason ?? "";
  assert.ok(!reason.includes("\n"), reason);
  const permission = await Deno.permissions.query({ name: "run", command: "no-such-tcpdump" });
  if (Deno.build.os !== "linux") assert.match(reason, /runs tcpdump on Linux/);
  else if (permission.state !== "granted") {
    assert.equal(
      reason,
      "Deno may not run no-such-tcpdump: add --allow-run=no-such-tcpdump to the command",
    );
  } else {
    assert.equal(
      reason,
      "no-such-tcpdump is not installed (Debian/Ubuntu: sudo apt-get install tcpdump)",
    );
  }
});

Deno.test("whyTcpdumpFailed() turns tcpdump's refusal without root into what would enable it", () => {
  assert.equal(
    whyTcpdumpFailed(
      "tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n",
    ),
    "tcpdump may not capture here: it needs root or CAP_NET_RAW " +
      "(run as root, or: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump))",
  );
  assert.equal(
    whyTcpdumpFailed("tcpdump: lo: No such device exists\n"),
    "tcpdump could not start: tcpdump: lo: No such device exists",
  );
  assert.equal(whyTcpdumpFailed(""), "tcpdump could not start: it exited at once");
});

Deno.test("TCPDUMP_ARGS: the loopback, numbers not names, epoch times, absolute numbers, a line per packet at once", () => {
  const args = TCPDUMP_ARGS.join(" ");
  for (const flag of ["-i lo", "-n", "-tt", "-S", "-l", "--immediate-mode"]) {
    assert.ok(args.includes(flag), flag);
  }
  assert.equal(TCPDUMP_ARGS.at(-1), "tcp or udp");
});
