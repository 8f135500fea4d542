/**
 * `--trace-svg`: the sequence diagram's structure, from a recorded capture
 * (tests/fixtures/tcpdump_03_hello.txt) and a few calls. That a browser
 * draws it: tests/browser/trace_svg.browser.ts.
 */

import assert from "node:assert/strict";
import { Conversations, type Entry, type TraceEvent } from "../lib/trace_events.ts";
import { escapeXml, renderSequenceSvg } from "../lib/trace_svg.ts";
import { helloDiagram } from "./fixtures/trace_hello_diagram.ts";

/** Every tag opened is closed, in order: the document is well-formed enough for a browser. */
function assertBalanced(svg: string): void {
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (closing) assert.equal(open.pop(), name, `</${name}> closes <${open.at(-1)}>`);
    else open.push(name);
  }
  assert.deepEqual(open, []);
}

const count = (svg: string, pattern: RegExp) => [...svg.matchAll(pattern)].length;

Deno.test("renderSequenceSvg() draws each conversation as a panel with two lifelines and an arrow per captured segment", () => {
  const { entries, conversations } = helloDiagram();
  const svg = renderSequenceSvg(entries, conversations, { title: "lesson 03", captured: true });
  assertBalanced(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
  assert.equal(count(svg, /<g class="conversation"/g), 3);
  assert.equal(count(svg, /class="lifeline"/g), 6);
  const segments = entries.filter((entry) => entry.type === "segment").length;
  assert.equal(segments, 29);
  assert.equal(count(svg, /<g class="arrow segment /g), segments);
  assert.equal(
    count(svg, /<g class="arrow write /g),
    0,
    "with a capture, writes are dots, not arrows",
  );
  for (
    const label of [
      "SYN  seq 0",
      "SYN-ACK  seq 0  ack 1",
      "PSH ACK  8 bytes  seq 1:9  ack 1",
      "FIN ACK  seq 22  ack 10",
      "RST ACK  seq 1  ack 9",
    ]
  ) {
    assert.match(svg, new RegExp(`>${label}</text>`), label);
  }
  assert.match(
    svg,
    />write 8 of 8 &quot;Welcome!&quot;</,
    "the server's write, beside its lifeline",
  );
  assert.match(svg, />read: EOF \(null\)</, "the half-closing client's FIN, read at the server");
});

Deno.test("renderSequenceSvg() without a capture draws the writes as dashed arrows and says so", () => {
  const { entries, conversations } = helloDiagram();
  const calls = entries.filter((entry): entry is TraceEvent => entry.type === "event");
  const svg = renderSequenceSvg(calls, conversations, { captured: false });
  assertBalanced(svg);
  const writes = calls.filter((event) => event.kind === "write").length;
  assert.equal(count(svg, /<g class="arrow write write">/g), writes);
  assert.match(svg, /stroke-dasharray="5 4"/);
  assert.match(svg, /run with --capture to see the real segments/);
});

Deno.test("renderSequenceSvg() escapes what the peer sent: bytes cannot become markup", () => {
  const conversations = new Conversations();
  const a = { transport: "tcp", hostname: "127.0.0.1", port: 5000 } as const;
  const b = { transport: "tcp", hostname: "127.0.0.1", port: 80 } as const;
  conversations.stream(a, b, "client", "client");
  const bytes = new TextEncoder().encode(`<script>alert("&")</script>`);
  const entries: Entry[] = [
    {
      type: "event",
      at: 1,
      conn: 1,
      side: "client",
      role: "client",
      kind: "write",
      n: bytes.length,
      offered: bytes.length,
      bytes,
    },
  ];
  const svg = renderSequenceSvg(entries, conversations.all, { title: "<b>", captured: false });
  assertBalanced(svg);
  assert.ok(!svg.includes("<script>"));
  assert.ok(!svg.includes("<b>"));
  assert.match(svg, /&lt;script&gt;alert\(\\&quot;&amp;\\&quot;\)/);
  assert.equal(escapeXml("a\u0000b"), "ab", "XML allows no NUL");
});

Deno.test("renderSequenceSvg() draws at most maxRows rows per conversation and counts the rest", () => {
  const { entries, conversations } = helloDiagram();
  const svg = renderSequenceSvg(entries, conversations, { captured: true, maxRows: 5 });
  assertBalanced(svg);
  assert.equal(count(svg, /class="time"/g), 15);
  assert.match(svg, />… \d+ more entries</);
});

Deno.test("renderSequenceSvg() with nothing traced says so", () => {
  const svg = renderSequenceSvg([], [], { captured: false });
  assertBalanced(svg);
  assert.match(svg, /No socket events were traced\./);
});

Deno.test("helloDiagram() fixture: the capture parses into the three conversations it is drawn from", () => {
  const { conversations } = helloDiagram();
  assert.deepEqual(conversations.map((c) => c.client), [
    "127.0.0.1:44956",
    "127.0.0.1:44966",
    "127.0.0.1:44982",
  ]);
});
