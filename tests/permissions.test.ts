/**
 * Least privilege, checked: every lesson's task in deno.json grants no more
 * than the lesson needs. Network access is scoped to loopback (and Unix
 * sockets under .tmp/), files to .tmp/, programs by name. Each exception is
 * listed below with its reason; anything else wider fails this test.
 */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { isLoopback } from "../lib/addr.ts";
import { LESSONS } from "../lessons/registry.ts";

const tasks: Record<string, string> = config.tasks;

/** Permissions wider than the rule, lesson by lesson, each with its reason. */
const EXCEPTIONS: Record<string, { flag: string; value: string; why: string }[]> = {
  "01": [
    {
      flag: "--allow-net",
      value: "",
      why: "it fetches whatever URL the learner types: the host is known only at run time",
    },
    {
      flag: "--allow-read",
      value: ".",
      why: "it saves the page in the current folder (its --out default) via a temporary file",
    },
    {
      flag: "--allow-write",
      value: ".",
      why: "it saves the page in the current folder (its --out default) via a temporary file",
    },
  ],
  "09": [
    {
      flag: "--allow-net",
      value: "0.0.0.0",
      why: "it binds every interface for a moment, to show what 0.0.0.0 means next to 127.0.0.1",
    },
    {
      flag: "--allow-net",
      value: "[::]",
      why: "it binds :: (port 0) for a moment, to show dual stack: IPv4 clients reach it too",
    },
  ],
};

/** The permission flags of a `deno run` task: `[flag, value]`, value "" if unscoped. */
function permissionFlags(task: string): [string, string][] {
  return task.split(/\s+/)
    .filter((word) => word === "-A" || word.startsWith("--allow-"))
    .map((word) => {
      const at = word.indexOf("=");
      return at === -1 ? [word, ""] : [word.slice(0, at), word.slice(at + 1)];
    });
}

/** The host of a `--allow-net` entry: `[::1]:80` → `::1`, `127.0.0.1:80` → `127.0.0.1`. */
function hostOf(entry: string): string {
  const bracketed = entry.match(/^\[(.*)\](:\d+)?$/);
  return bracketed ? bracketed[1] : entry.replace(/:\d+$/, "");
}

/** The parts of a scoped value that the rule for `flag` does not allow. */
function tooWide(flag: string, value: string): string[] {
  if (value === "") return ["(unscoped)"];
  const parts = value.split(",");
  switch (flag) {
    case "--allow-net":
      return parts.filter((part) =>
        !(isLoopback(hostOf(part)) ||
          part.startsWith("unix:$PWD/.tmp/"))
      );
    case "--allow-read":
    case "--allow-write":
      return parts.filter((part) => part !== ".tmp" && !part.startsWith(".tmp/"));
    case "--allow-run":
      return parts.filter((part) => !/^[a-z0-9_-]+$/.test(part)); // programs by name only
    default:
      return [`${flag} is not needed by any lesson`];
  }
}

for (const lesson of LESSONS) {
  Deno.test(`lesson ${lesson.id}'s task grants no wider permission than it needs`, () => {
    const task = tasks[lesson.id];
    assert.ok(task, `deno.json has a task "${lesson.id}"`);
    const exceptions = EXCEPTIONS[lesson.id] ?? [];
    for (const [flag, value] of permissionFlags(task)) {
      assert.notEqual(flag, "-A", "no lesson needs every permission");
      assert.notEqual(flag, "--allow-all", "no lesson needs every permission");
      const allowed = exceptions.filter((e) => e.flag === flag).map((e) => e.value || "(unscoped)");
      const wide = tooWide(flag, value).filter((part) => !allowed.includes(part));
      assert.deepEqual(wide, [], `lesson ${lesson.id}: ${flag}=${value} is wider than needed`);
    }
  });
}

Deno.test("every exception to least privilege is still used, so none outlives its reason", () => {
  for (const [id, exceptions] of Object.entries(EXCEPTIONS)) {
    const flags = permissionFlags(tasks[id]);
    for (const { flag, value } of exceptions) {
      const used = flags.some(([f, v]) =>
        f === flag && (value === "" ? v === "" : v.split(",").includes(value))
      );
      assert.ok(
        used,
        `lesson ${id} no longer uses ${flag}${value && `=${value}`}: drop the exception`,
      );
    }
  }
});

Deno.test("the soak runs with loopback networking and nothing else", () => {
  assert.deepEqual(permissionFlags(tasks.soak), [["--allow-net", "127.0.0.1"]]);
});
