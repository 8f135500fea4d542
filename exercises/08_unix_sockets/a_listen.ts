/**
 * # Exercise 08a · The server's socket file
 *
 * Lesson 08, part 1 (`lessons/08_unix_sockets.ts`). A Unix domain socket's
 * address is a path, not a host and a port. Python needs three calls,
 * `socket(AF_UNIX)`, `bind(path)` and `listen()`; Deno one, and it makes
 * the socket file. Lesson 03's handler then serves it unchanged (the checks
 * do that with the lesson's `serveHello()`).
 *
 * Check it:  deno task verify 08a        Stuck?  deno task hint 08a
 *
 * @module
 */

import { DEFAULT_PATH } from "../../lessons/08_unix_sockets.ts";

/** Python's `socket(AF_UNIX)`, `bind(path)` and `listen()`, in one call. */
export function listenUnix(path: string = DEFAULT_PATH): Deno.UnixListener {
  // TODO(08a): listen on the socket file `path` (a Unix stream socket, not
  // TCP) and return the listener. When it works, `ls -l` shows an `s` file
  // at `path` while the server runs, lesson 03's conversation goes over it,
  // and the file is gone once the listener is closed.
  throw new Error(`listenUnix("${path}") is not written yet`);
}
