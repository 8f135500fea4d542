import assert from "node:assert/strict";
import fc from "fast-check";
import * as lesson from "../lessons/06_factorial_udp.ts";
import { factorialByRunningProduct } from "../lessons/06_factorial_udp/factorial.ts";
import * as lateReplies from "../lessons/06_factorial_udp/late_replies.ts";
import type { RelayEvent } from "../lessons/06_factorial_udp/link_faults.ts";
import { startLossyUdpRelay } from "../lessons/06_factorial_udp/lossy_relay.ts";
import { formatError, TimeoutError, UsageError } from "../lib/errors.ts";
import { collect } from "../lib/log.ts";
import { bindUdp, udpRequest } from "../lib/udp.ts";
import { underTest } from "./_exercise.ts";
import { recordLog, runCli, utf8, within } from "./_util.ts";

// What these tests check: the lesson's functions, or an exercise's (tests
// tagged #06a and #06c, when `deno task verify` checks that exercise).
const parseRequest = await underTest(lesson, "parseRequest");
const askWithId = await underTest(lateReplies, "askWithId");

const TOO_LARGE = "ERR n too large: n! must fit one 65507-byte datagram (largest n is 17229)";

/** Sends one datagram to the server, as any program could, and returns the reply's bytes. */
async function exchange(port: number, request: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof request === "string" ? utf8.encode(request) : request;
  return await within(2_000, `the reply to ${bytes.length} bytes`, udpRequest(bytes, { port }));
}

/** Starts a server on a free port, runs `body`, closes the server. */
async function withServer(
  body: (port: number) => Promise<void>,
  options: { maxN?: number } = {},
): Promise<void> {
  await using server = lesson.startFactorialServer({ port: 0, ...options });
  await body(server.addr.port);
}

/** A bound socket that never answers: a "server" that is down or deaf. Counts what arrives. */
function deafSocket() {
  const socket = bindUdp({ port: 0 });
  return {
    port: (socket.addr as Deno.NetAddr).port,
    /** The next `count` datagrams that arrived (they wait in the kernel's queue). */
    async arrived(count: number): Promise<string[]> {
      const got: string[] = [];
      while (got.length < count) {
        got.push(utf8.decode((await within(2_000, "a datagram", socket.receive()))[0]));
      }
      return got;
    },
    close: () => socket.close(),
  };
}

Deno.test("the tutorial's exchange: the datagram 5 gets the datagram 120", async () => {
  await withServer(async (port) => {
    const reply = await exchange(port, "5");
    assert.deepEqual(
      reply,
      utf8.encode("120"),
      `the reply was ${JSON.stringify(utf8.decode(reply))}`,
    );
  });
});

Deno.test("digits with whitespace around them or leading zeros are accepted", async () => {
  const table: [label: string, request: string, reply: string][] = [
    ["zero", "0", "1"],
    ["one", "1", "1"],
    ["ten", "10", "3628800"],
    ["a newline after (echo and nc send one)", "7\n", "5040"],
    ["spaces and tabs around", " \t7 \r\n", "5040"],
    ["leading zeros", "007", "5040"],
    ["many leading zeros", "0".repeat(1000) + "20", "2432902008176640000"],
  ];
  await withServer(async (port) => {
    for (const [label, request, reply] of table) {
      assert.equal(utf8.decode(await exchange(port, request)), reply, label);
    }
  });
});

Deno.test("the largest n comes back whole in one datagram, equal to an independent computation", async () => {
  assert.equal(lesson.LARGEST_N, 17_229);
  await withServer(async (port) => {
    const reply = utf8.decode(await exchange(port, "17229"));
    assert.equal(
      reply.length,
      65_507,
      `a reply of ${reply.length} characters: ${reply.slice(0, 80)}`,
    );
    assert.equal(reply, factorialByRunningProduct(17_229).toString());
  });
});

Deno.test("n + 1 is refused, and the reply names the largest n", async () => {
  await withServer(async (port) => {
    assert.equal(utf8.decode(await exchange(port, "17230")), TOO_LARGE);
  });
});

Deno.test("every kind of bad request gets ERR and a reason, and the server goes on answering", async () => {
  const table: [label: string, request: Uint8Array | string, reply: string][] = [
    ["letters", "abc", 'ERR not an integer: "abc"'],
    ["empty", "", "ERR empty request: n must be decimal digits, e.g. 5"],
    ["whitespace only", " \n", "ERR empty request: n must be decimal digits, e.g. 5"],
    ["negative", "-5", "ERR n is negative: n! is defined for n >= 0"],
    ["plus sign", "+5", "ERR a sign is not allowed: n must be digits only"],
    ["minus zero", "-0", "ERR a sign is not allowed: n must be digits only"],
    ["decimal point", "3.5", 'ERR not an integer: "3.5" has a decimal point'],
    ["decimal point, no digits before", ".5", 'ERR not an integer: ".5" has a decimal point'],
    ["trailing decimal point", "5.", 'ERR not an integer: "5." has a decimal point'],
    ["exponent", "1e3", 'ERR not an integer: "1e3" has an exponent'],
    ["exponent and point", "1.5E3", 'ERR not an integer: "1.5E3" has an exponent'],
    ["hex", "0x10", 'ERR not decimal: "0x10" has a base prefix'],
    ["binary", "0b101", 'ERR not decimal: "0b101" has a base prefix'],
    ["Python's digit separator", "1_000", 'ERR not an integer: "1_000"'],
    ["two numbers", "5 6", 'ERR not an integer: "5 6"'],
    ["full-width digit", "５", 'ERR not an integer: "５"'],
    ["control character", "5\u0000", 'ERR not an integer: "5\\u0000"'],
    [
      "invalid UTF-8",
      new Uint8Array([0xff, 0xfe, 0x35]),
      "ERR not UTF-8 text: n must be ASCII decimal digits",
    ],
    ["too large", "17230", TOO_LARGE],
    ["too large, with leading zeros", "00017230", TOO_LARGE],
    ["far too large for a number", "9".repeat(400), TOO_LARGE],
    ["a whole datagram of digits", "9".repeat(65_507), TOO_LARGE],
    [
      "a datagram of digits and one letter",
      `${"9".repeat(65_506)}x`,
      'ERR not an integer: "9999999999999999…"',
    ],
    [
      "a datagram of a sign, digits and one letter",
      `-${"0".repeat(65_505)}x`,
      'ERR not an integer: "-000000000000000…"',
    ],
    [
      "a datagram of digits, a point and digits",
      `${"1".repeat(32_753)}.${"1".repeat(32_753)}`,
      'ERR not an integer: "1111111111111111…" has a decimal point',
    ],
    ["signed decimal", "-3.5", 'ERR not an integer: "-3.5" has a decimal point'],
    ["a lone point", ".", 'ERR not an integer: "."'],
    ["an exponent with nothing after it", "1e", 'ERR not an integer: "1e"'],
    [
      "a whole datagram of letters, quoted short",
      "x".repeat(65_507),
      `ERR not an integer: "${"x".repeat(16)}…"`,
    ],
  ];
  await withServer(async (port) => {
    for (const [label, request, reply] of table) {
      assert.equal(utf8.decode(await exchange(port, request)), reply, label);
    }
    assert.equal(utf8.decode(await exchange(port, "5")), "120", "still serving");
  });
});

Deno.test("any bytes at all get either the digits of n! or ERR, never an exception", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const reply = lesson.replyTo(bytes);
      assert.ok(/^[0-9]+$/.test(reply) || reply.startsWith("ERR "), reply);
    }),
    { seed: 6, numRuns: 500 },
  );
});

Deno.test("parseRequest(): exactly the ASCII digit strings, with whitespace around, are accepted #06a", () => {
  const chars = fc.constantFrom(..."0123456789 \t\n+-.eExX_a٣５".split(""));
  fc.assert(
    fc.property(fc.string({ unit: chars, maxLength: 8 }), (text) => {
      const request = parseRequest(text);
      const digits = /^\s*([0-9]+)\s*$/.exec(text)?.[1];
      if (digits === undefined || Number(digits) > lesson.LARGEST_N) {
        assert.equal(request.ok, false, text);
      } else {
        assert.deepEqual(request, { ok: true, n: Number(digits) }, text);
      }
    }),
    { seed: 6, numRuns: 1000 },
  );
});

// ── Exercise 06a: what a request may be ─────────────────────────────────────

/** What parseRequest() made of `input`, in words for a failed check. */
function said(input: Uint8Array | string, request: unknown): string {
  const shown = typeof input === "string" ? JSON.stringify(input) : `bytes [${input.join(", ")}]`;
  return `parseRequest(${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}) gave ${
    JSON.stringify(request)
  }`;
}

Deno.test("parseRequest() accepts ASCII digits, with whitespace around them and leading zeros #06a", () => {
  const table: [request: string, n: number][] = [
    ["5", 5],
    ["0", 0],
    ["7\n", 7], // echo and nc send a newline
    [" \t7 \r\n", 7],
    ["007", 7],
    ["0".repeat(1000) + "20", 20],
    ["17229", 17_229],
  ];
  for (const [text, n] of table) {
    const request = parseRequest(utf8.encode(text));
    assert.deepEqual(request, { ok: true, n }, said(text, request));
  }
  assert.deepEqual(parseRequest("12"), { ok: true, n: 12 }, "a string is read like bytes");
});

Deno.test("parseRequest() refuses -5, 1e3, 0x10, 3.5, +5, 1_000, full-width digits and empty requests, with a reason #06a", () => {
  const refused = [
    "-5",
    "1e3",
    "0x10",
    "3.5",
    "+5",
    "-0",
    "1_000",
    "５",
    "5 6",
    "",
    " \n",
    "5\u0000",
  ];
  for (const text of refused) {
    const request = parseRequest(utf8.encode(text));
    assert.equal(request.ok, false, `${said(text, request)}: it should be refused`);
    assert.ok(
      !request.ok && typeof request.reason === "string" && request.reason.trim() !== "",
      `${said(text, request)}: a refusal needs a reason to send back`,
    );
  }
});

Deno.test("parseRequest() refuses bytes that are not UTF-8 #06a", () => {
  for (const bytes of [[0xff, 0xfe, 0x35], [0x35, 0xff], [0xc3]]) {
    const request = parseRequest(new Uint8Array(bytes));
    assert.equal(
      request.ok,
      false,
      `${said(new Uint8Array(bytes), request)}: it should be refused`,
    );
  }
});

Deno.test("parseRequest() refuses 17230 and up: n! must fit one datagram, or stay under maxN #06a", () => {
  const tooLarge = ["17230", "00017230", "99999", "9".repeat(400), "9".repeat(65_507)];
  for (const text of tooLarge) {
    const request = parseRequest(utf8.encode(text));
    assert.equal(request.ok, false, `${said(text, request)}: over 17229, it should be refused`);
  }
  assert.deepEqual(parseRequest("10", 10), { ok: true, n: 10 }, "maxN itself is allowed");
  const eleven = parseRequest("11", 10);
  assert.equal(eleven.ok, false, `${said("11", eleven)} with maxN 10: it should be refused`);
});

Deno.test("parseRequest() reads a whole datagram of digits and one letter in milliseconds, not seconds #06a", () => {
  // A pattern like /^[0-9]+\.?[0-9]*$/ can split 65,506 digits in 65,506
  // ways, and tries them all before it says no: seconds per datagram.
  for (const text of [`${"9".repeat(65_506)}x`, `${"1".repeat(32_753)}.${"1".repeat(32_753)}x`]) {
    const started = performance.now();
    const request = parseRequest(utf8.encode(text));
    const ms = performance.now() - started;
    assert.equal(request.ok, false, "digits and a letter are no number");
    assert.ok(
      ms < 500,
      `parseRequest() took ${ms.toFixed(0)} ms on a 65,507-byte datagram: does a regular ` +
        "expression backtrack? Test the digits with one pattern that matches in one way only",
    );
  }
});

// ── Exercise 06c: a request id ──────────────────────────────────────────────

/**
 * A server that speaks the id protocol by hand: for each request `#<id> <n>`
 * it first sends `stale` (a late reply to some other request, from the
 * server's own address), then `#<id> <n!>`. Records what arrived.
 */
function idServer(stale: string[] = []) {
  const socket = bindUdp({ port: 0 });
  const requests: string[] = [];
  const serving = (async () => {
    for await (const [data, from] of socket) {
      const text = utf8.decode(data);
      requests.push(text);
      for (const late of stale) await socket.send(utf8.encode(late), from);
      const match = /^#(\d+) (\d+)$/.exec(text);
      const reply = match ? `#${match[1]} ${lesson.replyTo(utf8.encode(match[2]))}` : "ERR no id";
      await socket.send(utf8.encode(reply), from);
    }
  })();
  return {
    port: (socket.addr as Deno.NetAddr).port,
    requests,
    async [Symbol.asyncDispose]() {
      socket.close();
      await serving.catch(() => {});
    },
  };
}

Deno.test("askWithId() sends #<id> <n> and resolves to the digits of the reply that echoes its id #06c", async () => {
  await using server = idServer();
  const digits = await within(
    2_000,
    "askWithId(7, 5) to resolve",
    askWithId(7, 5, { port: server.port, timeoutMs: 500, tries: 2 }),
  );
  assert.deepEqual(server.requests, ["#7 5"], "the request is #<id>, a space, and n");
  assert.equal(digits, "120", "the result is the digits after the id, without it");
});

Deno.test("askWithId() ignores a late reply with another id, even from the server's own address #06c", async () => {
  await using server = idServer(["#1 120"]);
  const digits = await within(
    2_000,
    "askWithId(2, 6) to resolve",
    askWithId(2, 6, { port: server.port, timeoutMs: 500, tries: 2 }),
  );
  assert.equal(digits, "720", "the late #1 120 was taken for the answer to #2");
});

Deno.test("askWithId(): a reply to request 21 is not the reply to request 2 #06c", async () => {
  await using server = idServer(["#21 5040", "#2"]);
  const digits = await within(
    2_000,
    "askWithId(2, 6) to resolve",
    askWithId(2, 6, { port: server.port, timeoutMs: 500, tries: 2 }),
  );
  assert.equal(digits, "720", "#21 begins with #2: compare the id and the space after it");
});

Deno.test("askWithId() gives up with a TimeoutError when only other ids come back #06c", async () => {
  // A server that only ever sends a stale reply: nothing for this request.
  const server = bindUdp({ port: 0 });
  const serving = (async () => {
    for await (const [, from] of server) await server.send(utf8.encode("#1 120"), from);
  })();
  try {
    const asking = askWithId(2, 6, {
      port: (server.addr as Deno.NetAddr).port,
      timeoutMs: 50,
      tries: 2,
    });
    const what = "askWithId() to give up (does it take the stale #1 reply, or wait for ever?)";
    const outcome = await within(2_000, what, asking.then((d) => d, (err: unknown) => err));
    assert.ok(
      outcome instanceof TimeoutError,
      `askWithId() should fail with a TimeoutError, got ${outcome}`,
    );
  } finally {
    server.close();
    await serving.catch(() => {});
  }
});

Deno.test("startFactorialServer() logs each request with its sender and its answer", async () => {
  const { log, waitFor } = recordLog();
  await using server = lesson.startFactorialServer({ port: 0, log });
  await exchange(server.addr.port, "5");
  await exchange(server.addr.port, "nope");
  await exchange(server.addr.port, "17229");
  await waitFor(/^127\.0\.0\.1:\d+ sent "5" → 120$/);
  await waitFor(/^127\.0\.0\.1:\d+ sent "nope" → ERR not an integer: "nope"$/);
  await waitFor(/^127\.0\.0\.1:\d+ sent "17229" → 65507 digits in \d+\.\d ms$/);
});

Deno.test("startFactorialServer() binds 127.0.0.1: a 5-byte request draws 65,507 bytes, a 13,101× amplifier", async () => {
  await withServer(async (port) => {
    const request = utf8.encode("17229");
    const reply = await exchange(port, request);
    assert.equal(request.length, 5);
    assert.equal(reply.length, 65_507);
    assert.equal(Math.floor(reply.length / request.length), 13_101);
  });
  await using server = lesson.startFactorialServer({ port: 0 });
  assert.equal(server.addr.hostname, "127.0.0.1");
});

Deno.test("a server with --max-n refuses above it, in its own words", async () => {
  await withServer(async (port) => {
    assert.equal(utf8.decode(await exchange(port, "10")), "3628800");
    assert.equal(
      utf8.decode(await exchange(port, "11")),
      "ERR n too large: this server computes n! up to n = 10",
    );
  }, { maxN: 10 });
  assert.throws(() => lesson.startFactorialServer({ port: 0, maxN: 17_230 }), RangeError);
});

Deno.test("answerOnceLikeTheTutorial() answers one datagram; askLikeTheTutorial() cuts the reply at 1,024 bytes", async () => {
  for (
    const [n, expected] of [[5, "120"], [500, factorialByRunningProduct(500).toString()]] as const
  ) {
    const socket = lesson.bindLikeTheTutorial(0);
    try {
      const answering = lesson.answerOnceLikeTheTutorial(socket);
      const port = (socket.addr as Deno.NetAddr).port;
      const reply = await within(
        2_000,
        `the tutorial's answer to ${n}`,
        lesson.askLikeTheTutorial(n, port),
      );
      await within(2_000, "server6.py to finish", answering);
      // recv(1024): 500! has 1,135 digits; the client sees the first 1,024, and no error.
      assert.equal(reply, expected.slice(0, 1024));
    } finally {
      socket.close();
    }
  }
});

Deno.test("answerOnceLikeTheTutorial() trusts the bytes: abc ends it, as int('abc') ends server6.py", async () => {
  const socket = lesson.bindLikeTheTutorial(0);
  const client = bindUdp({ port: 0 });
  try {
    const answering = lesson.answerOnceLikeTheTutorial(socket);
    await client.send(utf8.encode("abc"), socket.addr);
    await assert.rejects(() => within(2_000, "server6.py to fail", answering), RangeError);
  } finally {
    client.close();
    socket.close();
  }
});

Deno.test("runFactorialClient() returns the digits of n!", async () => {
  await withServer(async (port) => {
    const ask = (n: number) => within(2_000, `${n}!`, lesson.runFactorialClient({ port, n }));
    assert.equal(await ask(5), "120");
    assert.equal(await ask(0), "1");
    assert.equal(await ask(1000), factorialByRunningProduct(1000).toString());
  });
});

Deno.test("runFactorialClient() refuses an n the server would refuse, before sending anything", async () => {
  for (const n of [-1, 2.5, 17_230]) {
    await assert.rejects(() => lesson.runFactorialClient({ port: 9, n }), UsageError, String(n));
  }
});

Deno.test("runFactorialClient() turns an ERR reply into one error line", async () => {
  await withServer(async (port) => {
    await assert.rejects(
      () => within(2_000, "the refusal", lesson.runFactorialClient({ port, n: 11 })),
      (err) => {
        assert.ok(err instanceof lesson.FactorialRefusedError);
        assert.equal(
          formatError(err),
          "error: the server refused 11: n too large: this server computes n! up to n = 10 " +
            "(ask for a smaller n)",
        );
        return true;
      },
    );
  }, { maxN: 10 });
});

Deno.test("runFactorialClient() with no server sends each try, then fails with one line", async () => {
  const deaf = deafSocket();
  try {
    await assert.rejects(
      () =>
        within(
          2_000,
          "the client to give up",
          lesson.runFactorialClient({ port: deaf.port, n: 7, timeoutMs: 20, tries: 3 }),
        ),
      (err) => {
        assert.ok(err instanceof TimeoutError);
        assert.equal(
          formatError(err),
          `error: no reply from 127.0.0.1:${deaf.port} after 3 tries of 20 ms ` +
            "(is the server running? start it with: deno task 06 server)",
        );
        return true;
      },
    );
    assert.deepEqual(await deaf.arrived(3), ["7", "7", "7"]);
  } finally {
    deaf.close();
  }
});

Deno.test("runFactorialClient(): the tries of one request share a socket; its late copy of 5! is not read as 6!", async () => {
  // A server that sits on the first try of the first request, answers only
  // when the client has timed out and tried again, and then answers both
  // tries: the second copy of 120 is a late reply. A client that kept one
  // socket would read it as the answer to its next question (6!). A fresh
  // socket makes that rare, not impossible: its port may be the one just
  // released (lateReplyOnAReusedPort, below, forces that case).
  const server = bindUdp({ port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  const senders: number[] = [];
  const serving = (async () => {
    const [first, from] = await server.receive(); // try 1 of "5": no answer yet
    const [second, again] = await server.receive(); // try 2 of "5"
    senders.push((from as Deno.NetAddr).port, (again as Deno.NetAddr).port);
    await server.send(utf8.encode(lesson.replyTo(first)), from);
    await server.send(utf8.encode(lesson.replyTo(second)), again);
    const [third, next] = await server.receive(); // "6", from the client's next socket
    senders.push((next as Deno.NetAddr).port);
    await server.send(utf8.encode(lesson.replyTo(third)), next);
  })();
  try {
    const five = lesson.runFactorialClient({ port, n: 5, timeoutMs: 30, tries: 3 });
    assert.equal(await within(2_000, "5!", five), "120");
    const six = lesson.runFactorialClient({ port, n: 6, timeoutMs: 1000 });
    assert.equal(await within(2_000, "6!", six), "720");
    await within(2_000, "the scripted server to finish", serving);
    assert.equal(senders[0], senders[1], "the tries of one request share a socket");
  } finally {
    server.close();
    await serving.catch(() => {}); // only fails if an assertion above already did
  }
});

Deno.test("lateReplyOnAReusedPort(): on a reused port a late 5! is taken for 6!; with request ids it is not", async () => {
  const { lateReplyOnAReusedPort } = lateReplies;
  assert.equal(
    await within(2_000, "6! without ids", lateReplyOnAReusedPort({ ids: false })),
    "120",
  );
  assert.equal(await within(2_000, "6! with ids", lateReplyOnAReusedPort({ ids: true })), "720");
});

Deno.test("through a relay losing 30% of the datagrams, every request is answered correctly", async () => {
  await using server = lesson.startFactorialServer({ port: 0 });
  const replyCopies = new Map<number, number>();
  const relay = startLossyUdpRelay({
    target: server.addr,
    loss: 0.3,
    duplicate: 0.2,
    delay: 0.2,
    delayMs: 20,
    reorder: 0.2,
    holdMs: 20,
    seed: 2024,
    onEvent: (event: RelayEvent) => {
      if (event.direction === "reply" && !event.fate.drop) {
        replyCopies.set(event.flow, (replyCopies.get(event.flow) ?? 0) + event.fate.copies);
      }
    },
  });
  try {
    const ns = [...Array(21).keys(), 100, 1000, 5000, 17_229];
    for (const n of ns) {
      const digits = await within(
        10_000,
        `${n}! through the relay`,
        lesson.runFactorialClient({ port: relay.addr.port, n, timeoutMs: 100, tries: 20 }),
      );
      assert.equal(digits, factorialByRunningProduct(n).toString(), `${n}!`);
    }
    assert.ok(relay.stats.dropped > 0, "some datagrams were lost");
    // Some requests got more than one reply (duplicates, or answers to tries
    // already given up on): the client used the first and ignored the rest.
    const extra = [...replyCopies.values()].filter((copies) => copies > 1).length;
    assert.ok(extra > 0, "some replies were duplicated");
  } finally {
    await relay.close();
  }
});

Deno.test("formatResult(): a long result shows its ends and its length, unless full", () => {
  const digits = factorialByRunningProduct(100).toString();
  assert.equal(
    lesson.formatResult(100, digits),
    "100! = 93326215443944152681...00000000000000000000 (158 digits; --full prints them all)",
  );
  assert.equal(lesson.formatResult(100, digits, true), `100! = ${digits}`);
  const sixty = "1".repeat(60);
  assert.equal(lesson.formatResult(47, sixty), `47! = ${sixty}`); // short enough to print whole
});

Deno.test("cli: a bad N or a bad flag is one error line, before any datagram is sent", async () => {
  const hint = "(give N as a whole number from 0 to 17229)";
  const cases: [args: string[], line: string][] = [
    [["client", "abc"], `error: not an integer: "abc" ${hint}`],
    [["client", "3.5"], `error: not an integer: "3.5" has a decimal point ${hint}`],
    [["client", "17230"], `error: ${TOO_LARGE.slice(4)} ${hint}`],
    [["client", "1", "2"], "error: client takes one N, got 2 (see --help)"],
    [["server", "extra"], 'error: server takes no arguments, got "extra" (see --help)'],
    [
      ["server", "--max-n", "17230"],
      "error: --max-n must be between 0 and 17229, got 17230 (see --help)",
    ],
  ];
  for (const [args, line] of cases) {
    // Port 9: nothing would answer, and nothing is sent.
    const { code, stdout, stderr } = await runCli(lesson.cli, [...args, "--port", "9"]);
    assert.deepEqual(
      { code, stdout, stderr },
      { code: 1, stdout: [], stderr: [line] },
      args.join(" "),
    );
  }
});

Deno.test("cli: client N prints n! = ...; with no server, one error line and exit 1", async () => {
  await withServer(async (port) => {
    const ok = await within(
      2_000,
      "deno task 06 client 5",
      runCli(lesson.cli, ["client", "--port", String(port), "5"]),
    );
    assert.deepEqual(ok, { code: 0, stdout: ["5! = 120"], stderr: [] });
  });
  const deaf = deafSocket();
  try {
    const args = ["client", "--port", String(deaf.port), "--timeout-ms", "20", "--tries", "1", "7"];
    const failed = await within(2_000, "the client to give up", runCli(lesson.cli, args));
    assert.deepEqual(failed.stderr, [
      `error: no reply from 127.0.0.1:${deaf.port} after 1 try of 20 ms ` +
      "(is the server running? start it with: deno task 06 server)",
    ]);
    assert.equal(failed.code, 1);
  } finally {
    deaf.close();
  }
});

Deno.test("the demo shows the tutorial's code, the exchange, the errors, the lossy link and a late reply", async () => {
  const { log, lines } = collect();
  await within(20_000, "the demo to finish", lesson.cli.demo(log));
  assert.ok(lines.includes("client │ 计算结果: 120"));
  assert.ok(lines.includes("client │ 计算结果: 1024 digits, cut by recv(1024): 1135 digits sent"));
  assert.ok(lines.includes("client │ ← 5! = 120"));
  assert.ok(lines.some((line) => line.endsWith(`sent "17230" → ${TOO_LARGE}`)));
  assert.ok(lines.includes("   A 5-byte request drew 65507 bytes: 13101× as many."));
  assert.ok(lines.some((line) => line.startsWith("relay  │ ") && line.endsWith(": dropped")));
  assert.ok(lines.some((line) => line.startsWith("10 of 10 answers correct.")));
  assert.ok(lines.includes("   without request ids, the client takes 120 for 6!"));
  assert.ok(lines.includes("   with an id echoed in every reply (askWithId), it takes 720 for 6!"));
});
