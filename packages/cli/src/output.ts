/** Turning results and errors into text: JSON for programs, aligned tables for people. */
import { toErrorJSON } from "@neslink/core";

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

/** Usage errors (bad flags, ValidationError) exit with 2, everything else with 1. */
export function exitCodeOf(err: unknown): number {
  return toErrorJSON(err).code === "ERR_INVALID_ARGUMENT" ? 2 : 1;
}

/** `{ "error": ... }` with --json, else one line: the code of what went wrong (core puts it on top), then the message. */
export function errorText(err: unknown, json: boolean): string {
  const error = toErrorJSON(err);
  return json ? toJson({ error }) : `neslink: ${error.code}: ${error.message}\n`;
}
