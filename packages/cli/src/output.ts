/** Turning results and errors into text: JSON for programs, aligned tables for people. */
import { toErrorJSON } from "@neslink/core/errors";

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
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

/** `{ "error": ... }` with --json, else one line: the code of what went wrong (core puts it on top), then the message. */
export function errorText(err: unknown, json: boolean): string {
  const error = toErrorJSON(err);
  return json ? toJson({ error }) : `neslink: ${error.code}: ${error.message}\n`;
}
