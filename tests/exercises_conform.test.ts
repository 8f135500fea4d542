/**
 * Every exercise exports what its lesson exports, with the same types: the
 * lesson's tests can run against a learner's file only if it has the same
 * shape. This is checked when the file is type-checked; the test itself only
 * confirms the modules load.
 *
 * @module
 */

import assert from "node:assert/strict";
import type * as Lesson03 from "../lessons/03_tcp_hello.ts";
import * as Exercise03 from "../exercises/03_tcp_hello.ts";
import type * as Lesson04 from "../lessons/04_udp_hello.ts";
import * as Exercise04 from "../exercises/04_udp_hello.ts";

const exercises: Record<string, object> = {
  "03": Exercise03 satisfies typeof Lesson03,
  "04": Exercise04 satisfies typeof Lesson04,
};

Deno.test("every exercise has its lesson's exports (checked by the type checker)", () => {
  for (const [id, module] of Object.entries(exercises)) {
    assert.ok(Object.keys(module).length > 0, `exercise ${id} exports nothing`);
  }
});
