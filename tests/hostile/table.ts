/**
 * What every server lesson must survive, and how: the table the hostile-peer
 * suite (`tests/hostile/*.test.ts`) runs and README's "What the servers
 * survive" shows (`deno task readme:survive` writes it).
 *
 * Each test file registers one test per cell of its lesson's column, named
 * by the input and the outcome written here, and fails if a cell has no
 * test; each test then checks that the server still serves a well-behaved
 * client. So the table cannot promise what the suite does not check.
 *
 * @module
 */

/** The hostile inputs, in the order the README lists them. */
export const INPUTS = {
  randomBytes: "random bytes (fast-check, seeded)",
  invalidUtf8: "invalid UTF-8",
  nul: "a NUL byte",
  noDelimiter: "1 MiB with no delimiter",
  endlessHead: "a request head that never ends",
  longHeader: "a 20 KB header line",
  hugeLength: "a length header of 0xFFFFFFFF",
  halfHeader: "a header cut in half, then EOF",
  cutFrame: "a frame cut off, then a reset",
  idle: "connect and send nothing",
  reset: "connect and reset at once",
  halfClose: "half-close: send, shut down writing, keep reading",
  overLimit: "one client more than --max-connections",
  stop: "Ctrl+C mid-conversation (close with --grace-ms)",
  emptyDatagram: "an empty datagram",
  maxDatagram: "a 65,507-byte datagram",
  burst: "a burst of 10,000 datagrams",
  garbageNumbers: "garbage numbers (fast-check)",
  concurrent: "1,000 clients at once",
} as const;

/** One hostile input, by its key in {@linkcode INPUTS}. */
export type Input = keyof typeof INPUTS;

/** The lessons with a server, in order, and the short name a table column gets. */
export const SERVERS = {
  "02": "02 HTTP",
  "03": "03 TCP hello",
  "04": "04 UDP hello",
  "05": "05 framed",
  "06": "06 factorial",
  "07": "07 chat",
  "08": "08 Unix socket",
} as const;

/** A server lesson's id. */
export type ServerLesson = keyof typeof SERVERS;

/**
 * For each server lesson, each input it is tested with and the outcome the
 * test requires. Short: these are table cells. An input a lesson lacks does
 * not apply to its protocol (no head over UDP, no frames in lesson 03).
 */
export const OUTCOMES: Record<ServerLesson, Partial<Record<Input, string>>> = {
  "02": {
    randomBytes: "400/431/505, or closed",
    invalidUtf8: "400",
    nul: "400",
    noDelimiter: "431",
    endlessHead: "closed at the head deadline",
    longHeader: "431",
    idle: "closed at the head deadline",
    reset: "one log line",
    halfClose: "200, then close",
    overLimit: "503, then close",
    stop: "clients mid-head let go at once",
    concurrent: "all 200",
  },
  "03": {
    randomBytes: "`Hello, …!`",
    invalidUtf8: "`Hello, �!`",
    nul: "`Hello, \\0!`",
    noDelimiter: "a reply per 1 KiB read",
    idle: "closed after the idle timeout",
    reset: "one log line",
    halfClose: "reply, then close",
    overLimit: "`Busy: …`, then close",
    stop: "reply finished, then close",
    concurrent: "all served",
  },
  "04": {
    randomBytes: "`Hello, …!`",
    invalidUtf8: "`Hello, �!`",
    nul: "`Hello, \\0!`",
    emptyDatagram: "`Hello, !`",
    maxDatagram: "no reply (too big), one log line",
    burst: "still answers",
    concurrent: "all answered",
  },
  "05": {
    randomBytes: "answered or closed",
    invalidUtf8: "closed",
    nul: "echoed",
    noDelimiter: "closed at its header",
    hugeLength: "closed, nothing allocated",
    halfHeader: "closed, one log line",
    cutFrame: "one log line",
    idle: "closed after the idle timeout",
    reset: "one log line",
    halfClose: "replies, then close",
    overLimit: "closed",
    stop: "replies finished, then close",
    concurrent: "all served",
  },
  "06": {
    randomBytes: "n! or `ERR …`",
    invalidUtf8: "`ERR not UTF-8…`",
    nul: "`ERR not an integer…`",
    emptyDatagram: "`ERR empty request…`",
    maxDatagram: "`ERR n too large…`",
    burst: "still answers",
    garbageNumbers: "`ERR …` for each",
    concurrent: "all answered",
  },
  "07": {
    randomBytes: "only `* …` notices",
    invalidUtf8: "`* …` refusal, then close",
    nul: "relayed as `�`",
    noDelimiter: "`* … left (…)`, then close",
    idle: "closed after the idle timeout",
    reset: "no member, at most one log line",
    halfClose: "`* … left`, then close",
    overLimit: "`* the server is full…`, then close",
    stop: "`* server left`, then close",
    concurrent: "all welcomed",
  },
  "08": {
    randomBytes: "`Hello, …!`",
    invalidUtf8: "`Hello, �!`",
    nul: "`Hello, \\0!`",
    noDelimiter: "a reply per 1 KiB read",
    idle: "closed after the idle timeout",
    halfClose: "reply, then close",
    overLimit: "`Busy: …`, then close",
    stop: "reply finished, then close",
    concurrent: "all served",
  },
};
