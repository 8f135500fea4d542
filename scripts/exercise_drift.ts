/**
 * Keeps each exercise a faithful copy of its lesson. An exercise may differ
 * from its lesson only where it says why: in its header, its lint and doc-test
 * switches, its imports, a `TODO` that replaces lesson code, or a line marked
 * `exercise-only`. Anything else is drift: the lesson changed and the
 * exercise did not follow, so a learner who fills in every TODO could still
 * fail the lesson's tests.
 *
 * Used by `deno task test:exercises` (CI), on untouched exercises.
 *
 * @module
 */

/** A run of lines where the exercise and its lesson differ. */
export interface Hunk {
  /** First differing line in the lesson, 1-based. */
  lessonLine: number;
  /** The lesson's lines here (may be empty: lines the exercise added). */
  lesson: string[];
  /** First differing line in the exercise, 1-based. */
  exerciseLine: number;
  /** The exercise's lines here (may be empty: lines the exercise dropped). */
  exercise: string[];
}

/**
 * The differing runs between two texts, line by line (a longest-common-
 * subsequence diff; lessons are a few hundred lines, so O(n·m) is fine).
 */
export function diffLines(lessonText: string, exerciseText: string): Hunk[] {
  const a = lessonText.split("\n").map((line) => line.trimEnd());
  const b = exerciseText.split("\n").map((line) => line.trimEnd());
  const width = b.length + 1;
  // common[i * width + j]: length of the LCS of a[i..] and b[j..].
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = a[i] === b[j]
        ? common[(i + 1) * width + j + 1] + 1
        : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const hunks: Hunk[] = [];
  let open: Hunk | undefined;
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      open = undefined;
      i++, j++;
      continue;
    }
    open ??=
      hunks[hunks.push({ lessonLine: i + 1, lesson: [], exerciseLine: j + 1, exercise: [] }) - 1];
    if (
      j < b.length && (i === a.length || common[i * width + j + 1] >= common[(i + 1) * width + j])
    ) {
      open.exercise.push(b[j++]);
    } else {
      open.lesson.push(a[i++]);
    }
  }
  return hunks;
}

/** Why an exercise may differ from its lesson here, or `undefined` if it may not. */
export function allowedBecause(
  hunk: Hunk,
  headerEnd: { lesson: number; exercise: number },
): string | undefined {
  const exercise = hunk.exercise.join("\n");
  if (hunk.lessonLine <= headerEnd.lesson && hunk.exerciseLine <= headerEnd.exercise) {
    return "header";
  }
  if (/TODO|todo\(/.test(exercise)) return "a TODO";
  if (/exercise-only/.test(exercise)) return "marked exercise-only";
  const all = [...hunk.lesson, ...hunk.exercise];
  if (all.every((line) => /^(import |} from |\s+[\w$]+,?$|\s*\/\/|$)/.test(line))) return "imports";
  if (all.every((line) => /^\s*\*\s*```ts( ignore)?$/.test(line))) return "doc-test switch";
  return undefined;
}

/** Where the opening comment block (the title) of a file ends, 1-based. */
export function headerEnd(text: string): number {
  const lines = text.split("\n");
  const end = lines.findIndex((line) => line.trim() === "*/");
  return end === -1 ? 0 : end + 1;
}

/**
 * Joins hunks separated by at most `gap` equal lines: a TODO that replaces a
 * block matches the block's blank lines and braces by chance, which splits
 * one replacement into pieces that only together contain the TODO.
 */
export function mergeClose(hunks: Hunk[], exerciseText: string, gap = 3): Hunk[] {
  const lines = exerciseText.split("\n");
  const merged: Hunk[] = [];
  for (const hunk of hunks) {
    const last = merged[merged.length - 1];
    const lastEnd = last ? last.exerciseLine + last.exercise.length : -Infinity;
    if (last && hunk.exerciseLine - lastEnd <= gap) {
      const between = lines.slice(lastEnd - 1, hunk.exerciseLine - 1);
      last.exercise.push(...between, ...hunk.exercise);
      last.lesson.push(...between, ...hunk.lesson);
    } else {
      merged.push({ ...hunk, lesson: [...hunk.lesson], exercise: [...hunk.exercise] });
    }
  }
  return merged;
}

/** The hunks of `exerciseText` that are not allowed: the drift to fix. */
export function drift(lessonText: string, exerciseText: string): Hunk[] {
  const ends = { lesson: headerEnd(lessonText), exercise: headerEnd(exerciseText) };
  return mergeClose(diffLines(lessonText, exerciseText), exerciseText)
    .filter((hunk) => !allowedBecause(hunk, ends));
}
