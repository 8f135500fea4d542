/**
 * # Exercise 08c · A stale socket file, removed safely
 *
 * Lesson 08, part 4 ("What the tutorial leaves out"), and
 * `lessons/08_unix_sockets/socket_file.ts`. A server killed with `kill -9`
 * leaves its socket file behind, and the next `bind()` of the path fails
 * with "Address already in use" although nobody listens. Deleting whatever
 * is at the path would be wrong twice: a live server may be behind it (its
 * new clients could no longer find it), or it may be someone's ordinary
 * file. So a server knocks first: a socket file that refuses a connection
 * is stale.
 *
 * Check it:  deno task verify 08c        Stuck?  deno task hint 08c
 *
 * @module
 */

import { AddressInUseError, LessonError } from "../../lib/errors.ts";

/**
 * Called when `bind()` said "address in use": removes the file at `path`
 * if it is a stale socket (and logs one line saying so). Throws an
 * {@linkcode AddressInUseError} if a server is alive there, a
 * {@linkcode LessonError} if the file is not a socket. Nothing there:
 * nothing to do.
 */
export async function clearStaleSocket(path: string, log: (line: string) => void): Promise<void> {
  // TODO(08c): find out what is at `path`, and remove it (logging one line)
  // only if it is a socket file that no server answers on; otherwise throw
  // the error above that says why it stays. When it works, a new server
  // binds the path after a crash, a live server keeps its socket and its
  // clients, and an ordinary file at the path keeps its contents.
}
