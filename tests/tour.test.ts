import assert from "node:assert/strict";
import { runTour, summarize } from "../tour.ts";
import { findLesson, type Lesson } from "../lessons/registry.ts";
import { recordLog } from "./_util.ts";

Deno.test("the tour runs a lesson's demo under its heading and sums up", async () => {
  const { log, lines } = recordLog();
  const results = await runTour([findLesson("03")!], log);
  assert.equal(results[0].error, undefined);
  assert.ok(lines.some((line) => line.startsWith("━━ 03 · TCP hello server")));
  assert.ok(lines.some((line) => line.includes("client │ ← Welcome!")));
  assert.match(summarize(results), /^Tour finished: 1 lesson, every demo ran, \d+\.\d s\.$/);
});

Deno.test("a failing demo is reported in one line and the tour goes on", async () => {
  const three = await findLesson("03")!.load();
  const broken: Lesson = {
    ...findLesson("03")!,
    id: "99",
    load: () =>
      Promise.resolve({
        cli: { ...three.cli, id: "99", demo: () => Promise.reject(new Error("demo broke")) },
      }),
  };
  const { log, lines } = recordLog();
  const results = await runTour([broken, findLesson("04")!], log);
  assert.equal(results[0].error, "error: demo broke");
  assert.equal(results[1].error, undefined);
  assert.ok(lines.includes("   error: demo broke"));
  assert.match(summarize(results), /^Tour finished: 2 lessons, 1 failed \(99\), /);
});

Deno.test("lesson ids can be given without the leading zero", () => {
  assert.equal(findLesson("3")?.id, "03");
  assert.equal(findLesson("42"), undefined);
});

Deno.test("side by side, the demos print exactly what they print one after another", async () => {
  const lessons = ["03", "04"].map((id) => findLesson(id)!);
  const inOrder = recordLog();
  await runTour(lessons, inOrder.log);
  const together = recordLog();
  const results = await runTour(lessons, together.log, { concurrent: true });
  assert.deepEqual(results.map((r) => r.error), [undefined, undefined]);
  // Ports and timings differ between runs: compare the lines without numbers.
  const shape = (lines: string[]) => lines.map((line) => line.replace(/\d+/g, "N"));
  assert.deepEqual(shape(together.lines), shape(inOrder.lines));
});
