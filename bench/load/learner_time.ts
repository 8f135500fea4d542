/**
 * The learner's time: how long the two commands a learner runs first take.
 *
 * - `deno task tour` with a warm cache (target ≤ 3 s): run once to warm the
 *   cache, then timed three times; the median is reported.
 * - `deno task test` from a cold cache (target ≤ 60 s): run with `DENO_DIR`
 *   pointing at an empty folder under `.tmp/`, so Deno downloads the npm
 *   packages and type-checks everything from scratch, as on a fresh machine.
 *
 * @module
 */

import { denoCommand } from "./deno_command.ts";
import { median } from "./stats.ts";

const ROOT = new URL("../../", import.meta.url);

/** How one timed command went. */
export interface Timed {
  /** Wall time, s. */
  seconds: number;
  /** Exit code 0. */
  ok: boolean;
  /** The end of its output, for a failure report. */
  tail: string;
}

/** Runs `deno task <task>` in the project with `env` added; times it. */
export async function timeTask(task: string, env: Record<string, string> = {}): Promise<Timed> {
  const started = performance.now();
  const out = await new Deno.Command(denoCommand(), {
    args: ["task", task],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  // On failure, the test runner's summary line says more than its last lines.
  const lines = text.trim().split("\n");
  const summary = lines.filter((line) => /\d+ passed|FAILED|Tour finished/.test(line)).slice(-3);
  return {
    seconds,
    ok: out.success,
    tail: (summary.length ? summary : lines.slice(-3)).join("\n"),
  };
}

/** Times both commands and returns report lines, verdicts included. */
export async function measureLearnerTime(): Promise<string[]> {
  const lines: string[] = [];
  await timeTask("tour"); // fills the cache
  const tours: Timed[] = [];
  for (let i = 0; i < 3; i++) tours.push(await timeTask("tour"));
  const tour = median(tours.map((t) => t.seconds));
  const tourOk = tours.every((t) => t.ok);
  lines.push(
    `deno task tour, warm cache: ${tour.toFixed(2)} s (median of 3; ${
      tourOk ? "every demo ran" : "FAILED"
    }); target ≤ 3 s: ${tour <= 3 ? "met" : "missed"}`,
  );
  if (!tourOk) lines.push(tours.find((t) => !t.ok)!.tail);

  const cacheRoot = new URL(".tmp/", ROOT);
  await Deno.mkdir(cacheRoot, { recursive: true });
  const denoDir = await Deno.makeTempDir({ dir: cacheRoot.pathname, prefix: "cold-deno-dir-" });
  try {
    const test = await timeTask("test", { DENO_DIR: denoDir });
    lines.push(
      `deno task test, cold cache (empty DENO_DIR): ${test.seconds.toFixed(1)} s (${
        test.ok ? "passed" : "FAILED"
      }); target ≤ 60 s: ${test.seconds <= 60 ? "met" : "missed"}`,
    );
    if (!test.ok) lines.push(test.tail);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
  return lines;
}

if (import.meta.main) {
  for (const line of await measureLearnerTime()) console.log(line);
}
