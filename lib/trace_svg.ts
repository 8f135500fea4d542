/**
 * `--trace-svg FILE`: the trace as a sequence diagram, a standalone SVG file
 * any browser shows. Each conversation (`#n`) is a panel with two lifelines,
 * the client on the left and the server on the right; time runs down, one
 * row per entry. The program's calls (connect, write, read, EOF...) are dots
 * on the lifeline of the end that made them, with a note beside it. With
 * `--capture`, every TCP segment and UDP datagram is an arrow from sender to
 * receiver, labelled with its flags, length and relative seq/ack; without
 * it, the arrows are the program's writes and sends (a write is not a
 * segment: the kernel decides how bytes are cut).
 *
 * @module
 */

import {
  type Conversation,
  describeEvent,
  describeSegment,
  type Entry,
  previewText,
  type TraceEvent,
  type WireSegment,
} from "./trace_events.ts";

/** Options for {@linkcode renderSequenceSvg}. */
export interface SvgOptions {
  /** The heading: what ran. */
  title?: string;
  /** True when the entries include tcpdump's packets: then only packets are arrows. */
  captured: boolean;
  /** Rows drawn per conversation before the rest is summarised. Default 400. */
  maxRows?: number;
}

const WIDTH = 1030;
const TIME_X = 76;
const CLIENT_X = 380;
const SERVER_X = 720;
const ROW = 26;
const HEAD = 78;
const NOTE_CHARS = 38;

/** Colours by what a segment does: the handshake, data, the end, a reset. */
function segmentKind(segment: WireSegment): keyof typeof COLOURS {
  const { flags } = segment;
  if (flags === "UDP") return "udp";
  if (flags.includes("RST")) return "rst";
  if (flags.includes("SYN")) return "syn";
  if (flags.includes("FIN")) return "fin";
  return segment.length > 0 ? "data" : "ack";
}

const COLOURS = {
  syn: "#7b3fb0",
  fin: "#c76b00",
  rst: "#c0392b",
  data: "#111111",
  ack: "#8a8a8a",
  udp: "#0a7d8c",
  write: "#555555",
} as const;

/**
 * Draws `entries` (in time order) of `conversations` as one SVG document.
 *
 * @example One connection's handshake
 * ```ts
 * import { renderSequenceSvg } from "./trace_svg.ts";
 * import assert from "node:assert/strict";
 *
 * const svg = renderSequenceSvg(
 *   [
 *     { type: "segment", at: 0.1, conn: 1, proto: "tcp", from: "client", flags: "SYN", seq: 0, length: 0 },
 *     { type: "event", at: 0.3, conn: 1, side: "client", role: "client", kind: "connect", addr: "127.0.0.1:50000", peer: "127.0.0.1:9999" },
 *   ],
 *   [{ id: 1, proto: "tcp", client: "127.0.0.1:50000", server: "127.0.0.1:9999", clientLabel: "client", serverLabel: "server" }],
 *   { captured: true },
 * );
 * assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
 * assert.match(svg, />SYN  seq 0</);
 * ```
 */
export function renderSequenceSvg(
  entries: readonly Entry[],
  conversations: readonly Conversation[],
  options: SvgOptions,
): string {
  const maxRows = options.maxRows ?? 400;
  const byConversation = new Map<number, Entry[]>();
  for (const entry of entries) {
    const list = byConversation.get(entry.conn) ?? [];
    list.push(entry);
    byConversation.set(entry.conn, list);
  }
  const parts: string[] = [];
  let y = 20;
  parts.push(text(16, y, options.title ?? "Trace", "title"));
  y += 20;
  parts.push(text(16, y, legend(options.captured), "legend"));
  y += 16;
  for (const conversation of conversations) {
    const list = (byConversation.get(conversation.id) ?? []).toSorted((a, b) => a.at - b.at);
    if (list.length === 0) continue;
    const panel = drawPanel(conversation, list, y, options.captured, maxRows);
    parts.push(panel.svg);
    y += panel.height;
  }
  if (byConversation.size === 0) {
    parts.push(text(16, y + 20, "No socket events were traced.", "legend"));
    y += 40;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace" font-size="12">`,
    `<style>${STYLE}</style>`,
    `<defs>${markers()}</defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

function legend(captured: boolean): string {
  return captured
    ? "Arrows: the packets tcpdump saw (flags, payload bytes, relative seq/ack). Dots: the program's calls."
    : "Dashed arrows: the program's writes (run with --capture to see the real segments). Dots: its calls.";
}

function drawPanel(
  conversation: Conversation,
  entries: readonly Entry[],
  top: number,
  captured: boolean,
  maxRows: number,
): { svg: string; height: number } {
  const parts: string[] = [`<g class="conversation" data-conn="${conversation.id}">`];
  parts.push(
    `<line class="separator" x1="10" y1="${top + 6}" x2="${WIDTH - 10}" y2="${top + 6}"/>`,
    text(16, top + 24, `#${conversation.id} ${conversation.proto}`, "panel-title"),
    head(CLIENT_X, top + 34, conversation.clientLabel, conversation.client),
    head(SERVER_X, top + 34, conversation.serverLabel, conversation.server),
  );
  const shown = entries.slice(0, maxRows);
  const rowsBottom = top + HEAD + shown.length * ROW + (entries.length > maxRows ? ROW : 0);
  parts.push(
    `<line class="lifeline" x1="${CLIENT_X}" y1="${
      top + 66
    }" x2="${CLIENT_X}" y2="${rowsBottom}"/>`,
    `<line class="lifeline" x1="${SERVER_X}" y1="${
      top + 66
    }" x2="${SERVER_X}" y2="${rowsBottom}"/>`,
  );
  shown.forEach((entry, i) => {
    const y = top + HEAD + i * ROW;
    parts.push(text(TIME_X, y + 4, `${entry.at.toFixed(2)} ms`, "time", "end"));
    parts.push(drawEntry(entry, y, captured));
  });
  if (entries.length > maxRows) {
    const y = top + HEAD + shown.length * ROW;
    parts.push(text(CLIENT_X + 10, y + 4, `… ${entries.length - maxRows} more entries`, "legend"));
  }
  parts.push("</g>");
  return { svg: parts.join("\n"), height: rowsBottom - top + 16 };
}

function head(x: number, y: number, label: string, addr: string): string {
  return [
    `<rect class="head" x="${x - 110}" y="${y}" width="220" height="32" rx="4"/>`,
    text(x, y + 14, label, "head-label", "middle"),
    text(x, y + 27, addr, "head-addr", "middle"),
  ].join("");
}

function drawEntry(entry: Entry, y: number, captured: boolean): string {
  if (entry.type === "segment") {
    const kind = segmentKind(entry);
    return arrow(entry.from === "client", y, describeSegment(entry), kind, "segment");
  }
  const left = entry.role === "client";
  const x = left ? CLIENT_X : SERVER_X;
  const note = shorten(noteFor(entry), NOTE_CHARS);
  const parts = [
    `<g class="event ${entry.kind}">`,
    `<title>${escapeXml(`${entry.side} #${entry.conn}: ${describeEvent(entry)}`)}</title>`,
    `<circle cx="${x}" cy="${y}" r="4" class="dot ${entry.role}"/>`,
    text(left ? x - 10 : x + 10, y + 4, note, `note ${entry.role}`, left ? "end" : "start"),
    "</g>",
  ];
  // Without the packets, a write or send is drawn as what the program sent.
  if (!captured && (entry.kind === "write" || entry.kind === "send") && (entry.n ?? 0) > 0) {
    const label = entry.kind === "send" ? `datagram, ${entry.n} bytes` : `${entry.n} bytes`;
    parts.push(arrow(left, y, label, entry.kind === "send" ? "udp" : "write", entry.kind));
  }
  return parts.join("");
}

/** An event in a few words beside its lifeline (the addresses are in the heads; the hex in the tooltip). */
function noteFor(event: TraceEvent): string {
  const text = event.bytes === undefined ? undefined : previewText(event.bytes, event.n ?? 0);
  const bytes = text === undefined ? "" : ` ${text}`;
  switch (event.kind) {
    case "connect":
      return "connect (the handshake is done)";
    case "accept":
      return "accept";
    case "write":
      return `write ${event.n} of ${event.offered}${bytes}`;
    case "read":
      return `read ${event.n}${bytes}`;
    case "send":
      return `send ${event.n}${bytes}`;
    case "receive":
      return `receive ${event.n}${bytes}`;
    case "EOF":
      return "read: EOF (null)";
    case "closeWrite":
      return "closeWrite (FIN)";
    case "reset":
      return event.detail?.split(" (")[0] ?? "reset";
    default:
      return describeEvent(event);
  }
}

function arrow(
  fromClient: boolean,
  y: number,
  label: string,
  kind: keyof typeof COLOURS,
  what: string,
): string {
  const [x1, x2] = fromClient ? [CLIENT_X + 6, SERVER_X - 6] : [SERVER_X - 6, CLIENT_X + 6];
  return [
    `<g class="arrow ${what} ${kind}">`,
    `<title>${escapeXml(label)}</title>`,
    `<line x1="${x1}" y1="${y + 4}" x2="${x2}" y2="${y + 17}" stroke="${COLOURS[kind]}"` +
    `${kind === "write" ? ' stroke-dasharray="5 4"' : ""} marker-end="url(#head-${kind})"/>`,
    text((CLIENT_X + SERVER_X) / 2, y + 1, label, `label ${kind}`, "middle"),
    "</g>",
  ].join("");
}

function markers(): string {
  return Object.entries(COLOURS).map(([kind, colour]) =>
    `<marker id="head-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`
  ).join("");
}

const STYLE = [
  ".title{font-size:15px;font-weight:bold}",
  ".legend{fill:#555}",
  ".panel-title{font-weight:bold}",
  ".separator{stroke:#ddd}",
  ".head{fill:#f3f3f3;stroke:#999}",
  ".head-label{font-weight:bold}",
  ".head-addr{fill:#555;font-size:11px}",
  ".lifeline{stroke:#aaa;stroke-dasharray:2 3}",
  ".time{fill:#888;font-size:11px}",
  ".note.client,.dot.client{fill:#1f5fa8}",
  ".note.server,.dot.server{fill:#2d7a2d}",
  ".arrow line{stroke-width:1.5}",
  ".label{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}",
  ...Object.entries(COLOURS).map(([kind, colour]) => `.label.${kind}{fill:${colour}}`),
].join("");

function text(x: number, y: number, content: string, cls: string, anchor = "start"): string {
  const anchorAttr = anchor === "start" ? "" : ` text-anchor="${anchor}"`;
  return `<text x="${x}" y="${y}" class="${cls}"${anchorAttr}>${escapeXml(content)}</text>`;
}

function shorten(line: string, chars: number): string {
  const all = [...line];
  return all.length <= chars ? line : `${all.slice(0, chars - 1).join("")}…`;
}

/**
 * Text made safe inside an SVG (XML) element or attribute.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./trace_svg.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeXml(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
 * ```
 */
export function escapeXml(text: string): string {
  // XML 1.0 allows no control characters but tab and newline: drop them.
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};
