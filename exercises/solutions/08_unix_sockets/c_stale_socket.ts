/**
 * # Exercise 08c · A stale socket file, removed safely (the reference solution)
 *
 * @module
 */

import { AddressInUseError, LessonError } from "../../../lib/errors.ts";

/** Removes a stale socket file at `path`; throws if a server is alive there or it is no socket. */
export async function clearStaleSocket(path: string, log: (line: string) => void): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path); // Python: os.lstat(path)
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return; // nothing there
    throw err;
  }
  if (!info.isSocket) {
    throw new LessonError(`${path} exists and is not a socket`, "remove it yourself");
  }
  try {
    // The knock. Python: socket.socket(socket.AF_UNIX).connect(path)
    using _knock = await Deno.connect({ transport: "unix", path });
  } catch (err) {
    if (!(err instanceof Deno.errors.ConnectionRefused)) throw err;
    await Deno.remove(path); // Python: os.unlink(path)
    log(`Removed a stale socket file at ${path}: nothing was listening.`);
    return;
  }
  throw new AddressInUseError(`${path} is in use: a server is listening on it`, "stop it first");
}
