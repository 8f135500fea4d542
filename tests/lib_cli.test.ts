import assert from "node:assert/strict";
import { intFlag, parseFlags, portFlag } from "../lib/cli.ts";
import { formatError, UsageError } from "../lib/errors.ts";

Deno.test("an unknown flag is a usage error that points at --help", () => {
  assert.throws(() => parseFlags(["--prot", "1"], { port: { type: "string" } }), (err) => {
    assert.ok(err instanceof UsageError);
    assert.equal(formatError(err), "error: unknown option '--prot' (see --help)");
    return true;
  });
});

Deno.test("flags and positionals come back typed", () => {
  const { values, positionals } = parseFlags(["server", "--quiet", "--port", "1"], {
    quiet: { type: "boolean" },
    port: { type: "string" },
  });
  assert.deepEqual(positionals, ["server"]);
  assert.equal(values.quiet, true);
  assert.equal(values.port, "1");
});

const badPorts: { label: string; value: string; message: string }[] = [
  { label: "a word", value: "http", message: '--port must be a whole number, got "http"' },
  { label: "a negative number", value: "-1", message: '--port must be a whole number, got "-1"' },
  { label: "a fraction", value: "80.5", message: '--port must be a whole number, got "80.5"' },
  { label: "too large", value: "65536", message: "--port must be between 0 and 65535, got 65536" },
];

for (const { label, value, message } of badPorts) {
  Deno.test(`--port given ${label} is refused with what is wrong`, () => {
    assert.throws(() => portFlag(value, 9999), (err) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

Deno.test("a missing flag takes its default", () => {
  assert.equal(portFlag(undefined, 9999), 9999);
  assert.equal(intFlag("--tries", undefined, 3, { min: 1, max: 10 }), 3);
});
