/**
 * Deno's socket errors in words a person can act on. Lessons call
 * `Deno.listen` and `Deno.connect` directly and let their errors rise; the
 * command line (`cli.ts`) is the one place that knows which address was
 * asked for, and turns the error into one line:
 *
 *     error: nothing is listening on 127.0.0.1:9999 (start the server first: deno task 03 server)
 *
 * @module
 */

import { bracketIpv6, formatAddr } from "./addr.ts";
import {
  AddressInUseError,
  ConnectionLostError,
  ConnectionRefusedError,
  HostNotFoundError,
  LessonError,
  PermissionError,
  TimeoutError,
} from "./errors.ts";

/** Where a socket was going when it failed, and what to tell the person. */
export interface NetErrorContext {
  /** The address asked for. */
  hostname: string;
  /** The port asked for. */
  port: number;
  /** What to do when nothing listens there, e.g. `start the server first: deno task 03 server`. */
  refusedHint?: string;
  /** The command a learner typed, for the permission hint: `deno task 03 client`. */
  command?: string;
}

/**
 * Turns one of Deno's socket errors into a typed {@linkcode LessonError}
 * whose message says what happened. Errors it does not know are returned
 * unchanged.
 *
 * @example
 * ```ts
 * import { explainNetError } from "./explain.ts";
 * import { formatError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = explainNetError(new Deno.errors.AddrInUse("Address in use (os error 98)"), {
 *   hostname: "127.0.0.1",
 *   port: 9999,
 * });
 * assert.equal(
 *   formatError(err),
 *   "error: 127.0.0.1:9999 is already in use (another server running? stop it, or choose --port)",
 * );
 * ```
 */
export function explainNetError(err: unknown, ctx: NetErrorContext): unknown {
  if (err instanceof LessonError) return err;
  const where = formatAddr(ctx);
  const options = { cause: err };
  if (err instanceof Deno.errors.AddrInUse) {
    return new AddressInUseError(
      `${where} is already in use`,
      "another server running? stop it, or choose --port",
      options,
    );
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(
      `nothing is listening on ${where}`,
      ctx.refusedHint ?? "start the server first",
      options,
    );
  }
  if (err instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      `Deno was not given permission to use the network at ${where}`,
      `grant it: deno run --allow-net=${bracketIpv6(ctx.hostname)} ...` +
        (ctx.command ? `, or use ${ctx.command}` : ""),
      options,
    );
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new PermissionError(
      `the system refused to use ${where}`,
      ctx.port < 1024
        ? "ports below net.ipv4.ip_unprivileged_port_start (usually 1024) need privileges: choose a port from 1024 up"
        : "check firewall rules and privileges",
      options,
    );
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return new LessonError(
      `cannot use ${where}: the address is not on this machine, or no local port is free`,
      "use 127.0.0.1 or an address `ip addr` lists; if connecting, the ephemeral ports may be used up",
      options,
    );
  }
  if (err instanceof Deno.errors.TimedOut) {
    return new TimeoutError(
      `no answer from ${where}`,
      "is the host reachable? is a firewall dropping packets?",
      options,
    );
  }
  if (err instanceof Deno.errors.ConnectionReset || err instanceof Deno.errors.BrokenPipe) {
    return new ConnectionLostError(
      `${where} reset the connection in the middle of the conversation`,
      "was the server stopped? start it again",
      options,
    );
  }
  if (err instanceof Error && /lookup address|name resolution|not known/i.test(err.message)) {
    return new HostNotFoundError(
      `host not found: ${ctx.hostname}`,
      "check the spelling, or use an IP address",
      options,
    );
  }
  return err;
}
