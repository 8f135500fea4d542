/**
 * # Exercise 08b · The client, on a path instead of a port (the reference solution)
 *
 * @module
 */

import { talkHello } from "../../../lessons/03_tcp_hello.ts";
import { DEFAULT_PATH } from "../../../lessons/08_unix_sockets.ts";
import { TUTORIAL_NAMES } from "../../../lib/hello.ts";
import { type Log, silent } from "../../../lib/log.ts";

/** Lesson 03's client over a Unix socket; resolves to everything received. */
export async function runUnixHelloClient(
  options: { path?: string; names?: readonly string[]; log?: Log } = {},
): Promise<string[]> {
  const path = options.path ?? DEFAULT_PATH;
  const names = options.names ?? TUTORIAL_NAMES;
  const log = options.log ?? silent;
  // Python: s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
  using conn = await Deno.connect({ transport: "unix", path });
  return await talkHello(conn, names, log);
}
