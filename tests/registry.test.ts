import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { LESSONS } from "../lessons/registry.ts";
import {
  BEGIN,
  END,
  lessonTable,
  lessonTableZh,
  tableCells,
  withTable,
} from "../scripts/readme_table.ts";

const tasks: Record<string, string> = config.tasks;

Deno.test("lessons are numbered in order, each once", () => {
  const ids = LESSONS.map((l) => l.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
  for (const lesson of LESSONS) assert.ok(lesson.file.startsWith(`${lesson.id}_`), lesson.file);
});

for (const lesson of LESSONS) {
  Deno.test(`lesson ${lesson.id}'s task grants exactly the permissions the registry lists`, () => {
    assert.equal(
      tasks[lesson.id],
      `deno run ${lesson.permissions.join(" ")} lessons/${lesson.file}`,
    );
    assert.ok(
      !lesson.permissions.some((p) => p === "-A" || p === "--allow-all"),
      "no lesson needs every permission",
    );
  });

  Deno.test(`lesson ${lesson.id} has its Chinese title, summary and tutorial for README.zh-CN.md`, () => {
    assert.ok(
      lesson.zh,
      `add zh: { title, teaches, tutorial } to lesson ${lesson.id} in lessons/registry.ts`,
    );
    for (const [field, text] of Object.entries(lesson.zh)) {
      assert.ok(text.trim().length > 0, `lesson ${lesson.id}: zh.${field} is empty`);
      assert.match(
        text,
        /\p{Script=Han}/u,
        `lesson ${lesson.id}: zh.${field} has no Chinese in it`,
      );
      assert.ok(!text.includes("|"), `lesson ${lesson.id}: zh.${field} would break the table`);
    }
  });

  Deno.test(`lesson ${lesson.id} loads and declares its command line with a demo`, async () => {
    const { cli } = await lesson.load();
    assert.equal(cli.id, lesson.id);
    assert.equal(typeof cli.demo, "function");
  });

  Deno.test(`lesson ${lesson.id} names its tutorial by title, never "seed 00N"`, () => {
    for (const text of [lesson.tutorial, lesson.zh?.tutorial ?? ""]) {
      assert.doesNotMatch(text, /seed|教程 ?00\d/i);
    }
  });
}

Deno.test("README.md's lesson table matches the registry (run `deno task readme` to update)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  assert.ok(readme.includes(BEGIN) && readme.includes(END), "README.md has the table markers");
  assert.deepEqual(tableCells(readme), tableCells(withTable(readme, lessonTable())));
});

Deno.test("README.zh-CN.md's lesson table matches the registry (run `deno task readme` to update)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.zh-CN.md", import.meta.url));
  assert.ok(
    readme.includes(BEGIN) && readme.includes(END),
    "README.zh-CN.md has the table markers",
  );
  assert.deepEqual(tableCells(readme), tableCells(withTable(readme, lessonTableZh())));
});
