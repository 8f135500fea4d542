/**
 * # The tour: every lesson's narrated demo, in order, offline
 *
 * Each lesson starts its own server and client in this one process, on
 * 127.0.0.1 and ports the kernel picks, and narrates what crosses the wire.
 *
 * Run all of it:   deno task tour
 * Run one lesson:  deno task tour 03
 *
 * @module
 */

import { formatError, UsageError } from "./lib/errors.ts";
import { parseFlags, runMain } from "./lib/cli.ts";
import { findLesson, type Lesson, LESSONS } from "./lessons/registry.ts";
import type { Log } from "./lib/log.ts";

/** How one lesson's demo went. */
export interface TourResult {
  /** The lesson. */
  lesson: Lesson;
  /** `undefined` when the demo ran to the end, else the one-line error. */
  error?: string;
  /** How long it took. */
  ms: number;
}

/** Options for {@linkcode runTour}. */
export interface TourOptions {
  /**
   * Start every demo at once and print each one's transcript in lesson order,
   * the first live and the rest as soon as their turn comes: the same output,
   * in the time of the slowest demo. Each demo has its own ports, so they do
   * not meet. Default `false`: one after another.
   */
  concurrent?: boolean;
}

/**
 * Runs the demos of `lessons`, printing them in order under a heading each; a
 * failing demo is reported in one line and does not stop the rest.
 */
export async function runTour(
  lessons: readonly Lesson[],
  log: Log,
  options: TourOptions = {},
): Promise<TourResult[]> {
  const results: TourResult[] = [];
  if (!options.concurrent) {
    for (const lesson of lessons) results.push(await runOne(lesson, log));
    return results;
  }
  // Lines of a lesson whose turn has not come yet wait in its buffer.
  let current = 0;
  const buffers = lessons.map(() => [] as string[]);
  const runs = lessons.map((lesson, i) =>
    runOne(lesson, (line) => i === current ? log(line) : buffers[i].push(line))
  );
  for (let i = 0; i < lessons.length; i++) {
    current = i; // from here on lesson i prints live...
    for (const line of buffers[i].splice(0)) log(line); // ...after what it said so far
    results.push(await runs[i]);
  }
  return results;
}

/** One lesson's heading and demo. Never throws: a failure is in the result. */
async function runOne(lesson: Lesson, log: Log): Promise<TourResult> {
  log("");
  log(heading(`${lesson.id} · ${lesson.title}`));
  log(`   ${lesson.teaches}`);
  log(`   (tutorial: ${lesson.tutorial}; run it yourself: deno task ${lesson.id} --help)`);
  log("");
  const started = performance.now();
  try {
    const module = await lesson.load();
    await module.cli.demo((line) => log(`   ${line}`));
    return { lesson, ms: performance.now() - started };
  } catch (err) {
    const error = formatError(err);
    log(`   ${error}`);
    return { lesson, error, ms: performance.now() - started };
  }
}

/**
 * The closing line: how many demos ran, which failed, how long it took
 * (`wallMs`, or else the demos' times added up).
 */
export function summarize(results: readonly TourResult[], wallMs?: number): string {
  const failed = results.filter((r) => r.error !== undefined);
  const ms = wallMs ?? results.reduce((sum, r) => sum + r.ms, 0);
  const seconds = (ms / 1000).toFixed(1);
  const count = `${results.length} lesson${results.length === 1 ? "" : "s"}`;
  return failed.length === 0
    ? `Tour finished: ${count}, every demo ran, ${seconds} s.`
    : `Tour finished: ${count}, ${failed.length} failed (${
      failed.map((r) => r.lesson.id).join(", ")
    }), ${seconds} s.`;
}

function heading(text: string): string {
  return `━━ ${text} ${"━".repeat(Math.max(3, 72 - text.length))}`;
}

const USAGE = `The tour: every lesson's demo, in order, offline on 127.0.0.1.

Usage:
  deno task tour              all lessons
  deno task tour 03 05        only these lessons
  deno task tour --one-by-one run the demos one after another instead of side by side
                              (the output is the same; only the time differs)

Lessons: ${LESSONS.map((l) => `${l.id} ${l.title}`).join(", ")}`;

async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return console.log(USAGE);
  const { values, positionals } = parseFlags(args, { "one-by-one": { type: "boolean" } });
  const chosen = positionals.length === 0 ? LESSONS : positionals.map((id) => {
    const lesson = findLesson(id);
    if (!lesson) {
      throw new UsageError(
        `no lesson "${id}"`,
        `choose from ${LESSONS.map((l) => l.id).join(", ")}`,
      );
    }
    return lesson;
  });
  const started = performance.now();
  const results = await runTour(chosen, (line) => console.log(line), {
    concurrent: !values["one-by-one"],
  });
  console.log("");
  console.log(summarize(results, performance.now() - started));
  if (results.some((r) => r.error !== undefined)) Deno.exit(1);
}

if (import.meta.main) await runMain(() => main(Deno.args));
