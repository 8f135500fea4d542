import assert from "node:assert/strict";
import fc from "fast-check";
import { loadLesson } from "./_lesson.ts";
import { recordLog, utf8 } from "./_util.ts";
import { formatError, TimeoutError, UsageError } from "../lib/errors.ts";
import { factorialByRunningProduct } from "../lib/factorial.ts";
import { collect } from "../lib/log.ts";
import { type RelayEvent, startLossyUdpRelay } from "../lib/lossy_udp.ts";
import { bindUdp, udpRequest } from "../lib/udp.ts";

const lesson = await loadLesson<typeof import("../lessons/06_factorial_udp.ts")>(
  "06_factorial_udp.ts",
);

const TOO_LARGE = "ERR n too large: n! must fit one 65507-byte datagram (largest n is 17229)";

/** Sends one datagram to the server, as any program could, and returns the reply's bytes. */
async function exchange(port: number, request: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof request === "string" ? utf8.encode(request) : request;
  return await udpRequest(bytes, { port });
}

/** Starts a server on a free port, runs `body`, closes the server. */
async function withServer(
  body: (port: number) => Promise<void>,
  options: { maxN?: number } = {},
): Promise<void> {
  const server = lesson.startFactorialServer({ port: 0, ...options });
  try {
    await body(server.addr.port);
  } finally {
    await server.close();
  }
}

/** A bound socket that never answers: a "server" that is down or deaf. Counts what arrives. */
function deafSocket() {
  const socket = bindUdp({ port: 0 });
  return {
    port: (socket.addr as Deno.NetAddr).port,
    /** The next `count` datagrams that arrived (they wait in the kernel's queue). */
    async arrived(count: number): Promise<string[]> {
      const got: string[] = [];
      while (got.length < count) got.push(utf8.decode((await socket.receive())[0]));
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

Deno.test("exactly the ASCII digit strings, with whitespace around, are accepted", () => {
  const chars = fc.constantFrom(..."0123456789 \t\n+-.eExX_a٣５".split(""));
  fc.assert(
    fc.property(fc.string({ unit: chars, maxLength: 8 }), (text) => {
      const request = lesson.parseRequest(text);
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

Deno.test("the server logs each request with its sender and its answer", async () => {
  const { log, waitFor } = recordLog();
  const server = lesson.startFactorialServer({ port: 0, log });
  try {
    await exchange(server.addr.port, "5");
    await exchange(server.addr.port, "nope");
    await exchange(server.addr.port, "17229");
    await waitFor(/^127\.0\.0\.1:\d+ sent "5" → 120$/);
    await waitFor(/^127\.0\.0\.1:\d+ sent "nope" → ERR not an integer: "nope"$/);
    await waitFor(/^127\.0\.0\.1:\d+ sent "17229" → 65507 digits in \d+\.\d ms$/);
  } finally {
    await server.close();
  }
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

Deno.test("the client returns the digits of n!", async () => {
  await withServer(async (port) => {
    assert.equal(await lesson.runFactorialClient({ port, n: 5 }), "120");
    assert.equal(await lesson.runFactorialClient({ port, n: 0 }), "1");
    assert.equal(
      await lesson.runFactorialClient({ port, n: 1000 }),
      factorialByRunningProduct(1000).toString(),
    );
  });
});

Deno.test("the client refuses an n the server would refuse, before sending anything", async () => {
  for (const n of [-1, 2.5, 17_230]) {
    await assert.rejects(() => lesson.runFactorialClient({ port: 9, n }), UsageError, String(n));
  }
});

Deno.test("an ERR reply becomes one error line", async () => {
  await withServer(async (port) => {
    await assert.rejects(
      () => lesson.runFactorialClient({ port, n: 11 }),
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

Deno.test("with no server, the client sends each try and then fails with one line", async () => {
  const deaf = deafSocket();
  try {
    await assert.rejects(
      () => lesson.runFactorialClient({ port: deaf.port, n: 7, timeoutMs: 20, tries: 3 }),
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

Deno.test("a late reply to an earlier request is never taken for the answer to the next", async () => {
  // A server that sits on the first try of the first request, answers only
  // when the client has timed out and tried again, and then answers both
  // tries: the second copy of 120 is a late reply. A client that kept one
  // socket would read it as the answer to its next question (6!).
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
    assert.equal(await lesson.runFactorialClient({ port, n: 5, timeoutMs: 30, tries: 3 }), "120");
    assert.equal(await lesson.runFactorialClient({ port, n: 6, timeoutMs: 1000 }), "720");
    await serving;
    assert.equal(senders[0], senders[1], "the tries of one request share a socket");
    assert.notEqual(senders[2], senders[0], "the next request comes from a new socket");
  } finally {
    server.close();
    await serving.catch(() => {}); // only fails if an assertion above already did
  }
});

Deno.test("through a relay losing 30% of the datagrams, every request is answered correctly", async () => {
  const server = lesson.startFactorialServer({ port: 0 });
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
      const digits = await lesson.runFactorialClient({
        port: relay.addr.port,
        n,
        timeoutMs: 100,
        tries: 20,
      });
      assert.equal(digits, factorialByRunningProduct(n).toString(), `${n}!`);
    }
    assert.ok(relay.stats.dropped > 0, "some datagrams were lost");
    // Some requests got more than one reply (duplicates, or answers to tries
    // already given up on): the client used the first and ignored the rest.
    const extra = [...replyCopies.values()].filter((copies) => copies > 1).length;
    assert.ok(extra > 0, "some replies were duplicated");
  } finally {
    await relay.close();
    await server.close();
  }
});

Deno.test("a long result shows its ends and its length, unless full", () => {
  const digits = factorialByRunningProduct(100).toString();
  assert.equal(
    lesson.formatResult(100, digits),
    "100! = 93326215443944152681...00000000000000000000 (158 digits; --full prints them all)",
  );
  assert.equal(lesson.formatResult(100, digits, true), `100! = ${digits}`);
  const sixty = "1".repeat(60);
  assert.equal(lesson.formatResult(47, sixty), `47! = ${sixty}`); // short enough to print whole
});

Deno.test("the command line refuses a bad N before any datagram is sent", async () => {
  const cases: [args: string[], message: string][] = [
    [["client", "abc"], 'not an integer: "abc"'],
    [["client", "3.5"], 'not an integer: "3.5" has a decimal point'],
    [["client", "17230"], TOO_LARGE.slice(4)],
    [["client", "1", "2"], "client takes one N, got 2"],
    [["server", "extra"], 'server takes no arguments, got "extra"'],
    [["server", "--max-n", "17230"], "--max-n must be between 0 and 17229, got 17230"],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(() => lesson.main(args), (err) => {
      assert.ok(err instanceof UsageError, args.join(" "));
      assert.equal(err.message, message);
      return true;
    });
  }
});

Deno.test("the demo shows the exchange, the errors and every answer through the lossy link", async () => {
  const { log, lines } = collect();
  await lesson.demo(log);
  assert.ok(lines.includes("client │ ← 5! = 120"));
  assert.ok(lines.some((line) => line.endsWith(`sent "17230" → ${TOO_LARGE}`)));
  assert.ok(lines.some((line) => line.startsWith("relay  │ ") && line.endsWith(": dropped")));
  assert.ok(lines.some((line) => line.startsWith("10 of 10 answers correct.")));
});
