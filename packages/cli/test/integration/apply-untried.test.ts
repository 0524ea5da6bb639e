/**
 * An apply that fails on a refused route tells, in its lines and its error, that route as failed with the kernel's
 * error and the routes after it (never sent) as not attempted; --json has them in the failure's `notAttempted`.
 * ip -j shows the node holds none of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import {
  ipv6OffByHand,
  LATER,
  REFUSED,
  refusedRouteLab,
  UNTRIED,
  withLaterPhases,
} from "../../../core/test/integration/refused-route-lab.js";
import { BIN, neslink } from "./run.js";
import { tmuxServer } from "./tmux.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-apply-untried-`);
const prefix = uniquePrefix("aun");

const { tmux, screenWhen, kill } = tmuxServer(prefix);

afterAll(() => {
  kill();
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The file of lab `name` (`text`), its nodes made first by an apply of their own, then node a's IPv6 turned off by hand
 * for the links made in it after (ipv6OffByHand): the kernel refuses the lab's IPv6 route, which no plan can foresee.
 */
function labFile(name: string, text = refusedRouteLab(name)): string {
  const nodes = `${dir}/${name}-nodes.yaml`;
  writeFileSync(nodes, `name: ${name}\nnodes:\n  a: {}\n  b: {}\n`);
  expect(neslink("apply", nodes, "--yes").status).toBe(0);
  ipv6OffByHand(`${name}-a`);
  const file = `${dir}/${name}.yaml`;
  writeFileSync(file, text);
  return file;
}

/** Those of the refused and untried routes that node a of `name` has (none, as it should be). */
const notMade = (name: string) =>
  ipJson<{ dst: string }[]>("-d", "-n", `${name}-a`, "route", "show")
    .map((r) => r.dst)
    .filter((dst) => [REFUSED, ...UNTRIED].some((r) => r.dst === dst));
const untried = UNTRIED.map((r) => r.text);

it("says which route was refused and which were not attempted, in its lines and its error", () => {
  const name = `${prefix}t`;
  const r = neslink("apply", labFile(name), "--yes");
  expect(r.status).toBe(1);
  // With the line that asked for it, as the error has it.
  expect(r.stdout).toContain(`\n  failed: ${REFUSED.text} (${dir}/${name}.yaml:${REFUSED.at}): netlink RTM_NEWROUTE failed: EACCES`);
  expect(r.stdout).toContain(`\n  not attempted: ${untried.join("; ")}\n`);
  expect(r.stderr).toContain(`\n  ${REFUSED.text} (${dir}/${name}.yaml:${REFUSED.at}): netlink RTM_NEWROUTE failed: EACCES`);
  expect(r.stderr).toContain(`\n    not attempted (stopped by that failure): ${untried.join("; ")}\n`);
  // Nothing untried reads as failed: the plan names them, and after it only the not attempted lines.
  const after = `${r.stdout.slice(r.stdout.indexOf("configuration:"))}${r.stderr}`;
  expect(
    after
      .split("\n")
      .filter((l) => l.includes(UNTRIED[0]?.dst as string))
      .map((l) => l.slice(0, l.indexOf(":") + 1)),
  ).toEqual(["  not attempted:", "    not attempted (stopped by that failure):"]);
  expect(notMade(name)).toEqual([]);
});

it("at a terminal, the bar says the refused route with its line in the file, as the error does", async () => {
  const name = `${prefix}b`;
  const file = labFile(name);
  const command = [process.execPath, BIN, "apply", file, "--yes"].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", "bar", "-x", "250", "-y", "40", `${command}; echo "EXIT=$?"; sleep 60`);
  const screen = await screenWhen("bar", (s) => s.includes("EXIT="));
  expect(screen).toContain("EXIT=1");
  // The bar's last state: the refused route with its place (before, it stayed on the last change made).
  const bar = screen.split("\n").find((l) => /^[=-]{30} \d+\/\d+ /.test(l));
  expect(bar?.replace(/^[=-]{30} \d+\/\d+ /, "").trimEnd()).toBe(`failed: ${REFUSED.text} (${file}:${REFUSED.at})`);
  expect(notMade(name)).toEqual([]);
});

it("lists them in --json's failures[].notAttempted", () => {
  const name = `${prefix}j`;
  const r = neslink("--json", "apply", labFile(name), "--yes");
  expect(r.status).toBe(1);
  const { error } = JSON.parse(r.stdout);
  expect(error.code).toBe("ERR_TOPOLOGY_APPLY");
  expect(error.failures).toEqual([{ changes: [REFUSED.text], notAttempted: untried, error: expect.objectContaining({ code: "EACCES" }) }]);
  expect(notMade(name)).toEqual([]);
});

it("counts the changes of phases never started as not attempted: planned = made + failed + not attempted", () => {
  const name = `${prefix}l`;
  const file = labFile(name, withLaterPhases(refusedRouteLab(name)));
  const planned: number = JSON.parse(neslink("--json", "apply", file, "--dry-run").stdout).changes.length;
  const r = neslink("--json", "apply", file, "--yes");
  expect(r.status).toBe(1);
  const { error } = JSON.parse(r.stdout);
  // Its nodes made by an apply before (labFile), a's command is one added since its commands ran.
  const [exec, ...rest] = LATER.texts;
  expect(error.notAttempted).toEqual([`${exec} (added since the node's commands ran)`, ...rest]);
  const untried = UNTRIED.length + LATER.texts.length;
  expect(error.message).toContain(`(${error.done.length} changes made; 1 failed, ${untried} not attempted;`);
  expect(error.done.length + 1 + untried).toBe(planned);
  // Neither the exec command (its dummy link) nor the program (a process in a's namespace) ran.
  expect(ipJson<{ ifname: string }[]>("-d", "-n", `${name}-a`, "link", "show").map((l) => l.ifname)).not.toContain(LATER.link);
  expect(ip("netns", "pids", `${name}-a`).trim()).toBe("");
});
