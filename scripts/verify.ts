/**
 * # deno task verify: check your exercises, one lesson at a time
 *
 * Runs each lesson's own tests against your file in `exercises/`, in
 * teaching order, and stops at the first lesson that is not done yet, like
 * rustlings. It says how far you are, which test failed in plain words, what
 * was expected and what came back, and where to look next.
 *
 *   deno task verify            every exercise, in order, until one fails
 *   deno task verify 03         only exercise 03
 *   deno task verify --watch    run again each time you save a file in exercises/
 *
 * @module
 */

import { parseFlags, runMain } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { findLesson, type Lesson } from "../lessons/registry.ts";
import { type LessonRun, lessonsWithExercises, runLessonTests } from "./exercise_runs.ts";

/** At most this many failed tests are shown for a lesson: fix these first. */
const SHOWN_FAILURES = 3;

/** Turns a test failure (error, diff, stack) into the few lines a learner needs. */
export function explainFailure(failure: string): string[] {
  // Up to the "(functionName)" a TODO ends with, when quoted inside an assertion's message.
  const todo = /TODO\((\d+)\): ([^\n]*?\(\w+\))/.exec(failure) ??
    /TODO\((\d+)\): ([^\n]*)/.exec(failure);
  if (todo) return [`not written yet: ${todo[2].replace(/\.$/, "")}`];
  const lines: string[] = [];
  const raw = failure.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i];
    if (/^\s+at /.test(line)) break; // the stack trace: not for learners
    if (/^\s*\^+\s*$/.test(raw[i + 1] ?? "")) { // a source excerpt and its caret
      i++;
      continue;
    }
    const unequal = /^(.*) !== (.*)$/.exec(line);
    if (unequal) {
      lines.push(`expected:     ${unequal[2]}`, `but got:      ${unequal[1]}`);
      continue;
    }
    lines.push(
      line.replace(/^Uncaught /, "")
        .replace("+ actual - expected", "+ what came back   - what was expected"),
    );
  }
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  return lines.length > 14 ? [...lines.slice(0, 13), "..."] : lines;
}

/** The distinct TODO messages a run's failures mention: what is left to write. */
export function todosIn(run: LessonRun): string[] {
  const todos = new Set<string>();
  for (const test of run.tests) {
    // A TODO's words end with the function to fill in: "... (runHelloClient)".
    for (const match of (test.failure ?? "").matchAll(/TODO\(\d+\): ([^\n]*?\(\w+\))/g)) {
      todos.add(match[1]);
    }
  }
  return [...todos];
}

/** What the learner sees for one lesson's run. */
export function reportRun(run: LessonRun): string[] {
  const { lesson } = run;
  const title = `${lesson.id} · ${lesson.title}`;
  if (run.passed) return [`✓ ${title}: all ${run.tests.length} tests pass`];
  if (run.crash !== undefined) {
    return [
      `✗ ${title}: the tests could not run; exercises/${lesson.file} has an error:`,
      ...run.crash.split("\n").slice(0, 20).map((line) => `    ${line}`),
    ];
  }
  const failed = run.tests.filter((t) => t.failure !== undefined);
  const out = [`✗ ${title}: ${failed.length} of ${run.tests.length} tests fail`];
  const todos = todosIn(run);
  if (todos.length > 0) {
    out.push("", `  Still TODO in exercises/${lesson.file}:`);
    for (const todo of todos) out.push(`    • ${todo}`);
  }
  for (const test of failed.slice(0, SHOWN_FAILURES)) {
    out.push("", `  ✗ ${test.name}`);
    for (const line of explainFailure(test.failure!)) out.push(`      ${line}`);
  }
  if (failed.length > SHOWN_FAILURES) {
    out.push("", `  ...and ${failed.length - SHOWN_FAILURES} more; fix these first.`);
  }
  out.push(
    "",
    `  Open exercises/${lesson.file}. Stuck? deno task hint ${lesson.id}`,
    `  (the worked answer is lessons/${lesson.file})`,
  );
  return out;
}

/** Runs the chosen exercises and prints the report. True when all passed. */
async function verify(only: Lesson | undefined): Promise<boolean> {
  const all = await lessonsWithExercises();
  const chosen = only ? [only] : all;
  let done = 0;
  for (const lesson of chosen) {
    const run = await runLessonTests(lesson, "exercises");
    for (const line of reportRun(run)) console.log(line);
    if (!run.passed) {
      if (!only) {
        console.log("");
        console.log(`Progress: ${done}/${all.length} done. You are on lesson ${lesson.id}.`);
      }
      return false;
    }
    done++;
  }
  console.log("");
  console.log(
    only
      ? `Exercise ${only.id} is done.`
      : `Progress: ${done}/${all.length} done. Every exercise passes its lesson's tests.`,
  );
  return true;
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    watch: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    return console.log(
      "Usage: deno task verify [NN] [--watch]\n\nRuns your exercises against the lessons' tests.",
    );
  }
  let only: Lesson | undefined;
  if (positionals[0] !== undefined) {
    only = findLesson(positionals[0]);
    const ids = (await lessonsWithExercises()).map((l) => l.id);
    if (!only || !ids.includes(only.id)) {
      throw new UsageError(
        `there is no exercise ${positionals[0]}`,
        `choose from ${ids.join(", ")}`,
      );
    }
  }
  const ok = await verify(only);
  if (!values.watch) {
    if (!ok) Deno.exit(1);
    return;
  }
  // --watch: run again whenever a file in exercises/ is saved.
  console.log("\nWatching exercises/ (Ctrl+C to stop)...");
  const watcher = Deno.watchFs("exercises");
  let timer: ReturnType<typeof setTimeout> | undefined;
  for await (const event of watcher) {
    if (event.kind !== "modify" && event.kind !== "create") continue;
    // Editors save in several steps: wait for the burst of events to end.
    clearTimeout(timer);
    timer = setTimeout(async () => {
      console.log("\n".repeat(2) + "─".repeat(72));
      await verify(only);
      console.log("\nWatching exercises/ (Ctrl+C to stop)...");
    }, 200);
  }
}

if (import.meta.main) await runMain(() => main(Deno.args));
