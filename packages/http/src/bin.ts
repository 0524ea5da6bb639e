#!/usr/bin/env node
/** neslink-http: serve the API until SIGINT, SIGTERM or SIGHUP, then drain and exit. */
import { parseArgs } from "node:util";
import { closeDefaultPool, toErrorJSON, ValidationError } from "@neslink/core";
import { checkSocketPath } from "@neslink/core/unix-socket";
import { checkToken } from "./auth.js";
import { type Limits, limits } from "./limits.js";
import { createServer, listen, type NeslinkServer } from "./server.js";
import { ownDescriptor, readTokenDescriptor, readTokenFile } from "./token-file.js";

const USAGE = `Usage: neslink-http --token-file FILE [--host HOST] [--port PORT] [--socket PATH] [--allow-exec] [limits]

Serves the neslink HTTP API (OpenAPI document at GET /v1/openapi.json).

Options:
  --token-file FILE            read the bearer token from FILE: yours, mode 600, not a symlink, in
                               directories only root or you can change; - reads it from standard input
                               (pass show neslink | neslink-http --token-file -), as bash's <(...) is
                               read from the descriptor it gives (/dev/fd/N). Else from
                               $NESLINK_HTTP_TOKEN, which is then removed from the environment: exec'd
                               programs never see it
  --host HOST                  address to listen on (default 127.0.0.1)
  --port PORT                  TCP port (default 7470; 0 picks a free one)
  --socket PATH                listen on a unix socket instead of TCP, created mode 0600; a stale
                               socket at PATH is replaced, a live one or any other file is refused
  --allow-exec                 enable POST /v1/namespaces/{name}/exec (runs programs as this user)
  -h, --help                   show this help

Limits:
  --max-connections N          open connections at most (default 256, or a quarter of the open-file
                               limit if lower); at the cap the oldest idle connection makes way
  --headers-timeout SECONDS    a request's headers must arrive within this (default 10)
  --request-timeout SECONDS    the whole request must arrive within this (default 30)
  --keep-alive-timeout SECONDS idle keep-alive connections are closed after this (default 5)
  --drain-timeout SECONDS      on SIGTERM, SIGINT or SIGHUP: stop accepting, answer every request
                               received (503 if its change had not begun), close the pool and exit 0
                               within this (default 10, plus up to a second for the pool); past it,
                               exit 1 naming the requests cut.
                               A second signal ends the process at once.
`;

function options() {
  try {
    const { values, tokens } = parseArgs({
      options: {
        "token-file": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        socket: { type: "string" },
        "allow-exec": { type: "boolean" },
        ...Object.fromEntries(Object.values(LIMIT_FLAGS).map((name) => [name, { type: "string" } as const])),
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      tokens: true,
    });
    refuseRepeated(tokens);
    return values;
  } catch (err) {
    throw err instanceof ValidationError ? err : argvError(err);
  }
}

/** A flag's value given twice (`--port 1 --port 2`) is refused: parseArgs keeps the last without a word, and none is a list. */
function refuseRepeated(tokens: readonly { kind: string; rawName?: string; value?: string }[]): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.value === undefined) continue;
    if (seen.has(token.rawName as string)) throw new ValidationError(token.rawName as string, "is given twice; it takes one value");
    seen.add(token.rawName as string);
  }
}

/**
 * parseArgs' own refusal, naming the flag as typed: its message names the whole argv as the field, and for a value
 * that starts with '-' (`--headers-timeout -1`, or `--token-file --port 0` with the file left out) takes three lines
 * to say that a value is missing.
 */
function argvError(err: unknown): ValidationError {
  const { code, message } = err as { code?: string; message: string };
  // Any flag as quoted: `-h=1` is parsed as the short flags -h, -= and -1, and '-=' is the one refused.
  const flag = /'(-[^'\s]+)/.exec(message)?.[1];
  if (flag === undefined) return new ValidationError("argv", message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new ValidationError(flag, "is not an option of neslink-http");
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing|ambiguous/.test(message))
    return new ValidationError(flag, `needs a value (one that starts with '-' is given as ${flag}=VALUE)`);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return new ValidationError(flag, "takes no value");
  return new ValidationError("argv", message);
}

function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) throw new ValidationError("--port", `must be an integer from 0 to 65535, got "${text}"`);
  return value;
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ValidationError(flag, `must be a whole number, got "${text}"`);
  return Number(text);
}

function milliseconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < 0.001)
    throw new ValidationError(flag, `must be a number of seconds of at least 0.001, got "${text}"`);
  return Math.round(value * 1000);
}

/** Each limit's flag: seconds for the timeouts, a count for connections. */
const LIMIT_FLAGS: Readonly<Record<keyof Limits, string>> = {
  maxConnections: "max-connections",
  headersTimeoutMs: "headers-timeout",
  requestTimeoutMs: "request-timeout",
  keepAliveTimeoutMs: "keep-alive-timeout",
  drainTimeoutMs: "drain-timeout",
};

/** The limits from the flags, checked; an error names the flag rather than the option. */
function limitsOf(values: Record<string, string | boolean | undefined>): Limits {
  const given: Partial<Limits> = {};
  for (const [key, name] of Object.entries(LIMIT_FLAGS) as [keyof Limits, string][]) {
    const text = values[name] as string | undefined;
    given[key] = key === "maxConnections" ? count(`--${name}`, text) : milliseconds(`--${name}`, text);
  }
  return limits(given, (field) => `--${LIMIT_FLAGS[field]}`);
}

/** `-` is standard input; a path of a descriptor the server was started with (bash's `<(...)`) is read from it. */
function tokenFrom(file: string): Promise<string> | string {
  const fd = file === "-" ? 0 : ownDescriptor(file);
  return fd === undefined ? readTokenFile(file) : readTokenDescriptor(fd, file);
}

/**
 * The token, and NESLINK_HTTP_TOKEN gone from the environment: workers copy
 * the environment when they start and programs run by exec inherit it, so
 * this must run before anything starts the pool.
 */
async function token(file: string | undefined): Promise<string> {
  const fromEnv = process.env.NESLINK_HTTP_TOKEN;
  delete process.env.NESLINK_HTTP_TOKEN;
  // A secret is short; `-` takes it from a pipe (`pass show neslink | neslink-http --token-file -`).
  const value = file === undefined ? fromEnv : await tokenFrom(file);
  if (!value) throw new ValidationError("--token-file", "a token is required: give --token-file FILE or set NESLINK_HTTP_TOKEN");
  checkToken(value, file !== undefined ? "--token-file" : "NESLINK_HTTP_TOKEN");
  return value;
}

const POOL_CLOSE_MIN_MS = 1_000;

/** The signals that stop the server: drained on the first, ended at once on the next. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function say(line: string): void {
  process.stderr.write(`neslink-http: ${line}\n`);
}

/** Drains, closes the pool and lets the process end (exit 0); past `timeoutMs`, exits 1 saying what was cut. */
async function shutdown(server: NeslinkServer, signal: string, timeoutMs: number): Promise<void> {
  say(`${signal}: draining (at most ${timeoutMs / 1000} s)`);
  const started = Date.now();
  try {
    await server.drain(timeoutMs);
  } catch (err) {
    const error = toErrorJSON(err);
    say(`${error.code}: ${error.message}`);
    process.exit(1);
  }
  // The drain's requests are done, so the pool's work is too; this bounds the workers' own closing (a second at least).
  const left = Math.max(POOL_CLOSE_MIN_MS, timeoutMs - (Date.now() - started));
  setTimeout(() => {
    say(`ERR_DRAIN_TIMEOUT: every request was answered, but the pool did not close within ${left} ms`);
    process.exit(1);
  }, left).unref();
  await closeDefaultPool();
  say("drained; exiting");
}

async function main(): Promise<void> {
  const values = options();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Every flag is checked before the token is looked for: a mistyped flag is said first, not hidden behind "a token is
  // required", and a token handed over through a pipe is not spent on a start that fails.
  if (values.socket !== undefined && (values.host !== undefined || values.port !== undefined)) {
    throw new ValidationError("--socket", "cannot be combined with --host or --port");
  }
  if (values.socket !== undefined) checkSocketPath(values.socket, "--socket");
  const limit = limitsOf(values);
  const at = { host: values.host, port: port(values.port), socket: values.socket };
  const secret = await token(values["token-file"]);
  const server = createServer({ token: secret, allowExec: values["allow-exec"] ?? false, ...limit });
  const listening = listen(server, at);
  // Listened for from before listen: one that came while it bound would have ended the process unsaid, its socket
  // file left. SIGHUP too: a server started at a terminal that closes is stopped as by Ctrl-C, drained, not killed.
  const stop = (signal: NodeJS.Signals) => {
    // Only the first signal drains; the next one gets the default action and ends the process at once.
    for (const s of STOP_SIGNALS) process.off(s, stop);
    // A listen that failed is main's to say.
    listening.then(
      () => shutdown(server, signal, limit.drainTimeoutMs),
      () => {},
    );
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);
  const where = await listening;
  say(`listening on ${where}${values["allow-exec"] ? " (exec allowed)" : ""}`);
}

main().catch((err: unknown) => {
  const error = toErrorJSON(err);
  say(`${error.code}: ${error.message}`);
  // One line pointing to the help, as the CLI does: the whole page would bury the error above it.
  if (error.code === "ERR_INVALID_ARGUMENT") process.stderr.write('Run "neslink-http --help" for usage.\n');
  process.exitCode = error.code === "ERR_INVALID_ARGUMENT" ? 2 : 1;
});
