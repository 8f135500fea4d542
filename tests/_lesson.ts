/**
 * Which code the tests run against: the finished lessons (default) or a
 * learner's exercises. One suite serves both:
 *
 *     deno task test                      → lessons/
 *     LESSON_DIR=exercises deno test ...  → exercises/ (what `deno task verify` does)
 *
 * @module
 */

/** The folder under test: `lessons` unless `LESSON_DIR` says `exercises`. */
export const LESSON_DIR: "lessons" | "exercises" = Deno.env.get("LESSON_DIR") === "exercises"
  ? "exercises"
  : "lessons";

/**
 * Imports a lesson module from the folder under test. Pass the lesson's own
 * type, so a test is checked against the lesson's exports:
 *
 * ```ts ignore
 * const lesson = await loadLesson<typeof import("../lessons/03_tcp_hello.ts")>("03_tcp_hello.ts");
 * ```
 */
export async function loadLesson<T>(file: string): Promise<T> {
  const url = new URL(`../${LESSON_DIR}/${file}`, import.meta.url);
  return await import(url.href) as T;
}
