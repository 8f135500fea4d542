/**
 * # deno task hint NN: one more hint each time you ask
 *
 * Hints live in `exercises/hints/NN.md`, one per `## ` heading, from a gentle
 * nudge to nearly the answer. How many you have seen is remembered in
 * `.tmp/hints.json`; `--reset` starts over, `--all` shows every hint.
 *
 * @module
 */

import { parseFlags, runMain } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { findLesson } from "../lessons/registry.ts";

const STATE = ".tmp/hints.json";

/** Splits a hints file into its hints: each `## ` heading and what follows it. */
export function splitHints(markdown: string): string[] {
  return markdown.split(/^## /m).slice(1).map((hint) => hint.trim());
}

async function readState(): Promise<Record<string, number>> {
  try {
    return JSON.parse(await Deno.readTextFile(STATE));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof SyntaxError) return {};
    throw err;
  }
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    reset: { type: "boolean" },
    all: { type: "boolean" },
  });
  const id = positionals[0];
  const lesson = id === undefined ? undefined : findLesson(id);
  if (!lesson) throw new UsageError("which lesson? e.g. deno task hint 03");
  let hints: string[];
  try {
    hints = splitHints(await Deno.readTextFile(`exercises/hints/${lesson.id}.md`));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UsageError(`there are no hints for lesson ${lesson.id} yet`);
    }
    throw err;
  }
  const state = await readState();
  const seen = values.reset ? 0 : state[lesson.id] ?? 0;
  const upTo = values.all ? hints.length : Math.min(seen + 1, hints.length);
  for (let i = 0; i < upTo; i++) {
    console.log(`Hint ${i + 1}/${hints.length}: ${hints[i]}\n`);
  }
  console.log(
    upTo < hints.length
      ? `Ask again (deno task hint ${lesson.id}) for the next hint.`
      : `That was the last hint. The worked answer is lessons/${lesson.file}.`,
  );
  state[lesson.id] = upTo;
  await Deno.mkdir(".tmp", { recursive: true });
  await Deno.writeTextFile(STATE, JSON.stringify(state));
}

if (import.meta.main) await runMain(() => main(Deno.args));
