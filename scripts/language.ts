/**
 * English or Chinese, for `verify` and `hint`: `--lang zh`, else the
 * environment (`LANG=zh_CN.UTF-8`, `LC_ALL`, `LC_MESSAGES`), else English.
 *
 * @module
 */

/** The two languages the learner's tools speak. */
export type Language = "en" | "zh";

/**
 * The language to speak: `flag` if given (`zh`, `en`), else from the environment.
 *
 * @example
 * ```ts
 * import { chooseLanguage } from "./language.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(chooseLanguage("zh"), "zh");
 * assert.equal(chooseLanguage("en", { LANG: "zh_CN.UTF-8" }), "en");
 * assert.equal(chooseLanguage(undefined, { LANG: "zh_CN.UTF-8" }), "zh");
 * assert.equal(chooseLanguage(undefined, {}), "en");
 * ```
 */
export function chooseLanguage(
  flag: string | undefined,
  env: Record<string, string | undefined> = readLocale(),
): Language {
  if (flag !== undefined) return flag.toLowerCase().startsWith("zh") ? "zh" : "en";
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("zh") ? "zh" : "en";
}

function readLocale(): Record<string, string | undefined> {
  const read = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // not allowed to read it: English
    }
  };
  return { LC_ALL: read("LC_ALL"), LC_MESSAGES: read("LC_MESSAGES"), LANG: read("LANG") };
}
