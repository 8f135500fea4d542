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
import { helpRequested, runMain } from "./lib/cli.ts";
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

/** Runs the demos of `lessons` in order; a failing demo does not stop the rest. */
export async function runTour(lessons: readonly Lesson[], log: Log): Promise<TourResult[]> {
  const results: TourResult[] = [];
  for (const lesson of lessons) {
    log("");
    log(heading(`${lesson.id} · ${lesson.title}`));
    log(`   ${lesson.teaches}`);
    log(`   (tutorial: ${lesson.tutorial}; run it yourself: deno task ${lesson.id} --help)`);
    log("");
    const started = performance.now();
    try {
      const module = await lesson.load();
      await module.demo((line) => log(`   ${line}`));
      results.push({ lesson, ms: performance.now() - started });
    } catch (err) {
      const error = formatError(err);
      log(`   ${error}`);
      results.push({ lesson, error, ms: performance.now() - started });
    }
  }
  return results;
}

/** The closing line: how many demos ran, which failed, how long it took. */
export function summarize(results: readonly TourResult[]): string {
  const failed = results.filter((r) => r.error !== undefined);
  const seconds = (results.reduce((sum, r) => sum + r.ms, 0) / 1000).toFixed(1);
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
  deno task tour          all lessons
  deno task tour 03 05    only these lessons

Lessons: ${LESSONS.map((l) => `${l.id} ${l.title}`).join(", ")}`;

async function main(args: string[]): Promise<void> {
  if (helpRequested(args)) return console.log(USAGE);
  const chosen = args.length === 0 ? LESSONS : args.map((id) => {
    const lesson = findLesson(id);
    if (!lesson) {
      throw new UsageError(
        `no lesson "${id}"`,
        `choose from ${LESSONS.map((l) => l.id).join(", ")}`,
      );
    }
    return lesson;
  });
  const results = await runTour(chosen, (line) => console.log(line));
  console.log("");
  console.log(summarize(results));
  if (results.some((r) => r.error !== undefined)) Deno.exit(1);
}

if (import.meta.main) await runMain(() => main(Deno.args));
