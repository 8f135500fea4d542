/**
 * Runs a lesson's tests against `exercises/` (a learner's work) and reports
 * each test's outcome. Shared by `deno task verify` (for the learner) and
 * `deno task test:exercises` (CI's check that untouched exercises fail).
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import { type Lesson, LESSONS } from "../lessons/registry.ts";

/** One test's outcome. */
export interface TestOutcome {
  /** The test's name: a sentence saying what must happen. */
  name: string;
  /** `undefined` if it passed, else what went wrong. */
  failure?: string;
}

/** The outcome of one lesson's tests against one folder. */
export interface LessonRun {
  /** The lesson. */
  lesson: Lesson;
  /** Every test, in order. */
  tests: TestOutcome[];
  /** True when every test passed (and at least one ran). */
  passed: boolean;
  /** What deno printed on stderr when it could not run the tests at all. */
  crash?: string;
}

/** Lessons that have an exercise file, in teaching order. */
export async function lessonsWithExercises(): Promise<Lesson[]> {
  const present: Lesson[] = [];
  for (const lesson of LESSONS) {
    try {
      await Deno.stat(`exercises/${lesson.file}`);
      present.push(lesson);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return present;
}

/** The test files of a lesson: `tests/NN_*.test.ts`. */
export async function testFilesOf(lesson: Lesson): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir("tests")) {
    if (entry.isFile && entry.name.startsWith(`${lesson.id}_`) && entry.name.endsWith(".test.ts")) {
      files.push(`tests/${entry.name}`);
    }
  }
  return files.sort();
}

/**
 * The permission flags of the `deno test` in deno.json's `test` task, so the
 * exercises run with exactly the permissions the lessons' tests have.
 */
export function testPermissions(): string[] {
  const task: string = config.tasks.test;
  const run = task.slice(task.indexOf("deno test"));
  const end = run.indexOf("&&");
  const flags = (end === -1 ? run : run.slice(0, end)).match(/--allow-[a-z-]+(=\S+)?/g) ?? [];
  // deno task's shell expands $PWD; we are not in a shell, so do it here.
  return flags.map((flag) => flag.replaceAll("$PWD", Deno.cwd()));
}

/** Runs `lesson`'s tests with `LESSON_DIR=dir` and collects each outcome. */
export async function runLessonTests(
  lesson: Lesson,
  dir: "lessons" | "exercises",
): Promise<LessonRun> {
  const files = await testFilesOf(lesson);
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--reporter=junit", ...testPermissions(), ...files],
    env: { LESSON_DIR: dir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const tests = parseJunit(new TextDecoder().decode(stdout));
  const crash = tests.length === 0 ? new TextDecoder().decode(stderr).trim() : undefined;
  return {
    lesson,
    tests,
    passed: tests.length > 0 && tests.every((t) => t.failure === undefined),
    crash,
  };
}

/** Reads `deno test --reporter=junit` output: one outcome per `<testcase>`. */
export function parseJunit(xml: string): TestOutcome[] {
  const outcomes: TestOutcome[] = [];
  const testcase = /<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(testcase)) {
    const body = match[3] ?? "";
    // A test cut short (an uncaught error elsewhere in its file) is an <error>, not a
    // <failure>: it did not pass either.
    const failure = /<failure[^>]*>([\s\S]*?)<\/failure>/.exec(body) ??
      /<error message="([^"]*)"/.exec(body);
    if (/<skipped/.test(body)) continue;
    outcomes.push({
      name: unescapeXml(match[1]),
      failure: failure ? unescapeXml(failure[1]) : undefined,
    });
  }
  return outcomes;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");
}
