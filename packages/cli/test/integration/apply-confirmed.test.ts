/**
 * What is confirmed at apply's question is what apply does: the lab changed
 * by someone else while the question waited, apply refuses, changes nothing,
 * and says what the plan has now (run under tmux: the question needs a pty).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { exampleAs } from "./example.js";
import { tmuxServer } from "./tmux.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-confirmed-`);
const lab = uniquePrefix("c");
const { tmux, screenWhen, kill } = tmuxServer(lab);

afterAll(() => {
  kill();
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** The router lab with `node` (a line of YAML) added, written to `path`. */
function withNode(path: string, node: string): string {
  const text = readFileSync(exampleAs("router.yaml", lab, path), "utf8");
  writeFileSync(path, text.replace(/^links:$/m, `  ${node}\nlinks:`));
  return path;
}

it("refuses at a terminal, nothing changed, when the lab changed between the plan shown and the yes", async () => {
  expect(neslink("apply", exampleAs("router.yaml", lab, `${dir}/router.yaml`), "--yes").status).toBe(0);
  const mine = withNode(`${dir}/mine.yaml`, "x: {}");
  const theirs = withNode(`${dir}/theirs.yaml`, 'y: { processes: [[sleep, "1000"]] }');
  const command = [process.execPath, BIN, "apply", mine].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", "apply", "-x", "160", "-y", "50", `${command}; echo "EXIT=$?"; sleep 60`);
  const asked = await screenWhen("apply", (s) => s.includes("[y/N]"));
  expect(asked).toContain(`Plan for ${lab}: 1 to add, 0 to change, 0 to destroy.`);

  // While the question waits, someone else applies the lab with a node of theirs.
  expect(neslink("apply", theirs, "--yes").status).toBe(0);
  const program = ip("netns", "pids", `${lab}-y`).trim();
  tmux("send-keys", "-t", "apply", "y", "Enter");
  const screen = await screenWhen("apply", (s) => s.includes("EXIT="));
  expect(screen).toContain(`neslink: ERR_TOPOLOGY_PLAN_CHANGED: the plan for ${lab} changed since it was shown`);
  expect(screen).toContain(`now also: - netns ${lab}-y (node y)`);
  expect(screen).toContain("EXIT=1");
  expect(netnsList(`${lab}-`).sort()).toEqual([`${lab}-h1`, `${lab}-h2`, `${lab}-r1`, `${lab}-y`]);
  expect(ip("netns", "pids", `${lab}-y`).trim()).toBe(program);

  expect(neslink("destroy", lab, "--yes").status).toBe(0);
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 60_000);
