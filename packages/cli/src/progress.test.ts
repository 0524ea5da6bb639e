import type { topology } from "@neslink/core";
import { describe, expect, it } from "vitest";
import type { Terminal } from "./command.js";
import { progressFor } from "./progress.js";

/** The lines progressFor prints off a terminal for `events`. */
function linesFor(events: Parameters<ReturnType<typeof progressFor>["onProgress"]>[0][]): string {
  let out = "";
  const terminal = { stdout: { isTTY: false } } as unknown as Terminal;
  const progress = progressFor(
    terminal,
    (text) => (out += text),
    (c) => `${c.op} ${c.object}`,
  );
  for (const e of events) progress.onProgress(e);
  return out;
}

const exec = { op: "create", object: "exec", node: "a", netns: "x-a", argv: ["true"], timeoutMs: 0 } as topology.Change;

describe("progress lines", () => {
  it("a failure of no change (the exec record's write) is its error alone, then what it left untried", () => {
    const error = { name: "NeslinkError", code: "EISDIR", message: "node a: true ran, but the record does not say so" };
    expect(linesFor([{ type: "failed", changes: [], notAttempted: [exec], error }])).toBe(
      "  failed: node a: true ran, but the record does not say so\n  not attempted: create exec\n",
    );
    expect(linesFor([{ type: "failed", changes: [exec], notAttempted: [], error }])).toBe(
      "  failed: create exec: node a: true ran, but the record does not say so\n",
    );
  });
});
