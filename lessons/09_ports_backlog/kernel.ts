/**
 * # 09 · Asking Linux what it did
 *
 * Lesson 09 checks each claim by asking the kernel. Deno reads nothing under
 * /proc without `--allow-all`, so the lesson runs the tools a person would
 * type, each allowed by name (`deno task 09` grants `--allow-run=ss,sysctl,nstat`):
 *
 *     ss -Htan sport = :9999                      the TCP sockets on a port, with their queues
 *     sysctl -n net.ipv4.ip_local_port_range      a kernel setting
 *     nstat -asz TcpExtListenOverflows            a kernel counter (for the whole machine)
 *
 * Where a tool is not allowed or not installed, the value is `undefined` and
 * the lesson says which flag it needs.
 *
 * @module
 */

import { bracketIpv6 } from "../../lib/addr.ts";

const decoder = new TextDecoder();

/** One TCP socket as `ss -tan` lists it. */
export interface SocketRow {
  /** `LISTEN`, `ESTAB`, `TIME-WAIT`, `SYN-RECV`, ... */
  state: string;
  /** A listener: connections waiting in its accept queue. Others: bytes not yet read. */
  recvQ: number;
  /** A listener: the backlog the kernel applied. Others: bytes not yet acknowledged. */
  sendQ: number;
  /** Local address, as ss prints it (`127.0.0.1:9999`, `[::1]:9999`). */
  local: string;
  /** The local port. */
  localPort: number;
}

/**
 * Parses `ss -Htan` output (no header line).
 *
 * @example
 * ```ts
 * import { parseSs } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * const [row] = parseSs("LISTEN 2      5      127.0.0.1:9999      0.0.0.0:*\n");
 * assert.deepEqual(row, {
 *   state: "LISTEN",
 *   recvQ: 2,
 *   sendQ: 5,
 *   local: "127.0.0.1:9999",
 *   localPort: 9999,
 * });
 * ```
 */
export function parseSs(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split("\n")) {
    const [state, recvQ, sendQ, local] = line.trim().split(/\s+/);
    if (local === undefined) continue;
    const localPort = Number(local.slice(local.lastIndexOf(":") + 1));
    rows.push({ state, recvQ: Number(recvQ), sendQ: Number(sendQ), local, localPort });
  }
  return rows;
}

/** True if this process may run `command` (asks Deno, never prompts). */
export function runAllowed(command: string): boolean {
  return Deno.permissions.querySync({ name: "run", command }).state === "granted";
}

/** True if this process may use `host` on the network (asks Deno, never prompts). */
export function netAllowed(host: string): boolean {
  return Deno.permissions.querySync({ name: "net", host: bracketIpv6(host) }).state === "granted";
}

/** The note for a step skipped for lack of a permission. */
export function needs(flag: string): string {
  return `skipped: needs ${flag} (deno task 09 grants it)`;
}

/** Runs `command args...` and returns its stdout, or `undefined` if not allowed or not there. */
async function ask(command: string, args: string[]): Promise<string | undefined> {
  if (!runAllowed(command)) return undefined;
  try {
    const { success, stdout } = await new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? decoder.decode(stdout) : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** The TCP sockets on local port `port`, as `ss -Htan sport = :PORT` lists them. */
export async function tcpSocketsOnPort(port: number): Promise<SocketRow[] | undefined> {
  const text = await ask("ss", ["-Htan", "sport", "=", `:${port}`]);
  return text === undefined ? undefined : parseSs(text);
}

/** A kernel setting as numbers: `sysctl -n net.ipv4.ip_local_port_range` → `[32768, 60999]`. */
export async function sysctl(name: string): Promise<number[] | undefined> {
  const text = await ask("sysctl", ["-n", name]);
  return text === undefined ? undefined : text.trim().split(/\s+/).map(Number);
}

/** A kernel counter for the whole machine: `nstat -asz TcpExtListenOverflows`. */
export async function counter(name: string): Promise<number | undefined> {
  const text = await ask("nstat", ["-asz", name]);
  const line = text?.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(/\s+/)[1]);
}

/**
 * Runs one `bind()`: `"bound"` (and lets the socket go at once), or the
 * error Deno threw, as `AddrInUse: Address already in use (os error 98)`.
 */
export function bindOutcome(bind: () => { close(): void }): string {
  try {
    bind().close();
    return "bound";
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}
