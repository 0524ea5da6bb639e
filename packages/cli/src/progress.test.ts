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
    expect(linesFor([{ type: "failed", changes: [], places: [], notAttempted: [exec], error }])).toBe(
      "  failed: node a: true ran, but the record does not say so\n  not attempted: create exec\n",
    );
    expect(linesFor([{ type: "failed", changes: [exec], places: [undefined], notAttempted: [], error }])).toBe(
      "  failed: create exec: node a: true ran, but the record does not say so\n",
    );
  });

  it("names each refused change with the place in the file that asked for it, as apply's error does", () => {
    const error = { name: "NetlinkError", code: "EACCES", message: "netlink RTM_NEWROUTE failed: EACCES" };
    const other = { ...exec, argv: ["false"] } as topology.Change;
    expect(linesFor([{ type: "failed", changes: [exec, other], places: ["lab.yaml:7:9", undefined], notAttempted: [], error }])).toBe(
      "  failed: create exec (lab.yaml:7:9); create exec: netlink RTM_NEWROUTE failed: EACCES\n",
    );
  });
});

describe("progress bar", () => {
  it("shows a failure with the place in the file that asked for the refused change", () => {
    let out = "";
    const stdout = {
      isTTY: true,
      columns: 200,
      write: (t: string) => {
        out += t;
        return true;
      },
      cursorTo: () => true,
      clearLine: () => true,
    };
    const progress = progressFor(
      { stdout } as unknown as Terminal,
      () => {},
      (c) => `${c.op} ${c.object}`,
    );
    const error = { name: "NetlinkError", code: "EACCES", message: "netlink RTM_NEWROUTE failed: EACCES" };
    progress.onProgress({ type: "planned", plan: { topology: "x", changes: [exec], summary: { add: 1, change: 0, destroy: 0 } } } as never);
    progress.onProgress({ type: "failed", changes: [exec], places: ["lab.yaml:7:9"], notAttempted: [], error });
    progress.stop();
    expect(out).toContain("0/1 failed: create exec (lab.yaml:7:9)");
  });
});
