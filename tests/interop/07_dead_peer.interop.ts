/**
 * Lesson 07's dead peers, on a real kernel: TCP keepalive is on for every
 * chat member, with the machine's times; and a member whose socket vanished
 * without FIN or RST (a half-open connection) stays in the chat until the
 * server writes to it. Needs `ss` (iproute2) for the first, `python3` with
 * CAP_NET_ADMIN (root) for the second; without them they are reported as
 * ignored, not passed.
 *
 * Run: deno task test:interop (part of deno task test)
 *
 * @module
 */

import assert from "node:assert/strict";
import * as lesson from "../../lessons/07_chat.ts";
import * as relay from "../../lessons/07_chat/3_relay.ts";
import { writeAll } from "../../lib/io.ts";
import { encodeLine } from "../../lib/lines.ts";
import { recordLog, within } from "../_util.ts";

/** Connects to the relay on 127.0.0.1, failing in words if it takes over 5 s. */
function connect(port: number): Promise<Deno.TcpConn> {
  return within(
    5_000,
    "the connection to the relay",
    Deno.connect({ hostname: "127.0.0.1", port }),
  );
}

/** Runs a command; its stdout and exit code, or `undefined` if it cannot be started. */
async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; out: string } | undefined> {
  try {
    const { code, stdout } = await new Deno.Command(cmd, { args, stderr: "null" }).output();
    return { code, out: new TextDecoder().decode(stdout) };
  } catch {
    return undefined;
  }
}

const script = new URL("./python/vanishing_member.py", import.meta.url).pathname;
const haveSs = (await run("ss", ["-V"]))?.code === 0;
const canVanish = (await run("python3", [script, "probe"]))?.code === 0;
if (!haveSs) console.error("ss not found: lesson 07's socket-state tests are ignored");
if (!canVanish) console.error("no TCP_REPAIR (python3 as root): the vanishing member is ignored");

/** The established TCP sockets with local port `port`, as `ss -tno` shows them. */
async function socketsOn(port: number): Promise<string[]> {
  const filter = `( sport = :${port} )`;
  const ss = run("ss", ["-tnoH", "state", "established", filter]);
  const { out } = (await within(5_000, `ss to list the sockets on port ${port}`, ss))!;
  return out.trim().split("\n").filter((line) => line !== "");
}

Deno.test({
  name: "startChatServer() turns TCP keepalive on for each member, with the machine's idle time",
  ignore: !haveSs,
  async fn() {
    await using server = relay.startChatServer({ port: 0 });
    using member = await connect(server.addr.port);
    await writeAll(member, encodeLine("alice"));
    const welcome = await within(5_000, "the welcome", lesson.linesFrom(member).next());
    assert.match(welcome.value ?? "", /^\* welcome, alice!/);
    const [line] = await socketsOn(server.addr.port);
    // e.g. timer:(keepalive,119min,0): the first probe after tcp_keepalive_time.
    const timer = line?.match(/timer:\(keepalive,(\d+)min/);
    assert.ok(timer, `no keepalive timer on the server's socket: ${line}`);
    const idle = Number((await run("sysctl", ["-n", "net.ipv4.tcp_keepalive_time"]))?.out);
    if (idle > 0) assert.ok(Math.abs(Number(timer[1]) - idle / 60) <= 1, line);
  },
});

Deno.test({
  name:
    "startChatServer(): a member whose socket vanished (no FIN, no RST) stays until a line is sent to it",
  ignore: !haveSs || !canVanish,
  async fn() {
    const { log, waitFor } = recordLog();
    await using server = relay.startChatServer({ port: 0, idleTimeoutMs: 0, log });
    const child = new Deno.Command("python3", {
      args: [script, `${server.addr.port}`, "ghost"],
      stdout: "piped",
    }).output();
    const { code, stdout } = await within(10_000, "the ghost to join and vanish", child);
    assert.equal(code, 0);
    const [ghostPort, said] = new TextDecoder().decode(stdout).trim().split("\n");
    assert.equal(said, "vanished");
    // Half-open: the server's side is still ESTABLISHED, the ghost's side is gone,
    // and the server's read waits; nothing tells it otherwise.
    const open = await socketsOn(server.addr.port);
    assert.ok(open.some((line) => line.includes(`:${ghostPort}`)), open.join("\n"));
    assert.deepEqual(await socketsOn(Number(ghostPort)), []);
    assert.deepEqual(server.members, ["ghost"]);
    // A write reveals it: bob's arrival is sent to the ghost, whose kernel
    // answers with an RST, and the server's read fails.
    using bob = await connect(server.addr.port);
    await writeAll(bob, encodeLine("bob"));
    await within(10_000, "the ghost to be found out", waitFor(/^ghost left/));
    assert.deepEqual(server.members, ["bob"]);
  },
});
