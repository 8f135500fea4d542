/**
 * What a server says to a client it turns away for a limit, before it
 * closes: a line of text, an HTTP `503`. See `serve.ts` for the limits.
 *
 * @module
 */

import { writeAll } from "./io.ts";
import { shutdownAndDrain } from "./linger.ts";
import type { ServeOptions } from "./serve.ts";

/**
 * A `refuse` for {@linkcode ServeOptions}: writes `message` (a line of
 * text, an HTTP `503`), then closes politely: our side first, then whatever
 * the client still sends is read and dropped for up to `drainMs`, so that the
 * close is not a reset: the whole message arrives, then end of stream, and a
 * client still sending is not cut off (see `linger.ts`).
 *
 * @example
 * ```ts
 * import { refuseWith } from "./limits.ts";
 * import { serve } from "./serve.ts";
 * import { readChunk } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const release = Promise.withResolvers<void>();
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * await using server = serve(listener, () => release.promise, {
 *   maxConnections: 1,
 *   refuse: refuseWith(new TextEncoder().encode("busy\n")),
 * });
 * using first = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * using second = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * assert.equal(new TextDecoder().decode((await readChunk(second, 64))!), "busy\n");
 * assert.equal(await readChunk(second, 64), null); // then the close
 * release.resolve();
 * ```
 */
export function refuseWith(
  message: Uint8Array,
  drainMs = 500,
): NonNullable<ServeOptions["refuse"]> {
  return async (conn) => {
    await writeAll(conn, message);
    await shutdownAndDrain(conn, { ms: drainMs, maxBytes: 16 * 1024 });
  };
}
