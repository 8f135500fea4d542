// README.zh-CN.md says what README.md says, in Chinese. Prose can't be
// compared across languages, but everything a learner copies or runs can:
// sections, tables, code blocks, inline code and `deno task` commands must be
// the same in both. The prose may add a gloss (三次握手 ...); it may not drop
// a command. When README.md gains a section, these tests fail until the
// Chinese README gains it too.
import assert from "node:assert/strict";

const english = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const chinese = await Deno.readTextFile(new URL("../README.zh-CN.md", import.meta.url));

/** A README split into its fenced code blocks and the lines outside them. */
interface Parts {
  prose: string[];
  blocks: { lang: string; lines: string[] }[];
}

function parts(markdown: string): Parts {
  const prose: string[] = [];
  const blocks: Parts["blocks"] = [];
  let block: Parts["blocks"][number] | undefined;
  for (const line of markdown.split("\n")) {
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence && block === undefined) {
      block = { lang: fence[1], lines: [] };
    } else if (fence && block !== undefined) {
      blocks.push(block);
      block = undefined;
    } else if (block !== undefined) {
      block.lines.push(line);
    } else {
      prose.push(line);
    }
  }
  return { prose, blocks };
}

/** Heading levels in order, outside code (a shell comment is not a heading). */
function headingLevels(markdown: string): number[] {
  return parts(markdown).prose.flatMap((line) => {
    const match = /^(#{1,6}) /.exec(line);
    return match ? [match[1].length] : [];
  });
}

function headings(markdown: string): string[] {
  return parts(markdown).prose.filter((line) => /^#{1,6} /.test(line));
}

/** Every `inline code` span outside fenced blocks. */
function inlineCode(markdown: string): Set<string> {
  const spans = parts(markdown).prose.flatMap((line) =>
    [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1])
  );
  return new Set(spans);
}

/** Every `deno task ...` command line shown anywhere in code, inline or fenced. */
function taskCommands(markdown: string): Set<string> {
  const { blocks } = parts(markdown);
  const code = [...inlineCode(markdown), ...blocks.flatMap((b) => b.lines)];
  // Arguments are single-space separated; a run of spaces or a `#` ends the command.
  const command = /\bdeno(?:@[\d.]+)? task(?: [^\s`#]+)+/g;
  return new Set(code.flatMap((text) => [...text.matchAll(command)].map((m) => m[0])));
}

/** A code block's lines with shell/Python comments and trailing spaces removed. */
function withoutComments(lines: readonly string[]): string[] {
  return lines
    .map((line) => line.replace(/(^|\s)#(?!!).*$/, "").trimEnd())
    .filter((line) => line.length > 0);
}

/** The number of rows (header included) of each Markdown table, in order. */
function tableShapes(markdown: string): number[] {
  const shapes: number[] = [];
  let rows = 0;
  for (const line of [...parts(markdown).prose, ""]) {
    if (line.trim().startsWith("|")) {
      rows++;
    } else if (rows > 0) {
      shapes.push(rows);
      rows = 0;
    }
  }
  return shapes;
}

function missing(from: Set<string>, inside: Set<string>): string[] {
  return [...from].filter((item) => !inside.has(item));
}

Deno.test("README.zh-CN.md has as many sections as README.md, at the same levels", () => {
  assert.deepEqual(
    headingLevels(chinese),
    headingLevels(english),
    `README.md's sections:\n${headings(english).join("\n")}\n\n` +
      `README.zh-CN.md's sections:\n${headings(chinese).join("\n")}`,
  );
});

Deno.test("both READMEs show the same deno task commands", () => {
  const en = taskCommands(english);
  const zh = taskCommands(chinese);
  assert.ok(en.has("deno task test") && en.has("deno task tour"), "README.md shows the basics");
  assert.deepEqual(missing(en, zh), [], "commands in README.md but not in README.zh-CN.md");
  assert.deepEqual(missing(zh, en), [], "commands in README.zh-CN.md but not in README.md");
});

Deno.test("every piece of inline code in README.md appears in README.zh-CN.md", () => {
  assert.deepEqual(
    missing(inlineCode(english), inlineCode(chinese)),
    [],
    "inline code in README.md but not in README.zh-CN.md (translate the prose, keep the code)",
  );
});

Deno.test("both READMEs have the same code blocks; only comments and untagged text are translated", () => {
  const en = parts(english).blocks;
  const zh = parts(chinese).blocks;
  assert.deepEqual(
    zh.map((b) => b.lang),
    en.map((b) => b.lang),
    "the code blocks and their languages",
  );
  en.forEach((block, i) => {
    // An untagged block is output or a file listing: its descriptions are prose.
    if (block.lang === "") return;
    assert.deepEqual(
      withoutComments(zh[i].lines),
      withoutComments(block.lines),
      `code block ${i + 1} (${block.lang}) differs beyond its comments`,
    );
  });
});

Deno.test("both READMEs have the same tables with the same number of rows", () => {
  assert.deepEqual(tableShapes(chinese), tableShapes(english));
});

Deno.test("each README links to the other near its top", () => {
  const top = (text: string) => text.split("\n").slice(0, 5).join("\n");
  assert.match(top(english), /\[README\.zh-CN\.md\]\(README\.zh-CN\.md\)/);
  assert.match(top(chinese), /\[README\.md\]\(README\.md\)/);
});

Deno.test("the comparison helpers see through fences, comments and column padding", () => {
  const sample = [
    "# Title",
    "Run `deno task 03 server`, then `deno task 03 client`.",
    "```sh",
    "# terminal 1        # terminal 2",
    "deno task verify 03         # only exercise 03",
    "```",
    "| a | b |",
    "| - | - |",
    "| 1 | 2 |",
    "## Section",
  ].join("\n");
  assert.deepEqual(headingLevels(sample), [1, 2]);
  assert.deepEqual(
    [...taskCommands(sample)].sort(),
    ["deno task 03 client", "deno task 03 server", "deno task verify 03"],
  );
  assert.deepEqual(withoutComments(parts(sample).blocks[0].lines), ["deno task verify 03"]);
  assert.deepEqual(tableShapes(sample), [3]);
});
