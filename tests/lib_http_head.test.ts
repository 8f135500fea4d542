import assert from "node:assert/strict";
import fc from "fast-check";
import * as httpHead from "../lib/http_head.ts";
import {
  checkRequestStart,
  checkResponseStart,
  type CutHead,
  printable,
} from "../lib/http_head.ts";
import { LimitError, ProtocolError, UnexpectedEofError } from "../lib/errors.ts";
import { concatBytes, type Reader } from "../lib/io.ts";
import { underTest } from "./_exercise.ts";
import { utf8, within } from "./_util.ts";

// What these tests check: lib's readHead(), or exercise 01b's (tests tagged
// #01b, when `deno task verify` checks that exercise).
const readHead = await underTest(httpHead, "readHead");

/** Said when readHead() does not return: it waits for a read that can never come. */
const HEAD_OR_LIMIT =
  "readHead() to return (does it stop at the empty line, and at maxBytes, or read on?)";

/** The head that readHead() found, failing in words when it returned null. */
function found(cut: CutHead | null): CutHead {
  assert.ok(cut !== null, "readHead() returned null, though a head arrived");
  return cut;
}

/**
 * A reader that hands out the given pieces, one per read (a piece larger than
 * the caller's buffer over several reads), then end of stream, or, with
 * `hang`, a read that never returns, like a peer that goes quiet.
 */
function piecesReader(
  pieces: Uint8Array[],
  options: { hang?: boolean } = {},
): Reader & { served: number } {
  const queue = pieces.map((p) => p.slice());
  const reader = {
    served: 0,
    read(p: Uint8Array): Promise<number | null> {
      while (queue.length > 0 && queue[0].length === 0) queue.shift();
      const next = queue[0];
      if (next === undefined) {
        return options.hang ? new Promise<never>(() => {}) : Promise.resolve(null);
      }
      const n = Math.min(p.length, next.length);
      p.set(next.subarray(0, n));
      queue[0] = next.subarray(n);
      reader.served += n;
      return Promise.resolve(n);
    },
  };
  return reader;
}

const head = "GET / HTTP/1.1\r\nHost: 127.0.0.1:12345\r\nAccept: */*";
const message = utf8.encode(`${head}\r\n\r\nbody bytes`);
const cutAt = (bytes: Uint8Array, ...offsets: number[]) => {
  const points = [0, ...offsets, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
};
const end = head.length; // where \r\n\r\n starts

const splits: { label: string; pieces: Uint8Array[] }[] = [
  { label: "everything in one read", pieces: [message] },
  { label: "one byte per read", pieces: cutAt(message, ...Array.from(message.keys()).slice(1)) },
  { label: "inside the request line", pieces: cutAt(message, 5) },
  { label: "between the two CRLFs of the empty line", pieces: cutAt(message, end + 2) },
  { label: "inside the first CRLF of the empty line", pieces: cutAt(message, end + 1) },
  { label: "inside the second CRLF of the empty line", pieces: cutAt(message, end + 3) },
  { label: "just after the empty line", pieces: cutAt(message, end + 4) },
  { label: "into three reads around the end", pieces: cutAt(message, end + 1, end + 3) },
];

for (const { label, pieces } of splits) {
  Deno.test(`readHead() cuts a head at the empty line and keeps the rest, when split ${label} #01b`, async () => {
    const reader = piecesReader(pieces, { hang: true });
    const cut = found(
      await within(2_000, HEAD_OR_LIMIT, readHead(reader, { maxBytes: 1024, what: "request" })),
    );
    assert.equal(utf8.decode(cut.head), head, "the head, without the empty line");
    // The rest is exactly what arrived after the head in the reads so far.
    assert.equal(
      utf8.decode(cut.rest),
      utf8.decode(message.subarray(end + 4, reader.served)),
      "the bytes read after the empty line (the start of the body)",
    );
  });
}

Deno.test("readHead() finds any head, cut into any reads (property) #01b", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.stringMatching(/^[A-Za-z0-9-]{1,20}: [ -~]{0,40}$/), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (fields, cuts) => {
        const text = ["GET / HTTP/1.1", ...fields].join("\r\n");
        const bytes = utf8.encode(`${text}\r\n\r\n`);
        const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const reader = piecesReader(cutAt(bytes, ...offsets), { hang: true });
        const cut = found(
          await within(2_000, HEAD_OR_LIMIT, readHead(reader, { maxBytes: 4096, what: "request" })),
        );
        assert.equal(utf8.decode(cut.head), text);
        assert.equal(cut.rest.length, 0);
      },
    ),
  );
});

Deno.test("readHead() accepts a head of exactly the limit; one byte more is a LimitError #01b", async () => {
  const exact = utf8.encode(`GET / HTTP/1.1\r\nX: ${"a".repeat(100)}\r\n\r\n`);
  const reader = piecesReader([exact], { hang: true });
  const cut = found(
    await within(
      2_000,
      HEAD_OR_LIMIT,
      readHead(reader, { maxBytes: exact.length, what: "request" }),
    ),
  );
  assert.equal(cut.head.length, exact.length - 4);
  await assert.rejects(
    within(
      2_000,
      HEAD_OR_LIMIT,
      readHead(piecesReader([exact], { hang: true }), {
        maxBytes: exact.length - 1,
        what: "request",
      }),
    ),
    LimitError,
  );
});

Deno.test("readHead()'s LimitError names the head and the limit", async () => {
  await assert.rejects(
    httpHead.readHead(piecesReader([utf8.encode("GET / HTTP/1.1\r\n")], { hang: true }), {
      maxBytes: 10,
      what: "request",
    }),
    (err) => {
      assert.ok(err instanceof LimitError);
      assert.equal(err.message, "the request head is longer than 10 bytes");
      return true;
    },
  );
});

Deno.test("readHead(): a peer that never ends its head costs at most the limit, reading stops there #01b", async () => {
  const endless = new Uint8Array(1024 * 1024).fill(0x61);
  const reader = piecesReader([endless], { hang: true });
  await assert.rejects(
    within(2_000, HEAD_OR_LIMIT, readHead(reader, { maxBytes: 16 * 1024, what: "request" })),
    LimitError,
  );
  assert.equal(reader.served, 16 * 1024, "bytes read: exactly maxBytes, not one more");
});

Deno.test("readHead(): end of stream before any byte is null (a connection opened and closed unused) #01b", async () => {
  const what =
    "readHead() to return null at end of stream (does it stop when read() returns null?)";
  assert.equal(
    await within(2_000, what, readHead(piecesReader([]), { maxBytes: 1024, what: "request" })),
    null,
  );
});

Deno.test("readHead(): end of stream inside the head is an UnexpectedEofError #01b", async () => {
  const what = "readHead() to fail at end of stream (does it stop when read() returns null?)";
  const reader = piecesReader([utf8.encode("HTTP/1.1 200 OK\r\n")]);
  await assert.rejects(
    within(2_000, what, readHead(reader, { maxBytes: 1024, what: "response" })),
    UnexpectedEofError,
  );
});

Deno.test("readHead()'s UnexpectedEofError says how far it got", async () => {
  await assert.rejects(
    httpHead.readHead(piecesReader([utf8.encode("HTTP/1.1 200 OK\r\n")]), {
      maxBytes: 1024,
      what: "response",
    }),
    (err) => {
      assert.ok(err instanceof UnexpectedEofError);
      assert.match(err.message, /after 17 bytes of the response head, before the empty line/);
      return true;
    },
  );
});

Deno.test("readHead() with check rejects a peer speaking another protocol at once, without waiting for the head to end", async () => {
  const reader = piecesReader([utf8.encode("SSH-2.0-OpenSSH_9.6\r\n")], { hang: true });
  await assert.rejects(
    within(
      2_000,
      "readHead() to reject the SSH banner (does it call options.check after each read?)",
      httpHead.readHead(reader, { maxBytes: 1024, what: "response", check: checkResponseStart }),
    ),
    (err) => {
      assert.ok(err instanceof ProtocolError);
      assert.match(err.message, /not HTTP: it starts with "SSH-2\.0-OpenSSH_9\.6\\r\\n"/);
      return true;
    },
  );
});

Deno.test("readHead(): a response may start in pieces: H, TT, P/1.1 ... passes the check", async () => {
  const bytes = utf8.encode("HTTP/1.1 200 OK\r\n\r\n");
  const cut = await httpHead.readHead(piecesReader(cutAt(bytes, 1, 3, 6)), {
    maxBytes: 1024,
    what: "response",
    check: checkResponseStart,
  });
  assert.equal(utf8.decode(cut!.head), "HTTP/1.1 200 OK");
});

Deno.test("checkRequestStart: a method then a space is fine; a TLS hello or binary is not HTTP", () => {
  for (const ok of ["G", "GET", "GET ", "GET /x", "M-SEARCH * HTTP/1.1"]) {
    checkRequestStart(utf8.encode(ok));
  }
  assert.throws(() => checkRequestStart(new Uint8Array([0x16, 0x03, 0x01, 0x02])), (err) => {
    assert.ok(err instanceof ProtocolError);
    assert.match(err.message, /not HTTP: it starts with "\\x16\\x03\\x01\\x02"/);
    assert.match(err.hint!, /TLS handshake: use http:\/\//);
    return true;
  });
  assert.throws(() => checkRequestStart(utf8.encode(" GET")), ProtocolError);
  assert.throws(() => checkRequestStart(utf8.encode("x".repeat(40))), ProtocolError);
});

Deno.test("printable shows control bytes, quotes and backslashes escaped", () => {
  assert.equal(
    printable(concatBytes([utf8.encode('a"\\'), new Uint8Array([13, 10, 0, 255])])),
    '"a\\x22\\x5c\\r\\n\\x00\\xff"',
  );
});
