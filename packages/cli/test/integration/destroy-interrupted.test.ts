/**
 * What destroy says when it is interrupted part-way (Ctrl-C, SIGTERM) is what
 * became of the lab, as apply says it: it died silently, and the lab it left
 * (namespaces unmounted while their programs ran on, entries left empty)
 * looked destroyed to some tools and not to others.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-destroy-intr-`);
const lab = uniquePrefix("di");

afterAll(() => {
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `done()` holds, polled; fails the test past 30 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(done()).toBe(true);
}

it("SIGINT once destroy has begun: said to be partly destroyed, with the command that finishes it, which does", async () => {
  // A program that outlives SIGTERM holds destroy for its 2 s grace: it is under way, whatever the machine's speed.
  const termed = `${dir}/termed`;
  const program = `trap 'touch ${termed}' TERM; while :; do sleep 0.1; done`;
  const file = `${dir}/lab.yaml`;
  writeFileSync(file, `name: ${lab}\nnodes:\n  a: { processes: [{ name: stubborn, command: [sh, -c, "${program}"] }] }\n  b: {}\n`);
  expect(neslink("apply", file, "--yes").status).toBe(0);
  const child = spawn(process.execPath, [BIN, "destroy", lab, "--yes"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  await until(() => existsSync(termed));
  child.kill("SIGINT");
  expect(await ended).toEqual({ code: null, signal: "SIGINT" });
  expect(stderr).toBe(`neslink: SIGINT: ${lab} is partly destroyed; "neslink destroy ${lab}" finishes it.\n`);
  const again = neslink("destroy", lab, "--yes");
  expect(again.status).toBe(0);
  expect(netnsList(`${lab}-`)).toEqual([]);
  expect(neslink("inspect", lab).status).toBe(1);
  // The program that outlived the interrupted destroy's SIGTERM is ended by the second one.
  expect(spawnSync("pgrep", ["-f", termed]).status).toBe(1);
}, 60_000);
