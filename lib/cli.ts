/**
 * Every lesson's command line, from a declaration. A lesson says what its
 * subcommands are, which flags each takes (with defaults and help) and which
 * function each runs; {@linkcode runLesson} does the rest, the same way for
 * every lesson:
 *
 * - parses the flags (`parseArgs` from `node:util`), with `--host`, `--port`,
 *   the server limits and `--trace` shared by every lesson;
 * - prints `--help`, made from the declaration;
 * - runs the narrated demo when no subcommand is given;
 * - keeps a server running until Ctrl+C, then closes it with a grace period;
 * - is the edge where errors become one line, `error: <what> (<what to do>)`,
 *   and exit code 1. Lessons call `Deno.listen` and `Deno.connect` directly
 *   and let Deno's errors rise; here, knowing the host and port that were
 *   asked for, they are put in words (`explain.ts`). Only a real bug prints
 *   a stack trace.
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import { exposureWarning, LOOPBACK } from "./addr.ts";
import { formatError, LessonError, UsageError } from "./errors.ts";
import { explainNetError } from "./explain.ts";
import { intFlag, parseFlags, portFlag } from "./flags.ts";
import type { Log } from "./log.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from "./serve.ts";
import { startTracing } from "./trace.ts";

export { intFlag, parseFlags, portFlag } from "./flags.ts";

/** A flag a command declares: its type, default and one line of help. */
export type Flag =
  | {
    type: "int";
    default: number;
    min: number;
    max: number;
    help: string;
    /** What `--help` shows as the value: `N` unless told. */
    value?: string;
  }
  | { type: "string"; default?: string; help: string; value?: string }
  | { type: "boolean"; help: string };

/** A command's flags by name, without the leading `--`: `{ "delay-ms": {...} }`. */
export type Flags = Record<string, Flag>;

/** The parsed values of `F`: numbers for `int`, booleans, strings. */
export type FlagValues<F extends Flags> = {
  [K in keyof F]: F[K] extends { type: "int" } ? number
    : F[K] extends { type: "boolean" } ? boolean
    : F[K] extends { default: string } ? string
    : string | undefined;
};

/** The limits a server runs with, from `--max-connections`, `--idle-timeout-ms`, `--grace-ms`. */
export interface ServerLimits {
  /** At most this many connections at once; the next is refused. */
  maxConnections: number;
  /** Close a connection that does nothing for this long; 0: never. */
  idleTimeoutMs: number;
  /** After Ctrl+C, open conversations get this long to finish. */
  graceMs: number;
}

/** How long open conversations get to finish after Ctrl+C unless told: 5 s. */
export const DEFAULT_GRACE_MS = 5_000;

/** What a command's `run` is given. */
export interface RunContext<F extends Flags = Flags> {
  /** `--host`: the address to bind or connect to (default 127.0.0.1). */
  host: string;
  /** `--port`: the lesson's default unless given. */
  port: number;
  /** The positional arguments after the subcommand. */
  args: string[];
  /** The command's own flags, parsed and checked. */
  flags: FlagValues<F>;
  /** The server limits (defaults unless the command declared `limits`). */
  limits: ServerLimits;
  /** Prints a line on stdout. */
  log: Log;
  /**
   * Where the command is about to connect, when that is not `--host` and
   * `--port` (lesson 01 takes a URL): the edge then names this address in
   * its error line.
   */
  target(hostname: string, port: number): void;
}

/** A running server, as far as the command line cares: Ctrl+C closes it. */
export interface Stoppable {
  /** Where it listens: checked for a non-loopback warning. */
  readonly addr?: Deno.Addr;
  /** Closes it, giving open conversations `graceMs` to finish. */
  close(graceMs?: number): Promise<void>;
  /** Resolves once it has stopped. */
  readonly finished: Promise<void>;
}

/** One subcommand: `server`, `client`, ... */
export interface Command<F extends Flags = Flags> {
  /** One line for `--help`. */
  summary: string;
  /** Its positional arguments as `--help` shows them: `[NAME...]`. Omitted: it takes none. */
  args?: string;
  /** Its own flags. */
  flags?: F;
  /**
   * Declares the server limit flags; `refusal` says what a client over
   * `--max-connections` gets, in the lesson's protocol.
   */
  limits?: { refusal: string };
  /**
   * What to tell a person when nothing listens where this command connects.
   * Default: `start the server first: deno task NN server`.
   */
  refusedHint?: string;
  /**
   * Runs the command. If it returns a server, the server runs until Ctrl+C
   * and is then closed with `--grace-ms`.
   */
  run(ctx: RunContext<F>): Promise<Stoppable | void> | Stoppable | void;
}

/**
 * Declares a command, keeping its flags' types for `run`.
 *
 * @example
 * ```ts
 * import { command } from "./cli.ts";
 *
 * const client = command({
 *   summary: "greet the server with each NAME",
 *   args: "[NAME...]",
 *   flags: { tries: { type: "int", default: 3, min: 1, max: 10, help: "send each NAME up to N times" } },
 *   run: ({ flags }) => {
 *     const tries: number = flags.tries;
 *     console.log(tries);
 *   },
 * });
 * ```
 */
export function command<const F extends Flags = Record<never, Flag>>(spec: Command<F>): Command {
  return spec as unknown as Command;
}

/** A lesson's whole command line. */
export interface LessonCli {
  /** The lesson's number: `"03"` (its deno task). */
  id: string;
  /** Its title, the first line of `--help`. */
  title: string;
  /** The default `--port`. Omitted: the lesson takes no `--host`/`--port` (lesson 01 takes a URL). */
  defaultPort?: number;
  /** The narrated demo: what runs with no subcommand. */
  demo(log: Log, flags?: Record<string, string | number | boolean | undefined>): Promise<void>;
  /** Flags the demo takes (a limit it shows, say), passed as its second argument. */
  demoFlags?: Flags;
  /** The subcommands by name. */
  commands: Record<string, Command>;
  /**
   * What runs when the first argument is not a subcommand (lesson 01's URL).
   * Without it, such an argument is a usage error.
   */
  fallback?: Command;
  /** A few lines after the usage: what to try, which tutorial this follows. */
  epilogue?: string;
}

/** Where {@linkcode runLesson} prints, and how a test stops a server it started. */
export interface LessonIo {
  /** stdout, one line at a time. Default `console.log`. */
  stdout?: Log;
  /** stderr, one line at a time. Default `console.error`. */
  stderr?: Log;
  /** Stops a running server as Ctrl+C would. */
  signal?: AbortSignal;
}

/**
 * stdout in batches: the lines printed in one turn of the event loop go out
 * in one write. A busy server logs a line per request or more, and one
 * `console.log` each (a system call each) costs lesson 02 about 40% of its
 * requests per second; batched, the log costs next to nothing. Lines are
 * written in order, at the latest when the current turn ends.
 */
class BatchedStdout {
  #lines: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #encoder = new TextEncoder();
  /** Write each line at once: with --trace, so that it stands among the trace's lines. */
  direct = false;

  /** Queues `line`; it is written when this turn of the event loop ends. */
  write(line: string): void {
    this.#lines.push(line);
    if (this.direct) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), 0);
  }

  /** Writes every queued line now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    let bytes = this.#encoder.encode(this.#lines.join("\n") + "\n");
    this.#lines = [];
    while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
  }
}

/** The flags every lesson takes. */
const TRACE_FLAGS: Flags = {
  trace: {
    type: "boolean",
    help: "print every socket event (connect, read, write, EOF, reset...) on stderr",
  },
  "trace-svg": {
    type: "string",
    value: "FILE",
    help: "also draw them as a sequence diagram in FILE (SVG)",
  },
  capture: { type: "boolean", help: "add the real TCP segments (tcpdump; Linux, as root)" },
};

const HOST_PORT_FLAGS = (port: number): Flags => ({
  host: { type: "string", default: LOOPBACK, value: "H", help: "address to bind or connect to" },
  port: {
    type: "int",
    default: port,
    min: 0,
    max: 65_535,
    value: "P",
    help: "port to bind or connect to; 0: any free port",
  },
});

const LIMIT_FLAGS: Flags = {
  "max-connections": {
    type: "int",
    default: DEFAULT_MAX_CONNECTIONS,
    min: 1,
    max: 1_000_000,
    help: "at most N clients at once; the next one gets REFUSAL",
  },
  "idle-timeout-ms": {
    type: "int",
    default: DEFAULT_IDLE_TIMEOUT_MS,
    min: 0,
    max: 24 * 3_600_000,
    help: "close a connection that sends and receives nothing for N ms (0: never)",
  },
  "grace-ms": {
    type: "int",
    default: DEFAULT_GRACE_MS,
    min: 0,
    max: 600_000,
    help: "after Ctrl+C, open conversations get N ms to finish",
  },
};

/**
 * Runs a lesson's command line: the demo, a subcommand, or `--help`.
 * Resolves to the exit code: 0, or 1 after printing one `error:` line. A
 * lesson ends with
 *
 * ```ts ignore
 * if (import.meta.main) Deno.exit(await runLesson(cli, Deno.args));
 * ```
 *
 * @example `--help`, and a usage error as one line
 * ```ts
 * import { command, runLesson } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * const err: string[] = [];
 * const io = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) };
 * const cli = {
 *   id: "99",
 *   title: "An example",
 *   defaultPort: 9999,
 *   demo: async () => {},
 *   commands: { client: command({ summary: "say hello", run: ({ log }) => log("hello") }) },
 * };
 * assert.equal(await runLesson(cli, ["--help"], io), 0);
 * assert.match(out.join("\n"), /deno task 99 client \[options\]\s+say hello/);
 * assert.equal(await runLesson(cli, ["client", "--port", "http"], io), 1);
 * assert.deepEqual(err, ['error: --port must be a whole number, got "http" (see --help)']);
 * ```
 */
export async function runLesson(
  cli: LessonCli,
  args: readonly string[],
  io: LessonIo = {},
): Promise<number> {
  const batched = io.stdout ? undefined : new BatchedStdout();
  const stdout: Log = io.stdout ?? ((line) => batched!.write(line));
  const stderr = io.stderr ?? ((line: string) => console.error(line));
  let target: { hostname: string; port: number } | undefined;
  let refusedHint = cli.commands.server
    ? `start the server first: deno task ${cli.id} server`
    : undefined;
  try {
    if (args.includes("--help") || args.includes("-h")) {
      stdout(usage(cli));
      batched?.flush();
      return 0;
    }
    // Parse with every flag any command takes, so that a flag's value is
    // never taken for the subcommand; then check the flags fit the command.
    const parsed = parse([...args], everyFlag(cli));
    const [name, ...rest] = parsed.positionals;
    const chosen = name === undefined ? undefined : cli.commands[name] ?? cli.fallback;
    if (name !== undefined && chosen === undefined) {
      throw new UsageError(
        `unknown command "${name}": expected ${Object.keys(cli.commands).join(" or ")}`,
      );
    }
    const positionals = chosen === cli.fallback ? parsed.positionals : rest;
    if (chosen !== undefined && chosen.args === undefined && positionals.length > 0) {
      throw new UsageError(`${name} takes no arguments, got "${positionals[0]}"`);
    }
    refusedHint = chosen?.refusedHint ?? refusedHint;
    const flags = allFlags(cli, chosen);
    for (const given of Object.keys(parsed.values)) {
      if (!(given in flags)) {
        throw new UsageError(`--${given} is not an option of ${name ?? "the demo"}`);
      }
    }
    const values = readFlags(flags, parsed.values);
    const host = (values.host as string | undefined) ?? LOOPBACK;
    const port = (values.port as number | undefined) ?? 0;
    target = { hostname: host, port };

    if (batched) batched.direct = values.trace === true || values.capture === true;
    await using _tracing = await startTracing({
      trace: values.trace === true,
      svgFile: values["trace-svg"] as string | undefined,
      capture: values.capture === true,
      write: stderr,
    });
    if (chosen === undefined) {
      await cli.demo(stdout, values);
      batched?.flush();
      return 0;
    }
    const limits: ServerLimits = {
      maxConnections: (values["max-connections"] as number | undefined) ?? DEFAULT_MAX_CONNECTIONS,
      idleTimeoutMs: (values["idle-timeout-ms"] as number | undefined) ?? DEFAULT_IDLE_TIMEOUT_MS,
      graceMs: (values["grace-ms"] as number | undefined) ?? DEFAULT_GRACE_MS,
    };
    const running = await chosen.run({
      host,
      port,
      args: positionals,
      flags: values as FlagValues<Flags>,
      limits,
      log: stdout,
      target: (hostname, port) => target = { hostname, port },
    });
    if (running) {
      await serveUntilCtrlC(running, stdout, { graceMs: limits.graceMs, signal: io.signal });
    }
    batched?.flush();
    return 0;
  } catch (err) {
    const explained = target === undefined ? err : explainNetError(err, {
      ...target,
      refusedHint,
      command: `deno task ${cli.id}`,
    });
    batched?.flush(); // what was printed so far comes before the error line
    stderr(formatError(explained));
    if (!(explained instanceof LessonError)) {
      stderr("(this is a bug in the lesson; the stack trace follows)");
      stderr(explained instanceof Error ? explained.stack ?? String(explained) : String(explained));
    }
    return 1;
  }
}

/** The flags `chosen` takes: the shared ones, then its own. */
function allFlags(cli: LessonCli, chosen: Command | undefined): Flags {
  return {
    ...(cli.defaultPort === undefined ? {} : HOST_PORT_FLAGS(cli.defaultPort)),
    ...(chosen === undefined ? cli.demoFlags ?? {} : chosen.flags ?? {}),
    ...(chosen?.limits ? LIMIT_FLAGS : {}),
    ...TRACE_FLAGS,
  };
}

function parse(args: string[], flags: Flags) {
  const options: ParseArgsOptionsConfig = {};
  for (const [name, flag] of Object.entries(flags)) {
    options[name] = { type: flag.type === "boolean" ? "boolean" : "string" };
  }
  return parseFlags(args, options);
}

function readFlags(
  flags: Flags,
  raw: Record<string, string | boolean | (string | boolean)[] | undefined>,
): Record<string, string | number | boolean | undefined> {
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, flag] of Object.entries(flags)) {
    const given = raw[name];
    if (flag.type === "boolean") values[name] = given === true;
    else if (flag.type === "string") {
      values[name] = typeof given === "string" ? given : flag.default;
    } else if (name === "port") values[name] = portFlag(given as string | undefined, flag.default);
    else {
      values[name] = intFlag(`--${name}`, given as string | undefined, flag.default, flag);
    }
  }
  return values;
}

/** Every flag of every command: what the first parse accepts. */
function everyFlag(cli: LessonCli): Flags {
  const commands = [...Object.values(cli.commands), cli.fallback, undefined];
  return Object.assign({}, ...commands.map((command) => allFlags(cli, command)));
}

/** `--help`, made from the declaration. */
export function usage(cli: LessonCli): string {
  const task = `deno task ${cli.id}`;
  const lines = [`Lesson ${cli.id}: ${cli.title}`, "", "Usage:"];
  const row = (left: string, right: string) =>
    lines.push(
      left.length < 38 ? `  ${left.padEnd(38)}${right}` : `  ${left}\n  ${"".padEnd(38)}${right}`,
    );
  row(
    `${task}${cli.demoFlags ? " [options]" : ""}`,
    "the narrated demo: server and client in one process",
  );
  if (cli.fallback) {
    row(`${task} [options] ${cli.fallback.args ?? ""}`.trimEnd(), cli.fallback.summary);
  }
  for (const [name, spec] of Object.entries(cli.commands)) {
    row(`${task} ${name} [options] ${spec.args ?? ""}`.trimEnd(), spec.summary);
  }
  const sections: [string, Flags][] = [
    ["Options", cli.defaultPort === undefined ? {} : HOST_PORT_FLAGS(cli.defaultPort)],
    ["Options of the demo", cli.demoFlags ?? {}],
  ];
  for (const [name, spec] of [...Object.entries(cli.commands), ["", cli.fallback] as const]) {
    if (spec?.flags && Object.keys(spec.flags).length > 0) {
      sections.push([name ? `Options of ${name}` : "Options", spec.flags]);
    }
  }
  const withLimits = Object.entries(cli.commands).find(([, spec]) => spec.limits);
  if (withLimits) {
    const [name, spec] = withLimits;
    const limits = Object.fromEntries(
      Object.entries(LIMIT_FLAGS).map((
        [k, f],
      ) => [k, { ...f, help: f.help.replace("REFUSAL", spec.limits!.refusal) }]),
    );
    sections.push([`Limits of ${name}`, limits]);
  }
  sections.push(["Seeing the wire", TRACE_FLAGS]);
  for (const [heading, flags] of sections) {
    const entries = Object.entries(flags);
    if (entries.length === 0) continue;
    lines.push("", `${heading}:`);
    for (const [name, flag] of entries) {
      const value = flag.type === "boolean"
        ? ""
        : ` ${flag.value ?? (flag.type === "int" ? "N" : "S")}`;
      const fallback = flag.type === "boolean" || flag.default === undefined
        ? ""
        : ` (default ${flag.default})`;
      const left = `--${name}${value}`;
      lines.push(
        left.length < 21
          ? `  ${left.padEnd(22)}${flag.help}${fallback}`
          : `  ${left}\n  ${"".padEnd(22)}${flag.help}${fallback}`,
      );
    }
  }
  lines.push(`  ${"-h, --help".padEnd(22)}show this help`);
  if (cli.epilogue) lines.push("", cli.epilogue);
  return lines.join("\n");
}

/** Options for {@linkcode serveUntilCtrlC}. */
export interface ServeUntilCtrlCOptions {
  /** How long open conversations get to finish after Ctrl+C. Default 0: close them at once. */
  graceMs?: number;
  /** Stops the server as Ctrl+C would when it aborts (what tests use instead of a signal). */
  signal?: AbortSignal;
}

/**
 * Keeps a server running until Ctrl+C (SIGINT), then closes it cleanly: stop
 * accepting, let open conversations finish for up to `graceMs`, close the
 * rest, resolve so the process exits 0. A server other machines can reach
 * (not on loopback) gets a one-line warning first.
 */
export async function serveUntilCtrlC(
  server: Stoppable,
  log: Log,
  options: ServeUntilCtrlCOptions = {},
): Promise<void> {
  const graceMs = options.graceMs ?? 0;
  const addr = server.addr;
  if (addr && (addr.transport === "tcp" || addr.transport === "udp")) {
    const warning = exposureWarning(addr);
    if (warning) log(warning);
  }
  const stream = addr?.transport !== "udp"; // a UDP server has no connections to let finish
  const stop = () => {
    log(
      graceMs > 0 && stream
        ? `Ctrl+C: no new connections; open ones have ${graceMs} ms to finish...`
        : "Ctrl+C: closing the server...",
    );
    server.close(graceMs);
  };
  Deno.addSignalListener("SIGINT", stop);
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();
  try {
    await server.finished;
    log("Server closed.");
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    options.signal?.removeEventListener("abort", stop);
  }
}

/**
 * For scripts that are not lessons (the tour, verify): runs `main`; an
 * expected failure prints one `error:` line and exits 1, anything else its
 * stack.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    console.error(formatError(err));
    if (!(err instanceof LessonError)) {
      console.error("(this is a bug; the stack trace follows)");
      console.error(err);
    }
    Deno.exit(1);
  }
}
