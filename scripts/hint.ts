/**
 * # deno task hint: one more hint each time
 *
 *   deno task hint          the exercise you are on (the first not done)
 *   deno task hint 03b      the next hint for 03b; each call gives one more
 *   deno task hint 03b 3    hint 3 of 03b (verify says which hint fits a failed check)
 *   deno task hint --lang zh
 *
 * Hints escalate: the first says what to look up (the Deno API page, the
 * Python line it replaces), the last may show code.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Exercise, EXERCISES, findExercise } from "../exercises/catalog.ts";
import { chooseLanguage, type Language } from "./language.ts";

const SEEN = ".tmp/hints.json";

const SAY = {
  en: {
    heading: (e: Exercise, n: number) => `Hint ${n}/${e.hints.length} for ${e.id} (${e.goal.en}):`,
    more: (e: Exercise) => `For the next one: deno task hint ${e.id}`,
    last: "That was the last hint. The worked answer is in the lesson the exercise names.",
    unknown: (id: string) => `error: there is no exercise ${id} (see exercises/catalog.ts)`,
  },
  zh: {
    heading: (e: Exercise, n: number) =>
      `${e.id} 的第 ${n}/${e.hints.length} 条提示（${e.goal.zh}）：`,
    more: (e: Exercise) => `下一条：deno task hint ${e.id}`,
    last: "这是最后一条提示了。完整的写法就在练习所对应的课程里。",
    unknown: (id: string) => `error: 没有练习 ${id}（见 exercises/catalog.ts）`,
  },
} as const;

/** The first exercise `verify` has not seen pass, else the first. */
async function current(): Promise<Exercise> {
  try {
    const memory: Record<string, { passed: boolean }> = JSON.parse(
      await Deno.readTextFile(".tmp/verify.json"),
    );
    return EXERCISES.find((e) => !memory[e.id]?.passed) ?? EXERCISES[0];
  } catch {
    return EXERCISES[0];
  }
}

/** Prints hint `n` (1-based) of `exercise`. */
export function showHint(exercise: Exercise, n: number, lang: Language): string[] {
  const say = SAY[lang];
  const out = [say.heading(exercise, n), "", `  ${exercise.hints[n - 1][lang]}`, ""];
  out.push(n < exercise.hints.length ? say.more(exercise) : say.last);
  return out;
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { lang: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log("Usage: deno task hint [EXERCISE [N]] [--lang zh|en]");
    return 0;
  }
  const lang = chooseLanguage(values.lang);
  const exercise = positionals[0] ? findExercise(positionals[0]) : await current();
  if (!exercise) {
    console.error(SAY[lang].unknown(positionals[0]));
    return 1;
  }
  let seen: Record<string, number> = {};
  try {
    seen = JSON.parse(await Deno.readTextFile(SEEN));
  } catch { /* no hints seen yet */ }
  const asked = positionals[1] ? Number(positionals[1]) : undefined;
  const n = Math.min(
    exercise.hints.length,
    Math.max(1, asked ?? (seen[exercise.id] ?? 0) + 1),
  );
  for (const line of showHint(exercise, n, lang)) console.log(line);
  seen[exercise.id] = Math.max(seen[exercise.id] ?? 0, n);
  await Deno.mkdir(".tmp", { recursive: true });
  await Deno.writeTextFile(SEEN, JSON.stringify(seen, null, 2));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
