/**
 * Lesson 05's framed server built around a `receiveFrame`: what exercise
 * 05d's checks run, since the exercise asks for the function, not the
 * server. Python's loop, one frame at a time: receive a frame, answer it.
 *
 * @module
 */

import { serve, type Server } from "../lib/serve.ts";
import { MAX_HEADER_LENGTH, sendFrame } from "../lessons/05_framing/3_length_prefix.ts";
import { type FramedServerOptions, upperReply } from "../lessons/05_framing/5_framed_server.ts";
import type * as prefix from "../lessons/05_framing/3_length_prefix.ts";

/** A framed upper-case server on a free port whose frames come from `receiveFrame`. */
export function startReceiveFrameServer(
  receiveFrame: typeof prefix.receiveFrame,
  options: FramedServerOptions = {},
): Server {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return serve(listener, async (conn) => {
    for (let payload; (payload = await receiveFrame(conn, options)) !== null;) {
      await sendFrame(conn, upperReply(payload), { maxFrame: MAX_HEADER_LENGTH });
    }
  }, {
    log: options.log,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
  });
}
