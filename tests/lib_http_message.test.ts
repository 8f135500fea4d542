import assert from "node:assert/strict";
import {
  encodeHead,
  fieldValue,
  fieldValues,
  headLines,
  HttpVersionError,
  parseFields,
  parseRequestHead,
  parseRequestLine,
  parseResponseHead,
  parseStatusLine,
} from "../lib/http_message.ts";
import { ProtocolError } from "../lib/errors.ts";
import { utf8 } from "./_util.ts";

Deno.test("request lines: METHOD SP target SP HTTP/x.y, nothing else", () => {
  const good: [string, string, string, string][] = [
    ["GET / HTTP/1.1", "GET", "/", "1.1"],
    ["HEAD /favicon.ico HTTP/1.0", "HEAD", "/favicon.ico", "1.0"],
    ["GET http://127.0.0.1:12345/a?b=c HTTP/1.1", "GET", "http://127.0.0.1:12345/a?b=c", "1.1"],
    ["OPTIONS * HTTP/1.1", "OPTIONS", "*", "1.1"],
  ];
  for (const [line, method, target, version] of good) {
    assert.deepEqual(parseRequestLine(line), { method, target, version }, line);
  }
  const bad = [
    "",
    "hello",
    "GET /",
    "GET / HTTP/1.1 extra",
    "GET  / HTTP/1.1",
    "GET / http/1.1",
    "GET / HTTP/1",
    "G(T / HTTP/1.1",
    "GET /a b HTTP/1.1",
  ];
  for (const line of bad) {
    assert.throws(() => parseRequestLine(line), (err) => {
      assert.ok(err instanceof ProtocolError && !(err instanceof HttpVersionError), line);
      assert.match(err.message, /^not an HTTP request line: ".*"$/);
      return true;
    });
  }
});

Deno.test("parseRequestLine() refuses another major version (505), not a bad request", () => {
  for (const line of ["GET / HTTP/2.0", "GET / HTTP/0.9", "GET / HTTP/3.0", "GET / HTTP/9.1"]) {
    assert.throws(() => parseRequestLine(line), HttpVersionError, line);
  }
});

Deno.test("parseRequestLine() processes a later HTTP/1.x minor version as 1.1 (RFC 9110 §2.5)", () => {
  for (const minor of ["2", "5", "9"]) {
    assert.deepEqual(parseRequestLine(`GET / HTTP/1.${minor}`), {
      method: "GET",
      target: "/",
      version: "1.1",
    });
  }
  // One digit each side of the dot (RFC 9112 §2.3): HTTP/1.10 is no version at all.
  assert.throws(
    () => parseRequestLine("GET / HTTP/1.10"),
    (err) => err instanceof ProtocolError && !(err instanceof HttpVersionError),
  );
});

Deno.test("status lines: version, three digits, optional reason", () => {
  assert.deepEqual(parseStatusLine("HTTP/1.1 200 OK"), {
    version: "1.1",
    status: 200,
    reason: "OK",
  });
  assert.deepEqual(parseStatusLine("HTTP/1.0 404 Not Found"), {
    version: "1.0",
    status: 404,
    reason: "Not Found",
  });
  assert.deepEqual(parseStatusLine("HTTP/1.1 204"), { version: "1.1", status: 204, reason: "" });
  assert.deepEqual(parseStatusLine("HTTP/1.1 200 "), { version: "1.1", status: 200, reason: "" });
  for (const line of ["HTTP/1.1 2000 OK", "HTTP/1.1 OK", "HTTP 200 OK", "ICY 200 OK", "<html>"]) {
    assert.throws(() => parseStatusLine(line), /not an HTTP status line/, line);
  }
});

Deno.test("header fields: token name, colon, value without surrounding spaces or tabs", () => {
  assert.deepEqual(
    parseFields(["Host: a", "X-Empty:", "X-Spaces: \t v a l \t", "content-type:text/html"]),
    [
      { name: "Host", value: "a" },
      { name: "X-Empty", value: "" },
      { name: "X-Spaces", value: "v a l" },
      { name: "content-type", value: "text/html" },
    ],
  );
  for (
    const line of [
      "Host : a",
      " Host: a",
      "\tfolded continuation",
      "no colon",
      ": no name",
      "Bad Name: x",
    ]
  ) {
    assert.throws(() => parseFields([line]), /not a header field/, JSON.stringify(line));
  }
});

Deno.test("field lookups ignore case and join repeated fields with a comma", () => {
  const fields = parseFields(["Set-Cookie: a=1", "set-cookie: b=2", "Host: x"]);
  assert.deepEqual(fieldValues(fields, "SET-COOKIE"), ["a=1", "b=2"]);
  assert.equal(fieldValue(fields, "set-cookie"), "a=1, b=2");
  assert.equal(fieldValue(fields, "host"), "x");
  assert.equal(fieldValue(fields, "missing"), undefined);
});

Deno.test("a head whose lines end in a bare LF or CR is refused", () => {
  assert.throws(() => headLines(utf8.encode("GET / HTTP/1.1\nHost: a")), /bare CR or LF/);
  assert.throws(() => headLines(utf8.encode("GET / HTTP/1.1\r\nHost: a\rb")), /bare CR or LF/);
  assert.deepEqual(headLines(utf8.encode("GET / HTTP/1.1\r\nHost: a")), [
    "GET / HTTP/1.1",
    "Host: a",
  ]);
});

Deno.test("whole heads parse into start line, fields and the raw lines", () => {
  const request = parseRequestHead(utf8.encode("GET /x HTTP/1.1\r\nHost: a\r\nAccept: */*"));
  assert.equal(request.target, "/x");
  assert.deepEqual(request.lines, ["GET /x HTTP/1.1", "Host: a", "Accept: */*"]);
  const response = parseResponseHead(utf8.encode("HTTP/1.1 301 Moved\r\nLocation: /y"));
  assert.equal(response.status, 301);
  assert.equal(fieldValue(response.fields, "location"), "/y");
});

Deno.test("encodeHead ends every line in CRLF, adds the empty line, and refuses CR/LF injection", () => {
  assert.equal(
    utf8.decode(encodeHead("HTTP/1.1 200 OK", [["A", "1"], ["B", "2"]])),
    "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n",
  );
  assert.throws(
    () => encodeHead("HTTP/1.1 200 OK", [["Location", "/x\r\nSet-Cookie: evil"]]),
    RangeError,
  );
});
