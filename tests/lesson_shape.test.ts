/**
 * SPEC's "Lesson shape", measured on every lesson file (entry and steps):
 * the Deno calls each lesson teaches are on its own pages, beside the Python
 * line they replace; the entry's first socket call is within its first 60
 * lines; no file is over 250 non-blank lines; no lesson hand-writes a flag
 * parser or a usage string.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LESSONS } from "../lessons/registry.ts";

/** The raw calls SPEC requires on each lesson's own pages (a regular expression each). */
const RAW_CALLS: Record<string, Record<string, RegExp>> = {
  "01": {
    "Deno.connect": /Deno\.connect\(/,
    read: /\.read\(/,
    "startTls/connectTls": /Deno\.(startTls|connectTls)\(/,
  },
  "02": {
    "Deno.listen": /Deno\.listen\(/,
    accept: /\.accept\(\)|for await \(const \w+ of \w+\)/,
    read: /\.read\(/,
    write: /\.write\(/,
  },
  "03": {
    "Deno.listen": /Deno\.listen\(/,
    accept: /\.accept\(\)|for await \(const \w+ of \w+\)/,
    read: /\.read\(/,
    write: /\.write\(/,
    "Deno.connect": /Deno\.connect\(/,
  },
  "04": {
    "Deno.listenDatagram": /Deno\.listenDatagram\(/,
    receive: /\.receive\(|for await \(const \[/,
    send: /\.send\(/,
  },
  "05": { read: /\.read\(/, write: /\.write\(/, setNoDelay: /\.setNoDelay\(/ },
  "06": {
    "Deno.listenDatagram": /Deno\.listenDatagram\(/,
    receive: /\.receive\(|for await \(const \[/,
    send: /\.send\(/,
  },
  "07": {
    "Deno.listen": /Deno\.listen\(/,
    "Deno.connect": /Deno\.connect\(/,
    read: /\.read\(/,
    write: /\.write\(/,
  },
  "08": {
    'transport: "unix"': /transport: "unix"/,
    "Deno.listen": /Deno\.listen\(/,
    "Deno.connect": /Deno\.connect\(/,
  },
  "09": { "Deno.listen": /Deno\.listen\(/, tcpBacklog: /tcpBacklog/ },
};

/** A socket call: what the entry file must make within its first 60 lines. */
const SOCKET_CALL = /Deno\.(listen|connect|listenDatagram|connectTls|startTls)\(/;

/** The lesson's files: the entry and every `.ts` under `lessons/NN_name/`. */
async function filesOf(entry: string): Promise<string[]> {
  const files = [`lessons/${entry}`];
  const dir = `lessons/${entry.replace(/\.ts$/, "")}`;
  try {
    for await (const item of Deno.readDir(dir)) {
      if (item.isFile && item.name.endsWith(".ts")) files.push(`${dir}/${item.name}`);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return files.sort();
}

const nonBlank = (text: string) => text.split("\n").filter((line) => line.trim() !== "").length;

for (const lesson of LESSONS) {
  Deno.test(`lesson ${lesson.id} has the shape SPEC asks for`, async (t) => {
    const files = await filesOf(lesson.file);
    const texts = await Promise.all(files.map((file) => Deno.readTextFile(file)));
    for (const [i, file] of files.entries()) {
      await t.step(
        `${file}: at most 250 non-blank lines, no hand-written flag parser or usage`,
        () => {
          assert.ok(nonBlank(texts[i]) <= 250, `${file} has ${nonBlank(texts[i])} non-blank lines`);
          assert.doesNotMatch(texts[i], /parseArgs\(|parseFlags\(|^\s*Usage:/m);
        },
      );
    }
    await t.step("the entry's first socket call is within its first 60 lines", () => {
      const lines = texts[0].split("\n");
      const first = lines.findIndex((line) =>
        SOCKET_CALL.test(line) && !/^\s*(\/\/|\*)/.test(line)
      );
      assert.ok(first !== -1 && first < 60, `first socket call at line ${first + 1}`);
    });
    await t.step(
      "the Deno calls it teaches are on its own pages, with the Python they replace",
      () => {
        const all = texts.join("\n");
        for (const [call, pattern] of Object.entries(RAW_CALLS[lesson.id] ?? {})) {
          assert.match(all, pattern, `${call} is not called in lesson ${lesson.id}'s files`);
        }
        const pythonLines = all.match(/\/\/ *Python:/g)?.length ?? 0;
        assert.ok(
          pythonLines >= 3,
          `only ${pythonLines} "// Python:" lines in lesson ${lesson.id}`,
        );
      },
    );
  });
}
