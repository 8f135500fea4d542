/**
 * # Exercise 08a · The server's socket file (the reference solution)
 *
 * @module
 */

import { DEFAULT_PATH } from "../../../lessons/08_unix_sockets.ts";

/** Python's `socket(AF_UNIX)`, `bind(path)` and `listen()`, in one call. */
export function listenUnix(path: string = DEFAULT_PATH): Deno.UnixListener {
  // Python: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  //         s.bind(path); s.listen(5)
  return Deno.listen({ transport: "unix", path });
}
