/**
 * # 01 · Step 7: saving so that nobody sees half a page
 *
 * The tutorial saves with `with open('sina.html', 'wb') as f: f.write(html)`,
 * which empties the file first and then writes: if the program dies in
 * between, or the write fails (a full disk), what is left is an empty or
 * half-written page. Writing to a temporary file in the same folder and
 * renaming it over the target fixes that: rename(2) replaces the target
 * atomically, so anyone opening it sees the old file or the whole new one,
 * and a failed fetch saves nothing at all. (After a power cut only an fsync
 * before the rename would make that certain; this lesson does not sync.)
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { LessonError, PermissionError } from "../../lib/errors.ts";
import type { Target } from "./1_request.ts";

/**
 * Writes `bytes` to `path` through a temporary file and a rename. On failure
 * the temporary file is removed and a typed error says why; `permissionHint`
 * tells the person how to grant Deno the right to write there.
 *
 * Deno's `rename` needs read and write permission on both names.
 *
 * @example
 * ```ts ignore
 * import { writeFileAtomically } from "./7_save.ts";
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

/**
 * The file a page is saved to unless `--out` says otherwise: `<host>.html`,
 * like the tutorials' `sina.html` and `baidu.html`.
 *
 * @example
 * ```ts
 * import { defaultOutFile } from "./7_save.ts";
 * import { parseTarget } from "./1_request.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultOutFile(parseTarget("https://www.sina.com.cn/news")), "www.sina.com.cn.html");
 * assert.equal(defaultOutFile(parseTarget("http://[::1]:8000/")), "__1.html");
 * ```
 */
export function defaultOutFile(target: Target): string {
  return `${target.hostname.replace(/[^A-Za-z0-9.-]/g, "_")}.html`;
}

/** Saves a fetched page atomically, with a hint that fits `deno task 01`'s permissions. */
export async function savePage(path: string, body: Uint8Array): Promise<void> {
  await writeFileAtomically(
    path,
    body,
    "`deno task 01` may write only in the project folder: choose --out there, or run " +
      "deno run --allow-net --allow-read=DIR --allow-write=DIR lessons/01_fetch_page.ts URL --out DIR/page.html",
  );
}
