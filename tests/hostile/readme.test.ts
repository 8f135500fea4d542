import assert from "node:assert/strict";
import { tableCells, withTable } from "../../scripts/readme_table.ts";
import { SURVIVE_MARKERS, SURVIVE_READMES, surviveTable } from "../../scripts/survive_table.ts";

for (const file of SURVIVE_READMES) {
  Deno.test(`${file}'s survive table matches tests/hostile/table.ts (run \`deno task readme:survive\`)`, async () => {
    const readme = await Deno.readTextFile(new URL(`../../${file}`, import.meta.url));
    assert.ok(
      readme.includes(SURVIVE_MARKERS.begin) && readme.includes(SURVIVE_MARKERS.end),
      `${file} has the survive-table markers`,
    );
    assert.deepEqual(
      tableCells(readme, SURVIVE_MARKERS),
      tableCells(withTable(readme, surviveTable(), SURVIVE_MARKERS), SURVIVE_MARKERS),
    );
  });
}
