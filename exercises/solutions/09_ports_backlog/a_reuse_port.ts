/**
 * # Exercise 09a · Hold a port, or share it with reusePort (the reference solution)
 *
 * @module
 */

import { serve, type Server } from "../../../lib/serve.ts";

/** Holds a port until closed: accepts each connection and hangs up. */
export function holdPort(
  options: { host: string; port: number; reusePort?: boolean },
): Server {
  // Python: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
  //         s.bind((host, port)); s.listen()
  const listener = Deno.listen({
    hostname: options.host,
    port: options.port,
    reusePort: options.reusePort,
  });
  return serve(listener, () => Promise.resolve());
}
