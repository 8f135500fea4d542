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
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return `${host}:${addr.port}`;
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
