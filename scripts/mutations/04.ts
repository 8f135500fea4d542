/**
 * Bugs to plant in lesson 04 and the UDP code it teaches, `lib/udp.ts` and
 * `lib/udp_server.ts` (see `all.ts`).
 *
 * @module
 */

import type { Mutation } from "./all.ts";

const LESSON = "lessons/04_udp_hello.ts";
const TESTS = ["tests/04_udp_hello.test.ts", "tests/hostile/04_udp_hello.test.ts"];
const UDP = ["tests/lib_udp.test.ts", "tests/06_factorial_udp.test.ts"];
const LOOP = ["tests/lib_udp_server.test.ts", "tests/hostile/04_udp_hello.test.ts"];

/** Lesson 04's mutations, and lib/udp*'s. */
export const MUTATIONS_04: readonly Mutation[] = [
  {
    id: "04-reply-to-self",
    file: LESSON,
    find: `await socket.send(encoder.encode(helloReply(text)), addr);`,
    replace: `await socket.send(encoder.encode(helloReply(text)), socket.addr);`,
    why: "the tutorial's loop replies to its own address, not the sender's",
    tests: TESTS,
  },
  {
    id: "04-bind-everywhere",
    file: LESSON,
    find: `Deno.listenDatagram({ transport: "udp", hostname: host, port })`,
    replace: `Deno.listenDatagram({ transport: "udp", port })`,
    why: "the server binds Deno's default 0.0.0.0: every interface",
    tests: TESTS,
  },
  {
    id: "04-client-one-try",
    file: LESSON,
    find: `tries: options.tries ?? DEFAULT_TRIES,`,
    replace: `tries: 1,`,
    why: "the client never sends a name again",
    tests: TESTS,
  },
  {
    id: "04-client-fixed-timeout",
    file: LESSON,
    find: `timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,`,
    replace: `timeoutMs: DEFAULT_TIMEOUT_MS,`,
    why: "the client ignores --timeout-ms and waits 1 s a try",
    tests: TESTS,
  },
  {
    id: "04-quiet-answers",
    file: LESSON,
    find: `if (options.quiet) return log(`,
    replace: `if (options.quiet) log(`,
    why: "the receive-only server answers anyway",
    tests: TESTS,
  },
  {
    id: "04-size-off-by-one",
    file: LESSON,
    find: `if (reply.length > max) {`,
    replace: `if (reply.length >= max) {`,
    why: "a reply of exactly 65,507 bytes, which fits, is not sent",
    tests: TESTS,
  },
  {
    id: "04-size-unchecked",
    file: LESSON,
    find: `if (reply.length > max) {`,
    replace: `if (false) {`,
    why: "a reply too big for a datagram is sent anyway (EMSGSIZE)",
    tests: TESTS,
  },
  {
    id: "04-ipv4-limit-everywhere",
    file: LESSON,
    find: `const max = sender.hostname.includes(":") ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD;`,
    replace: `const max = MAX_UDP_PAYLOAD;`,
    why: "an IPv6 reply that fits (65,515 bytes) is refused",
    tests: TESTS,
  },
  {
    id: "04-udp-any-host",
    file: "lib/udp.ts",
    find: `return expected !== undefined && canonicalIp(from.hostname) === expected;`,
    replace: `return true;`,
    why: "udpRequest takes a reply from another host on the server's port",
    tests: UDP,
  },
  {
    id: "04-udp-one-try-short",
    file: "lib/udp.ts",
    find: `for (let attempt = 1; attempt <= tries; attempt++) {`,
    replace: `for (let attempt = 1; attempt < tries; attempt++) {`,
    why: "udpRequest sends one try fewer than asked",
    tests: UDP,
  },
  {
    id: "04-udp-accepts-ignored",
    file: "lib/udp.ts",
    find: `if (isReplyFrom(from, server) && (options.accepts?.(data) ?? true)) return data;`,
    replace: `if (isReplyFrom(from, server)) return data;`,
    why: "a reply with another request's id is taken for the answer",
    tests: UDP,
  },
  {
    id: "04-udp-reply-cut",
    file: "lib/udp.ts",
    find: `pending ??= socket.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));`,
    replace: `pending ??= socket.receive();`,
    why: "udpRequest cuts an IPv6 reply at 65,507 bytes",
    tests: UDP,
  },
  {
    id: "04-udp-ipv4-limit",
    file: "lib/udp.ts",
    find: `const max = ipv6 ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD;`,
    replace: `const max = MAX_UDP_PAYLOAD;`,
    why: "udpRequest refuses an IPv6 request that fits",
    tests: UDP,
  },
  {
    id: "04-loop-dies",
    file: "lib/udp_server.ts",
    find: `current = Promise.try(() => handler(data, sender)).catch((err) => {
        if (!(closing && isClosedError(err))) {
          log(\`Datagram from \${formatAddr(sender)} dropped: \${messageOf(err)}\`);
        }
      });`,
    replace: `current = Promise.try(() => handler(data, sender));`,
    why: "one datagram's failed handler ends the server loop",
    tests: LOOP,
  },
  {
    id: "04-loop-swallows",
    file: "lib/udp_server.ts",
    find: `log(\`Datagram from \${formatAddr(sender)} dropped: \${messageOf(err)}\`);`,
    replace: ``,
    why: "a dropped datagram is not logged",
    tests: LOOP,
  },
  {
    id: "04-loop-cuts",
    file: "lib/udp_server.ts",
    find: `[data, from] = await socket.receive(new Uint8Array(MAX_UDP_PAYLOAD_IPV6));`,
    replace: `[data, from] = await socket.receive();`,
    why: "the server loop cuts an IPv6 datagram at 65,507 bytes",
    tests: LOOP,
  },
  {
    id: "04-loop-no-grace",
    file: "lib/udp_server.ts",
    find: `if (graceMs > 0) await raceTimeout(current, graceMs);`,
    replace: ``,
    why: "close(graceMs) does not wait for the reply being sent",
    tests: LOOP,
  },
];
