/**
 * # Exercise 08b · The client, on a path instead of a port
 *
 * Lesson 08, part 2. The client connects to the server's socket file and
 * then holds lesson 03's conversation word for word: a Unix stream socket
 * has the same `read`, `write` and `close` as a TCP connection, so lesson
 * 03's `talkHello()` works on it unchanged.
 *
 * Check it:  deno task verify 08b        Stuck?  deno task hint 08b
 *
 * @module
 */

import { talkHello } from "../../lessons/03_tcp_hello.ts";
import { DEFAULT_PATH } from "../../lessons/08_unix_sockets.ts";
import { TUTORIAL_NAMES } from "../../lib/hello.ts";
import { type Log, silent } from "../../lib/log.ts";

/** Lesson 03's client over a Unix socket; resolves to everything received. */
export async function runUnixHelloClient(
  options: { path?: string; names?: readonly string[]; log?: Log } = {},
): Promise<string[]> {
  const path = options.path ?? DEFAULT_PATH;
  const names = options.names ?? TUTORIAL_NAMES;
  const log = options.log ?? silent;
  // TODO(08b): connect to the socket file `path`, hold lesson 03's
  // conversation with `names` over the connection, close it, and resolve to
  // what was received. When it works, the checks' server answers
  // ["Welcome!", "Hello, Michael!", "Hello, 张三!"], and with no socket file
  // at `path` Deno's own NotFound error reaches the caller.
  return [];
}
