/**
 * Saving a file so that nobody ever sees half of it.
 *
 * Python's `with open('sina.html', 'wb') as f: f.write(html)` truncates the
 * file first and then writes: if the program dies in between, or the write
 * fails, what is left is an empty or half-written file. Writing to a
 * temporary file in the same folder and renaming it over the target fixes
 * that: within one file system a rename is atomic, so the target is either the
 * old file or the whole new one.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { LessonError, PermissionError } from "./errors.ts";

/**
 * Writes `bytes` to `path` through a temporary file and a rename. On failure
 * the temporary file is removed and a typed error says why; `permissionHint`
 * tells the person how to grant Deno the right to write there.
 *
 * Deno's `rename` needs read and write permission on both names.
 *
 * @example
 * ```ts ignore
 * import { writeFileAtomically } from "./atomic_file.ts";
 *
 * await writeFileAtomically("example.com.html", new TextEncoder().encode("<h1>Hi</h1>"));
 * ```
 */
export async function writeFileAtomically(
  path: string,
  bytes: Uint8Array,
  permissionHint = "run with --allow-read and --allow-write for that folder",
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.part`);
  try {
    // createNew: fail rather than overwrite if that name exists (O_EXCL).
    await Deno.writeFile(temp, bytes, { createNew: true });
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw explainWriteError(err, path, permissionHint);
  }
}

/** A failed save, in words. */
function explainWriteError(err: unknown, path: string, permissionHint: string): unknown {
  const options = { cause: err };
  if (err instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      `Deno was not given permission to write ${path}`,
      permissionHint,
      options,
    );
  }
  if (err instanceof Deno.errors.NotFound) {
    return new LessonError(
      `cannot save ${path}: the folder ${dirname(path)} does not exist`,
      "create it, or choose another file name",
      options,
    );
  }
  if (err instanceof Deno.errors.IsADirectory) {
    return new LessonError(`cannot save ${path}: it is a folder`, "choose a file name", options);
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new PermissionError(
      `the system refused to write ${path}`,
      "choose a folder you may write to",
      options,
    );
  }
  return err;
}
