/**
 * Typed errors for the failures a learner will meet: a port already taken, no
 * server listening, a name that does not resolve, a peer that never answers,
 * input over a limit. Each carries a message saying what happened and a hint
 * saying what to do; the CLI (see `cli.ts`) prints them as one line:
 *
 *     error: nothing is listening on 127.0.0.1:9999 (start the server first: deno task 03 server)
 *
 * @module
 */

/** Something expected went wrong: the CLI prints it as one line, no stack. */
export class LessonError extends Error {
  /** What the person can do about it, shown in parentheses. */
  readonly hint: string | undefined;

  /** Makes an error with a message (what happened) and a hint (what to do). */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LessonError";
    this.hint = hint;
  }
}

/** `bind()` failed because another socket holds the address (EADDRINUSE). */
export class AddressInUseError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "AddressInUseError";
  }
}

/** `connect()` got a reset back: nothing listens there (ECONNREFUSED). */
export class ConnectionRefusedError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "ConnectionRefusedError";
  }
}

/** The host name did not resolve to an address (DNS said no). */
export class HostNotFoundError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "HostNotFoundError";
  }
}

/** Nothing arrived in time: a connect, a read or a UDP reply. */
export class TimeoutError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "TimeoutError";
  }
}

/** Deno's sandbox refused: the program was not granted that permission. */
export class PermissionError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "PermissionError";
  }
}

/** A peer sent more than a limit allows (a frame, a line, a head, a body). */
export class LimitError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "LimitError";
  }
}

/** The stream ended (EOF) in the middle of something that needed more bytes. */
export class UnexpectedEofError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "UnexpectedEofError";
  }
}

/** The peer broke the protocol: bytes that do not mean what they must. */
export class ProtocolError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "ProtocolError";
  }
}

/**
 * The peer went away in the middle of a conversation: it reset the
 * connection, or closed it before the answer came. What a client sees when
 * its server is stopped or crashes.
 */
export class ConnectionLostError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "ConnectionLostError";
  }
}

/** The command line is wrong: an unknown flag, a port that is not a number. */
export class UsageError extends LessonError {
  /** See {@linkcode LessonError}. */
  constructor(message: string, hint = "see --help", options?: ErrorOptions) {
    super(message, hint, options);
    this.name = "UsageError";
  }
}

/**
 * The one line a person sees for an error: `error: <what> (<what to do>)`.
 *
 * @example
 * ```ts
 * import { ConnectionRefusedError, formatError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new ConnectionRefusedError(
 *   "nothing is listening on 127.0.0.1:9999",
 *   "start the server first: deno task 03 server",
 * );
 * assert.equal(
 *   formatError(err),
 *   "error: nothing is listening on 127.0.0.1:9999 (start the server first: deno task 03 server)",
 * );
 * ```
 */
export function formatError(err: unknown): string {
  if (err instanceof LessonError) {
    return err.hint === undefined ? `error: ${err.message}` : `error: ${err.message} (${err.hint})`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `error: ${message}`;
}

/**
 * True when an error only says the socket was closed under a pending call:
 * what a read or accept reports after `close()`, which is how servers stop.
 */
export function isClosedError(err: unknown): boolean {
  return err instanceof Deno.errors.BadResource ||
    err instanceof Deno.errors.Interrupted;
}

/**
 * True when the peer vanished: a reset (RST) or a write to a closed socket.
 * Normal on real networks; a server logs it and moves on.
 */
export function isPeerGoneError(err: unknown): boolean {
  return err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.BrokenPipe ||
    err instanceof Deno.errors.NotConnected;
}

/**
 * A reset or a broken pipe ({@linkcode isPeerGoneError}) in words: a
 * {@linkcode ConnectionLostError} with `message` and `hint`, the original as
 * its cause. Any other error is returned unchanged.
 *
 * @example
 * ```ts
 * import { explainPeerGone, formatError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = explainPeerGone(
 *   new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"),
 *   "the server went away mid-conversation",
 *   "was it stopped? start it again",
 * );
 * assert.equal(
 *   formatError(err),
 *   "error: the server went away mid-conversation (was it stopped? start it again)",
 * );
 * ```
 */
export function explainPeerGone(err: unknown, message: string, hint: string): unknown {
  return isPeerGoneError(err) ? new ConnectionLostError(message, hint, { cause: err }) : err;
}
