/** Turning results and errors into text: JSON for programs, aligned tables for people. */
import { existsSync } from "node:fs";
import { everyHiddenCharacter, toErrorJSON } from "@neslink/core/errors";

const hex = (c: string, digits: number) => (c.codePointAt(0) as number).toString(16).padStart(digits, "0");

/** A hidden character written out: \x1b, \u{202e}. */
const escaped = (c: string) => (c <= "\u00ff" ? `\\x${hex(c, 2)}` : `\\u{${hex(c, 4)}}`);

/** Printable ASCII, and with the layout's newlines and tabs: text of these alone has no hidden character. */
const PLAIN_NAME = /^[\x20-\x7e]*$/;
const PLAIN_TEXT = /^[\t\n\x20-\x7e]*$/;

/**
 * `text` with each hidden character replaced `by`. Plain text (`plain`) is returned as it is, without core's set of
 * hidden characters, which comes with core's errors module: ~7M instructions to load, which `--help` and `--version`
 * need no more (their text is plain).
 */
function replaceHidden(text: string, plain: RegExp, by: (c: string) => string): string {
  return plain.test(text) ? text : text.replace(everyHiddenCharacter(), by);
}

/**
 * Text as the CLI prints it: a hidden character (a name the kernel reports
 * was made by someone, and may carry an escape sequence for the reader's
 * terminal) written out as \x1b or \u{202e}; newlines and tabs are the CLI's own.
 */
export function printable(text: string): string {
  return replaceHidden(text, PLAIN_TEXT, (c) => (c === "\n" || c === "\t" ? c : escaped(c)));
}

/**
 * A name or alias the kernel reports, as a line or a cell shows it: its newlines and tabs escaped too. A
 * namespace is a file, whose name may hold them, and an alias is any bytes: raw, they print as lines or
 * columns of their own (a namespace that is not there, in `ns list`).
 */
export function shownName(name: string): string {
  return replaceHidden(name, PLAIN_NAME, escaped);
}

/**
 * JSON with the hidden characters JSON.stringify leaves as they are (DEL, C1,
 * zero-width, bidi) escaped too: the same value, safe to print. It escapes
 * every C0 control in a string, so one left is the layout's own whitespace.
 */
function json(value: unknown, indent?: number): string {
  // JSON's \u takes one UTF-16 unit: a tag character (U+E0001 and up) is two.
  return replaceHidden(JSON.stringify(value, null, indent), PLAIN_TEXT, (c) =>
    c < " "
      ? c
      : c
          .split("")
          .map((unit) => `\\u${hex(unit, 4)}`)
          .join(""),
  );
}

/** A value as --json prints it, indented. */
export function toJson(value: unknown): string {
  return `${json(value, 2)}\n`;
}

/** A value on one line, as --json streams them (monitor). */
export function jsonLine(value: unknown): string {
  return `${json(value)}\n`;
}

/** Escaped here, before the columns are measured, so that they line up as printed. */
function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  return shownName(typeof value === "object" ? JSON.stringify(value) : String(value));
}

/** Columns padded to their widest cell; lines carry no trailing blanks. */
export function table(rows: readonly (readonly unknown[])[], header?: readonly string[]): string {
  const lines = [...(header ? [header] : []), ...rows.map((row) => row.map(cell))];
  const widths: number[] = [];
  for (const line of lines) for (const [i, text] of line.entries()) widths[i] = Math.max(widths[i] ?? 0, text.length);
  return lines
    .map(
      (line) =>
        `${line
          .map((text, i) => text.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

/** One "key  value" line per property, keys aligned. */
export function fields(record: object): string {
  return table(Object.entries(record));
}

/** Exit statuses by what went wrong; anything not listed (the kernel refused, not found, ...) is 1. */
const EXIT_CODES: Partial<Record<string, number>> = { ERR_INVALID_ARGUMENT: 2, ERR_TOPOLOGY_INVALID: 3 };

/** 2 for usage errors (bad flags, a value core's validation refuses), 3 for a topology file with mistakes, else 1. */
export function exitCodeOf(err: unknown): number {
  return EXIT_CODES[toErrorJSON(err).code] ?? 1;
}

/** Refusals that, to a user who is not root, most likely mean "run it as root". */
const PRIVILEGE = new Set(["EPERM", "EACCES"]);

/** A line after an error, for someone who ran neslink without root and was refused for it; "" otherwise. */
export function privilegeHint(err: unknown, unprivileged: boolean | undefined): string {
  if (!unprivileged || !PRIVILEGE.has(toErrorJSON(err).code)) return "";
  return "neslink: namespaces, links and labs need root (CAP_SYS_ADMIN, CAP_NET_ADMIN): run it with sudo.\n";
}

/**
 * A line after an error that came of /proc not being mounted (a chroot or a
 * container made without it): neslink reads namespaces, mounts and its own
 * capabilities there, and the bare ENOENT names only the file; "" otherwise.
 */
export function procHint(err: unknown, procMounted: () => boolean = () => existsSync("/proc/self")): string {
  const error = toErrorJSON(err);
  if (error.code !== "ENOENT" || !error.message.includes("/proc/") || procMounted()) return "";
  return "neslink: /proc is not mounted here, and neslink reads it (mount -t proc proc /proc).\n";
}

/** What --json prints of an error: `{ "error": ... }`. */
export function errorJson(err: unknown): { error: ReturnType<typeof toErrorJSON> } {
  return { error: toErrorJSON(err) };
}

/** `{ "error": ... }` with --json (indented), else one line: the code of what went wrong (core puts it on top), then the message. */
export function errorText(err: unknown, json: boolean): string {
  if (json) return toJson(errorJson(err));
  const error = toErrorJSON(err);
  return `neslink: ${error.code}: ${printable(error.message)}\n`;
}
