import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { LESSONS } from "../lessons/registry.ts";
import { BEGIN, END, lessonTable, tableCells, withTable } from "../scripts/readme_table.ts";

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

  Deno.test(`lesson ${lesson.id} loads and has a demo`, async () => {
    const module = await lesson.load();
    assert.equal(typeof module.demo, "function");
  });
}

Deno.test("README.md's lesson table matches the registry (run `deno task readme` to update)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  assert.ok(readme.includes(BEGIN) && readme.includes(END), "README.md has the table markers");
  assert.deepEqual(tableCells(readme), tableCells(withTable(readme, lessonTable())));
});
