/**
 * # deno task verify: check your exercises
 *
 * Runs each exercise's checks (the lessons' own tests for what it asks)
 * against your file in `exercises/`, like rustlings: how far you are, the
 * first exercise not done yet, which check failed in plain words, what was
 * expected and what came back, and which hint helps. When an exercise passes
 * for the first time, it shows the reference solution beside your code.
 *
 *   deno task verify              every exercise (unchanged ones are not run again)
 *   deno task verify 03           lesson 03's exercises; `verify 03b 04` works too
 *   deno task verify --watch      again each time you save a file in exercises/
 *   deno task verify --lang zh    in Chinese (also chosen by LANG=zh_CN.UTF-8)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Exercise, EXERCISES } from "../exercises/catalog.ts";
import {
  type ExerciseRun,
  inParallel,
  type Root,
  runExercise,
  typeCheckAll,
} from "./exercise_runs.ts";
import { explainFailure } from "./failure.ts";
import { beside } from "./beside.ts";
import { chooseLanguage, type Language } from "./language.ts";

/** What verify says, in both languages. */
const SAY = {
  en: {
    done: (n: number, m: number, next?: string) =>
      `Progress: ${n}/${m} done` + (next ? `; next: ${next}` : "; every exercise passes."),
    passed: (id: string) => `✓ ${id} passes.`,
    failed: (id: string, goal: string) => `✗ ${id}: ${goal}`,
    typeError: "The file does not type-check (deno check):",
    crash: "The checks could not run:",
    expected: "Check",
    open: (file: string) => `Open exercises/${file}.`,
    hint: (id: string, n?: number) =>
      `Stuck? deno task hint ${id}` + (n ? `  (hint ${n} is about this check)` : ""),
    solution: "Your code, and the reference solution beside it:",
    checking: (i: number, n: number) => `checking ${i}/${n}...`,
    unknown: (id: string) => `there is no exercise ${id}`,
    watching: "Watching exercises/ (Ctrl+C to stop)...",
  },
  zh: {
    done: (n: number, m: number, next?: string) =>
      `进度：${n}/${m} 完成` + (next ? `；下一个：${next}` : "；所有练习都通过了。"),
    passed: (id: string) => `✓ ${id} 通过。`,
    failed: (id: string, goal: string) => `✗ ${id}：${goal}`,
    typeError: "文件没有通过类型检查（deno check）：",
    crash: "检查无法运行：",
    expected: "检查",
    open: (file: string) => `打开 exercises/${file}。`,
    hint: (id: string, n?: number) =>
      `卡住了？deno task hint ${id}` + (n ? `（第 ${n} 条提示讲的就是这项检查）` : ""),
    solution: "你的代码，旁边是参考答案：",
    checking: (i: number, n: number) => `正在检查 ${i}/${n}……`,
    unknown: (id: string) => `没有练习 ${id}`,
    watching: "正在监视 exercises/（Ctrl+C 停止）……",
  },
} as const;

/** What verify remembers between runs (in `.tmp/verify.json`). */
interface Memory {
  [id: string]: { hash: string; passed: boolean };
}

const MEMORY = ".tmp/verify.json";

/** The exercises `args` name: `03` means all of lesson 03's; none means all. */
export function choose(args: readonly string[]): Exercise[] {
  if (args.length === 0) return [...EXERCISES];
  const chosen = new Set<Exercise>();
  for (const arg of args) {
    const id = arg.toLowerCase().padStart(/^\d$/.test(arg) ? 2 : arg.length, "0");
    const matching = EXERCISES.filter((e) => e.id === id || e.id.slice(0, 2) === id);
    if (matching.length === 0) throw new Error(SAY.en.unknown(arg));
    for (const exercise of matching) chosen.add(exercise);
  }
  return EXERCISES.filter((exercise) => chosen.has(exercise));
}

/** A fingerprint of what decides an exercise's result: its file and its tests. */
async function fingerprint(exercise: Exercise, root: Root): Promise<string> {
  const parts = [`${root}/${exercise.file}`, ...exercise.tests];
  const bytes = await Promise.all(
    parts.map((path) => Deno.readFile(path).catch(() => new Uint8Array())),
  );
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length + 1, 0));
  let at = 0;
  for (const b of bytes) (all.set(b, at), at += b.length + 1);
  const digest = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function recall(): Promise<Memory> {
  try {
    return JSON.parse(await Deno.readTextFile(MEMORY));
  } catch {
    return {};
  }
}

/** The lines that explain a failed run. */
export function report(run: ExerciseRun, lang: Language): string[] {
  const say = SAY[lang];
  const { exercise } = run;
  const out = [say.failed(exercise.id, exercise.goal[lang])];
  if (run.typeError) out.push(`  ${say.typeError}`, `    ${run.typeError}`);
  else if (run.crash) {
    out.push(
      `  ${say.crash}`,
      ...run.crash.split("\n").slice(0, 12).map((l) => `    ${l}`),
    );
  }
  const failed = run.checks.find((check) => check.failure !== undefined);
  let hint: number | undefined;
  if (failed && !run.typeError) {
    const known = exercise.checks.find((check) => failed.name.includes(check.test));
    hint = known?.hint;
    const name = failed.name.replace(/\s*(#\w+\s*)+$/, "");
    out.push("", `  ${say.expected}: ${lang === "zh" && known ? known.zh : name}`);
    for (const line of explainFailure(failed.failure!)) out.push(`    ${line}`);
  }
  out.push("", `  ${say.open(exercise.file)} ${say.hint(exercise.id, hint)}`);
  return out;
}

/** The learner's file and the reference solution, beside each other. */
async function showSolution(exercise: Exercise, lang: Language): Promise<string[]> {
  const mine = await Deno.readTextFile(`exercises/${exercise.file}`);
  const theirs = await Deno.readTextFile(`exercises/solutions/${exercise.file}`);
  const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 80;
  return [SAY[lang].solution, ...beside(codeOf(mine), codeOf(theirs), width)];
}

/** A file without its header comment and imports: the code the learner wrote. */
function codeOf(file: string): string[] {
  const lines = file.split("\n");
  const start = lines.findIndex((line) =>
    /^(export )?(async )?function |^export (const|class) /.test(line)
  );
  const from = start === -1
    ? 0
    : Math.max(0, lines.slice(0, start).findLastIndex((l) => l.trim() === "") + 1);
  return lines.slice(from).filter((line, i, all) => i < all.length - 1 || line !== "");
}

/** Runs the chosen exercises and prints the report. True when all of them passed. */
export async function verify(
  args: readonly string[],
  lang: Language,
  root: Root = "exercises",
): Promise<boolean> {
  const say = SAY[lang];
  const chosen = choose(args);
  const memory = await recall();
  const hashes = await Promise.all(chosen.map((exercise) => fingerprint(exercise, root)));
  const changed = chosen.filter((exercise, i) => memory[exercise.id]?.hash !== hashes[i]);
  const typeErrors = await typeCheckAll(changed.map((exercise) => `${root}/${exercise.file}`));
  const results = await inParallel(chosen.map((exercise, i) => async () => {
    const hash = hashes[i];
    const before = memory[exercise.id];
    if (before?.hash === hash) {
      return { exercise, passed: before.passed, fresh: false, run: undefined };
    }
    if (Deno.stdout.isTerminal()) {
      Deno.stdout.writeSync(new TextEncoder().encode(`\r${say.checking(i + 1, chosen.length)}`));
    }
    const typeError = typeErrors.get(`${root}/${exercise.file}`) ?? null;
    const run = await runExercise(exercise, root, { typeError });
    memory[exercise.id] = { hash, passed: run.passed };
    return { exercise, passed: run.passed, fresh: !before?.passed && run.passed, run };
  }));
  if (Deno.stdout.isTerminal()) Deno.stdout.writeSync(new TextEncoder().encode("\r\x1b[K"));
  await Deno.mkdir(".tmp", { recursive: true });
  await Deno.writeTextFile(MEMORY, JSON.stringify(memory, null, 2));

  for (const result of results.filter((r) => r.fresh)) {
    console.log(say.passed(result.exercise.id));
    if (root === "exercises") {
      for (const line of await showSolution(result.exercise, lang)) console.log(line);
    }
    console.log("");
  }
  const first = results.find((r) => !r.passed);
  if (first) {
    const run = first.run ?? await runExercise(first.exercise, root);
    for (const line of report(run, lang)) console.log(line);
    console.log("");
  }
  const done = results.filter((r) => r.passed).length;
  console.log(say.done(done, results.length, first?.exercise.id));
  return first === undefined;
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      watch: { type: "boolean" },
      lang: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log("Usage: deno task verify [03 | 03b ...] [--watch] [--lang zh|en]\n");
    console.log(
      "Checks your exercises with the lessons' tests. A list of them: exercises/catalog.ts",
    );
    return 0;
  }
  const lang = chooseLanguage(values.lang);
  const root = (Deno.env.get("VERIFY_ROOT") ?? "exercises") as Root;
  let ok: boolean;
  try {
    ok = await verify(positionals, lang, root);
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : err} (see exercises/catalog.ts)`);
    return 1;
  }
  if (!values.watch) return ok ? 0 : 1;
  console.log(`\n${SAY[lang].watching}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  for await (const event of Deno.watchFs("exercises")) {
    if (event.kind !== "modify" && event.kind !== "create") continue;
    // Editors save in several steps: wait for the burst of events to end.
    clearTimeout(timer);
    timer = setTimeout(async () => {
      console.log("\n" + "─".repeat(72));
      await verify(positionals, lang, root);
      console.log(`\n${SAY[lang].watching}`);
    }, 200);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
