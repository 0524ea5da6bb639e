/**
 * What apply says when it is interrupted once changes have begun is what
 * became of the lab: a line of `neslink shell` (no agent) ends with the shell,
 * the lab part-made; a reader of its output that leaves does not end it (Node
 * ignores SIGPIPE), and it applies on to the end.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { starLab } from "./star-lab.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-interrupted-`);
const prefix = uniquePrefix("i");
const HOSTS = 30;

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** The lab's file: a star of HOSTS hosts. */
const star = (lab: string) => starLab(`${dir}/${lab}.yaml`, lab, HOSTS, 61);

/** Runs the bin with `args`; once its output shows apply's first change, calls `then` with the child. */
function onFirstChange(args: string[], then: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let fired = false;
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (!fired && /\[1\/\d+\]/.test(out)) {
      fired = true;
      then(child);
    }
  });
  // A reader that left is one that reads no more: its errors are of no interest.
  child.stdout.on("error", () => {});
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr: err })),
  );
}

it("Ctrl-C to `neslink shell` during an apply line: the lab is said to be partly applied (there is no agent), and is", async () => {
  const lab = `${prefix}s`;
  const file = star(lab);
  const script = `${dir}/script`;
  writeFileSync(script, `apply ${file} --yes\n`);
  const ended = await onFirstChange(["shell", "-f", script], (child) => child.kill("SIGINT"));
  expect(ended.signal).toBe("SIGINT");
  expect(ended.stderr).toMatch(
    new RegExp(
      `neslink: SIGINT: ${lab} is partly applied \\(\\d+ changes? made, \\d+ not attempted\\); "neslink apply ${file}" finishes it`,
    ),
  );
  expect(ended.stderr).not.toContain("agent");
  // Stopped once the changes in flight ended (the first wave's namespaces all made): what is left, a plan still finds.
  expect(neslink("plan", file, "--detailed-exitcode").status).toBe(4);
  expect(neslink("destroy", lab, "--yes").status).toBe(0);
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 60_000);

it("its output's reader gone (| head): said to go on, it applies the whole lab, and exits as SIGPIPE would (141)", async () => {
  const lab = `${prefix}p`;
  const file = star(lab);
  const ended = await onFirstChange(["apply", file, "--yes"], (child) => child.stdout?.destroy());
  expect(ended.stderr).toBe(`neslink: SIGPIPE: the output's reader left; ${lab} goes on being applied to its end.\n`);
  expect(ended.code).toBe(141);
  expect(netnsList(`${lab}-`)).toHaveLength(HOSTS + 1);
  expect(neslink("plan", file, "--detailed-exitcode").status).toBe(0);
  expect(neslink("destroy", lab, "--yes").status).toBe(0);
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 60_000);
