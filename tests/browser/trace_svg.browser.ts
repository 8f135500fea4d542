/**
 * A real browser draws `--trace-svg`'s sequence diagrams: headless Chromium
 * opens the SVG file (a screenshot must not be blank, and must show the
 * handshake's and the reset's colours), and opens it inlined in a page whose
 * script measures what was laid out (every arrow has a length, every label
 * is inside the picture).
 *
 * Run: deno task test:browser
 *
 * Needs the `chromium` command (Debian: `apt-get install chromium`); without
 * it the tests are reported as ignored, not passed.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as lesson03 from "../../lessons/03_tcp_hello.ts";
import { renderSequenceSvg } from "../../lib/trace_svg.ts";
import { runCli, within } from "../_util.ts";
import { helloDiagram } from "../fixtures/trace_hello_diagram.ts";
import { chromium, chromiumVersion } from "./_chromium.ts";

const version = await chromiumVersion();
if (version === undefined) {
  console.log(
    "Chromium is not installed, so the trace diagram tests are IGNORED (not passed).\n" +
      "  Debian:  sudo apt-get install chromium",
  );
}

/** A folder in .tmp for one test's files, removed after. */
async function withFolder(body: (dir: string) => Promise<void>): Promise<void> {
  await Deno.mkdir(".tmp", { recursive: true });
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: ".tmp", prefix: "trace_svg_" }));
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What the page's script measured in the drawn diagram. */
interface Layout {
  svgWidth: number;
  arrows: { length: number; label: string; labelLeft: number; labelRight: number }[];
  notes: number;
  lifelines: number;
}

/** Opens `svg` inlined in a page whose script measures the drawing, and returns the measurements. */
async function measure(dir: string, svg: string): Promise<Layout> {
  const page = `${dir}/measure.html`;
  await Deno.writeTextFile(
    page,
    `<!doctype html><html><body style="margin:0">${svg}<pre id="result"></pre><script>
const svg = document.querySelector("svg").getBoundingClientRect();
const arrows = [...document.querySelectorAll("g.arrow")].map((g) => {
  const line = g.querySelector("line").getBoundingClientRect();
  const label = g.querySelector("text");
  const box = label.getBoundingClientRect();
  return { length: Math.hypot(line.width, line.height), label: label.textContent,
    labelLeft: box.left - svg.left, labelRight: box.right - svg.left };
});
document.getElementById("result").textContent = JSON.stringify({
  svgWidth: svg.width, arrows,
  notes: [...document.querySelectorAll("text.note")].filter((t) => t.getBoundingClientRect().width > 0).length,
  lifelines: document.querySelectorAll("line.lifeline").length,
});
</script></body></html>`,
  );
  const dom = await chromium(["--dump-dom", `file://${page}`]);
  const json = dom.match(/<pre id="result">([^<]*)<\/pre>/)?.[1];
  assert.ok(json, `the page's script did not run:\n${dom.slice(0, 500)}`);
  return JSON.parse(json.replaceAll("&quot;", '"').replaceAll("&amp;", "&")) as Layout;
}

/** Screenshots `file` and decodes the PNG. */
async function screenshot(dir: string, file: string, height: number): Promise<Png> {
  const png = `${dir}/shot.png`;
  await chromium([`--screenshot=${png}`, `--window-size=1030,${height}`, `file://${file}`]);
  return await decodePng(await Deno.readFile(png));
}

Deno.test({
  name:
    "headless Chromium draws a captured conversation's diagram: not blank, SYN and RST in colour, every arrow and label laid out",
  ignore: version === undefined,
}, async () => {
  await withFolder(async (dir) => {
    const { entries, conversations } = helloDiagram();
    const svg = renderSequenceSvg(entries, conversations, { title: "lesson 03", captured: true });
    const file = `${dir}/hello.svg`;
    await Deno.writeTextFile(file, svg);

    const shot = await screenshot(dir, file, 2400);
    const inked = shot.count(([r, g, b]) => r < 200 || g < 200 || b < 200);
    assert.ok(inked > shot.width * shot.height * 0.01, `only ${inked} pixels drawn: blank?`);
    const near = (want: [number, number, number]) =>
      shot.count(([r, g, b]) =>
        Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(b - want[2]) < 40
      );
    assert.ok(near([0x7b, 0x3f, 0xb0]) > 50, "the handshake's arrows (purple)");
    assert.ok(near([0xc0, 0x39, 0x2b]) > 20, "the reset's arrow (red)");

    const layout = await measure(dir, svg);
    assert.equal(layout.lifelines, 6);
    assert.equal(layout.arrows.length, 29);
    for (const arrow of layout.arrows) {
      assert.ok(arrow.length > 250, `arrow "${arrow.label}" is ${arrow.length}px long`);
      assert.ok(arrow.labelLeft >= 0 && arrow.labelRight <= layout.svgWidth, arrow.label);
    }
    const labels = layout.arrows.map((arrow) => arrow.label);
    for (const label of ["SYN  seq 0", "SYN-ACK  seq 0  ack 1", "RST ACK  seq 1  ack 9"]) {
      assert.ok(labels.includes(label), `${label} in ${labels.join(" | ")}`);
    }
    assert.ok(layout.notes > 20, `${layout.notes} notes drawn beside the lifelines`);
  });
});

Deno.test({
  name:
    "headless Chromium draws lesson 03's client run with --trace-svg: one dashed arrow per write",
  ignore: version === undefined,
}, async () => {
  await withFolder(async (dir) => {
    await using server = lesson03.startHelloServer({ port: 0 });
    const file = `${dir}/client.svg`;
    const run = await within(
      5_000,
      "lesson 03's client with --trace-svg",
      runCli(lesson03.cli, [
        "client",
        "--port",
        String(server.addr.port),
        "--trace-svg",
        file,
        "Ada",
      ]),
    );
    assert.equal(run.code, 0, run.stderr.join("\n"));
    const svg = await Deno.readTextFile(file);

    const shot = await screenshot(dir, file, 900);
    const inked = shot.count(([r, g, b]) => r < 200 || g < 200 || b < 200);
    assert.ok(inked > shot.width * shot.height * 0.01, `only ${inked} pixels drawn: blank?`);

    const layout = await measure(dir, svg);
    // Client: Ada, exit; server (in this process, traced too): Welcome!, Hello, Ada!
    assert.deepEqual(layout.arrows.map((arrow) => arrow.label), [
      "8 bytes",
      "3 bytes",
      "11 bytes",
      "4 bytes",
    ]);
    assert.equal(layout.lifelines, 2);
  });
});

// ── A small PNG reader: enough for Chromium's screenshots ────────────────────

/** A decoded PNG: its size, and a way to count pixels. */
interface Png {
  width: number;
  height: number;
  /** How many pixels `test` accepts (given as [r, g, b]). */
  count(test: (rgb: [number, number, number]) => boolean): number;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes). */
async function decodePng(bytes: Uint8Array): Promise<Png> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      assert.equal(data[8], 8, "8 bits per channel");
      assert.equal(data[12], 0, "not interlaced");
      channels = { 2: 3, 6: 4 }[data[9]] ?? 0;
      assert.ok(channels > 0, `colour type ${data[9]}`);
    } else if (type === "IDAT") idat.push(data);
    at += 12 + length;
  }
  const zlib = new Blob(idat as BlobPart[]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  const raw = new Uint8Array(await new Response(zlib).arrayBuffer());
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels] : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      pixels[y * stride + x] = (line[x] + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    count(test) {
      let n = 0;
      for (let i = 0; i < pixels.length; i += channels) {
        if (test([pixels[i], pixels[i + 1], pixels[i + 2]])) n++;
      }
      return n;
    },
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
