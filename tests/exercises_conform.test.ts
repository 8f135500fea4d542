/**
 * Every exercise exports what its lesson exports, with the same types: the
 * lesson's tests can run against a learner's file only if it has the same
 * shape. This is checked when the file is type-checked; the test itself only
 * confirms the modules load.
 *
 * @module
 */

import assert from "node:assert/strict";
import type * as Lesson01 from "../lessons/01_fetch_page.ts";
import * as Exercise01 from "../exercises/01_fetch_page.ts";
import type * as Lesson02 from "../lessons/02_hello_http.ts";
import * as Exercise02 from "../exercises/02_hello_http.ts";
import type * as Lesson03 from "../lessons/03_tcp_hello.ts";
import * as Exercise03 from "../exercises/03_tcp_hello.ts";
import type * as Lesson04 from "../lessons/04_udp_hello.ts";
import * as Exercise04 from "../exercises/04_udp_hello.ts";
import type * as Lesson05 from "../lessons/05_framing.ts";
import * as Exercise05 from "../exercises/05_framing.ts";
import type * as Lesson06 from "../lessons/06_factorial_udp.ts";
import * as Exercise06 from "../exercises/06_factorial_udp.ts";
import type * as Lesson07 from "../lessons/07_chat.ts";
import * as Exercise07 from "../exercises/07_chat.ts";
import type * as Lesson08 from "../lessons/08_unix_sockets.ts";
import * as Exercise08 from "../exercises/08_unix_sockets.ts";
import type * as Lesson09 from "../lessons/09_ports_backlog.ts";
import * as Exercise09 from "../exercises/09_ports_backlog.ts";

const exercises: Record<string, object> = {
  "01": Exercise01 satisfies typeof Lesson01,
  "02": Exercise02 satisfies typeof Lesson02,
  "03": Exercise03 satisfies typeof Lesson03,
  "04": Exercise04 satisfies typeof Lesson04,
  "05": Exercise05 satisfies typeof Lesson05,
  "06": Exercise06 satisfies typeof Lesson06,
  "07": Exercise07 satisfies typeof Lesson07,
  "08": Exercise08 satisfies typeof Lesson08,
  "09": Exercise09 satisfies typeof Lesson09,
};

Deno.test("every exercise has its lesson's exports (checked by the type checker)", () => {
  for (const [id, module] of Object.entries(exercises)) {
    assert.ok(Object.keys(module).length > 0, `exercise ${id} exports nothing`);
  }
});
