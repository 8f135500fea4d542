/**
 * The limits every TCP server lesson shares, as command-line flags: how many
 * clients at once, how long one may do nothing, how long open conversations
 * get to finish when the server stops. Each has a default that suits a
 * lesson run on one machine, and a flag to change it.
 *
 * nginx, Redis and Netty have the same three: a connection limit
 * (`worker_connections`, `maxclients`), an idle timeout (`client_body_timeout`,
 * `timeout`) and a graceful shutdown. Without them, one program that opens
 * connections in a loop, or opens them and says nothing, uses up the
 * server's file descriptors and memory until it serves nobody.
 *
 * @module
 */

import { intFlag } from "./cli.ts";
import { writeAll } from "./io.ts";
import { shutdownAndDrain } from "./linger.ts";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type ServeTcpOptions,
} from "./server.ts";

export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS };

/** How long open conversations get to finish after Ctrl+C unless told: 5 s. */
export const DEFAULT_GRACE_MS = 5_000;

/** The limits a server runs with. */
export interface ServerLimits {
  /** At most this many connections at once; the next is refused (`--max-connections`). */
  maxConnections: number;
  /** Close a connection that does nothing for this long; 0: never (`--idle-timeout-ms`). */
  idleTimeoutMs: number;
  /** After Ctrl+C, open conversations get this long to finish (`--grace-ms`). */
  graceMs: number;
}

/** The flags, to spread into a lesson's `parseFlags` options. */
export const LIMIT_FLAGS = {
  "max-connections": { type: "string" },
  "idle-timeout-ms": { type: "string" },
  "grace-ms": { type: "string" },
} as const;

/**
 * Reads the limit flags, each checked for range, each with its default.
 *
 * @example
 * ```ts
 * import { limitsFromFlags } from "./limits.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(limitsFromFlags({ "idle-timeout-ms": "200" }), {
 *   maxConnections: 1000,
 *   idleTimeoutMs: 200,
 *   graceMs: 5000,
 * });
 * assert.throws(() => limitsFromFlags({ "max-connections": "0" }), /between 1 and/);
 * ```
 */
export function limitsFromFlags(
  values: { "max-connections"?: string; "idle-timeout-ms"?: string; "grace-ms"?: string },
): ServerLimits {
  return {
    maxConnections: intFlag(
      "--max-connections",
      values["max-connections"],
      DEFAULT_MAX_CONNECTIONS,
      { min: 1, max: 1_000_000 },
    ),
    idleTimeoutMs: intFlag(
      "--idle-timeout-ms",
      values["idle-timeout-ms"],
      DEFAULT_IDLE_TIMEOUT_MS,
      {
        min: 0,
        max: 24 * 3_600_000,
      },
    ),
    graceMs: intFlag("--grace-ms", values["grace-ms"], DEFAULT_GRACE_MS, { min: 0, max: 600_000 }),
  };
}

/**
 * The "Limits" section of a server lesson's `--help`. `refusal` says what a
 * client over the connection limit gets, in the lesson's own protocol.
 */
export function limitsUsage(refusal: string): string {
  return `Limits (server):
  --max-connections N   at most N clients at once (default ${DEFAULT_MAX_CONNECTIONS});
                        the next one gets ${refusal}
  --idle-timeout-ms N   close a connection that sends and receives nothing for N ms
                        (default ${DEFAULT_IDLE_TIMEOUT_MS} = 5 min; 0: never)
  --grace-ms N          after Ctrl+C, open conversations get N ms to finish before they
                        are closed (default ${DEFAULT_GRACE_MS})`;
}

/**
 * A `refuse` for {@linkcode ServeTcpOptions}: writes `message` (a line of
 * text, an HTTP `503`), then closes politely: our side first, then whatever
 * the client still sends is read and dropped for up to `drainMs`, so that its
 * kernel delivers the message instead of a reset (see `linger.ts`).
 *
 * @example
 * ```ts
 * import { refuseWith } from "./limits.ts";
 * import { serveTcp } from "./server.ts";
 * import { connectTcp, listenTcp } from "./tcp.ts";
 * import { readChunk } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const release = Promise.withResolvers<void>();
 * await using server = serveTcp(listenTcp({ port: 0 }), () => release.promise, {
 *   maxConnections: 1,
 *   refuse: refuseWith(new TextEncoder().encode("busy\n")),
 * });
 * using first = await connectTcp({ port: server.addr.port });
 * using second = await connectTcp({ port: server.addr.port });
 * assert.equal(new TextDecoder().decode((await readChunk(second, 64))!), "busy\n");
 * assert.equal(await readChunk(second, 64), null); // then the close
 * release.resolve();
 * ```
 */
export function refuseWith(
  message: Uint8Array,
  drainMs = 500,
): NonNullable<ServeTcpOptions["refuse"]> {
  return async (conn) => {
    await writeAll(conn, message);
    await shutdownAndDrain(conn, { ms: drainMs, maxBytes: 16 * 1024 });
  };
}

/** The limits a lesson's server options take, passed on to `serveTcp`. */
export type ServerLimitOptions = Pick<ServeTcpOptions, "maxConnections" | "idleTimeoutMs">;
