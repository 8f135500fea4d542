/**
 * Socket addresses as people write them: `127.0.0.1:9999`, `[::1]:9999`.
 *
 * @module
 */

/** The host lessons bind and connect to unless told otherwise: loopback. */
export const LOOPBACK = "127.0.0.1";

/**
 * Writes a host and port the way a person types them: IPv6 literals in
 * brackets (`[::1]:9999`), everything else as `host:port`.
 *
 * @example
 * ```ts
 * import { formatAddr } from "./addr.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAddr({ hostname: "127.0.0.1", port: 9999 }), "127.0.0.1:9999");
 * assert.equal(formatAddr({ hostname: "::1", port: 9999 }), "[::1]:9999");
 * ```
 */
export function formatAddr(addr: { hostname: string; port: number }): string {
  return `${bracketIpv6(addr.hostname)}:${addr.port}`;
}

/**
 * An IPv6 literal in brackets, as URLs, `host:port` and Deno's `--allow-net`
 * want it (`[::1]`); any other host unchanged. A host already in brackets
 * (someone typed `--host [::1]`) is not wrapped twice.
 *
 * @example
 * ```ts
 * import { bracketIpv6 } from "./addr.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bracketIpv6("::1"), "[::1]");
 * assert.equal(bracketIpv6("[::1]"), "[::1]");
 * assert.equal(bracketIpv6("127.0.0.1"), "127.0.0.1");
 * ```
 */
export function bracketIpv6(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * Any socket address in words: `127.0.0.1:9999`, `[::1]:9999`, or for a Unix
 * domain socket `unix:<path>`. A Unix client that never bound a path has no
 * name at all (Deno reports `path: null`): `unix:(unnamed)`.
 *
 * @example
 * ```ts
 * import { describeAddr } from "./addr.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeAddr({ transport: "tcp", hostname: "::1", port: 9999 }), "[::1]:9999");
 * assert.equal(describeAddr({ transport: "unix", path: "/tmp/hello.sock" }), "unix:/tmp/hello.sock");
 * ```
 */
export function describeAddr(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") return formatAddr(addr);
  if (addr.transport === "unix" || addr.transport === "unixpacket") {
    return `unix:${addr.path || "(unnamed)"}`;
  }
  return addr.transport;
}

/**
 * The host and port of a socket's address. Lessons only use TCP and UDP, whose
 * addresses are `Deno.NetAddr`; anything else is a programming error.
 */
export function netAddr(addr: Deno.Addr): Deno.NetAddr {
  if (addr.transport !== "tcp" && addr.transport !== "udp") {
    throw new TypeError(`expected a TCP or UDP address, got ${addr.transport}`);
  }
  return addr;
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/**
 * The one-line warning a server prints when it listens where other machines
 * can reach it: any address but loopback (`0.0.0.0` and `::` mean every
 * interface). `::` is dual stack on Linux (`net.ipv6.bindv6only` is 0 and
 * Deno does not set `IPV6_V6ONLY`), so IPv4 clients reach it as well, as
 * `::ffff:a.b.c.d`: the warning says so. `undefined` for loopback.
 *
 * @example
 * ```ts
 * import { exposureWarning } from "./addr.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exposureWarning({ hostname: "127.0.0.1", port: 9999 }), undefined);
 * assert.match(exposureWarning({ hostname: "0.0.0.0", port: 9999 })!, /^warning: /);
 * assert.match(exposureWarning({ hostname: "::", port: 9999 })!, /IPv4 clients reach it too/);
 * ```
 */
export function exposureWarning(addr: { hostname: string; port: number }): string | undefined {
  if (isLoopback(addr.hostname)) return undefined;
  const where = addr.hostname === "::"
    ? "every network interface, IPv6 and IPv4 (dual stack: IPv4 clients reach it too)"
    : addr.hostname === "0.0.0.0"
    ? "every network interface"
    : "a network interface";
  return `warning: listening on ${formatAddr(addr)}, ${where}: other machines can connect ` +
    `(use --host 127.0.0.1 to keep it on this machine)`;
}
