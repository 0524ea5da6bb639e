/** A lab's program that exits at once saying nothing: the log the apply's error points to is there, from the built bin. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

const prefix = uniquePrefix("t26g");
const dir = mkdtempSync(`${tmpdir()}/neslink-t26g-`);
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

it("a program that exits at once with no output: the log its error names exists, empty, and a restart starts it anew", () => {
  const lab = `${prefix}q`;
  const file = `${dir}/${lab}.yaml`;
  const log = `/run/neslink/topologies/${lab}/a/quick.log`;
  const program = (command: string) => `name: ${lab}\nnodes:\n  a: { processes: [{ name: quick, command: ${command} }] }\n`;
  // A program that exits at once may be seen running first (that apply succeeds): applied again until one sees it gone.
  const failedApply = (text: string) => {
    writeFileSync(file, text);
    let r = json("apply", file, "--yes");
    for (let i = 0; i < 30 && r.status === 0; i++) r = json("apply", file, "--yes");
    expect(r.status).toBe(1);
    return r.body.error.message as string;
  };
  try {
    expect(failedApply(program(`["true"]`))).toContain(`quick (never started, or exited at once; see ${log})`);
    expect(readFileSync(log, "utf8")).toBe("");
    expect(failedApply(program(`["sh", "-c", "echo first run"]`))).toContain(
      `quick (never started, or exited at once: "first run"; see ${log})`,
    );
    // Silent again: its log is its own run's, empty, not the run before's (kept as log.1), whose words it does not quote.
    expect(failedApply(program(`["true"]`))).toContain(`quick (never started, or exited at once; see ${log})`);
    expect(readFileSync(log, "utf8")).toBe("");
    expect(readFileSync(`${log}.1`, "utf8")).toBe("first run\n");
  } finally {
    neslink("destroy", file, "--yes");
  }
});
