/**
 * What a network engineer trying neslink for the first time ran into, each
 * reproduced with the built bin as they would type it.
 */
import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, inodeOf, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink, neslinkWith } from "./run.js";

const prefix = uniquePrefix("fh");
const scratch = mkdtempSync(join(tmpdir(), "neslink-firsthour-"));

afterAll(() => {
  cleanup(prefix);
  rmSync(scratch, { recursive: true, force: true });
});

describe("neslink exec reads its program as ip netns exec does", () => {
  const name = `${prefix}x`;

  it('takes the program\'s own options after CMD without "--" (`neslink exec NS ip -j link show`), directly and in shell', () => {
    expect(neslink("ns", "add", name)).toMatchObject({ status: 0 });
    const fromIp = ipJson<{ ifname: string }[]>("-n", name, "link", "show").map((l) => l.ifname);
    const direct = neslink("exec", name, "ip", "-j", "link", "show");
    expect(direct).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(direct.stdout).map((l: { ifname: string }) => l.ifname)).toEqual(fromIp);
    // With -n, and neslink's --json before CMD while the program's own --json after it stays the program's.
    const collected = neslink("--json", "exec", "-n", name, "sh", "-c", 'echo "$@"', "sh", "-x", "--json");
    expect(collected.status).toBe(0);
    expect(JSON.parse(collected.stdout)).toMatchObject({ status: 0, stdout: "-x --json\n" });
    const lines = neslinkWith(`ns exec ${name} ip -j link show\n`, "shell");
    expect(lines).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(lines.stdout).map((l: { ifname: string }) => l.ifname)).toEqual(fromIp);
  });

  it("does not blame the program for a namespace it could not enter: EACCES on NS is exit 1, not 126", () => {
    // A directory others cannot search, and neslink without the capabilities that would let root through anyway.
    const closed = join(scratch, "closed");
    mkdirSync(closed, { mode: 0o700 });
    chownSync(closed, 65534, 65534);
    const path = join(closed, "ns");
    const r = spawnSync("setpriv", ["--bounding-set=-dac_override,-dac_read_search", process.execPath, BIN, "exec", path, "--", "true"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`neslink: EACCES: statx failed: EACCES (${path}) (entering the namespace of provider "path")\n`);
  });
});

describe("neslink shell", () => {
  const name = `${prefix}s`;

  it("with --json, an exec line's program gets its own arguments only (--json was appended to them)", () => {
    expect(neslink("ns", "add", name)).toMatchObject({ status: 0 });
    const r = neslinkWith(`exec ${name} -- sh -c 'echo "[$*]"' sh\n`, "--json", "shell");
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 0, stdout: "[]\n" });
  });

  it("at a terminal's prompt, a line with a pipe is refused and the session goes on (it ended the shell)", () => {
    // util-linux's script gives the shell a terminal and types the lines; -e: its status is the shell's.
    const lines = `ns list | grep x\nexec ${name} echo still here\n`;
    const r = spawnSync("script", ["-eqc", `"${process.execPath}" "${BIN}" shell`, "/dev/null"], {
      encoding: "utf8",
      input: lines,
      timeout: 30_000,
    });
    const out = r.stdout.replace(/\r/g, "");
    expect(out).toContain('neslink: ERR_INVALID_ARGUMENT: line 1: shell syntax is not supported here: "|"');
    expect(out).toMatch(/^(neslink> )?still here$/m);
    expect(r.status).toBe(0);
  });
});

describe("neslink inspect", () => {
  const lab = `${prefix}p`;

  it("shows the programs a lab runs, not only in --json: name, state, pid and log", () => {
    const file = join(scratch, "programs.yaml");
    writeFileSync(file, `name: ${lab}\nnodes:\n  srv:\n    processes:\n      - { name: idle, command: [sleep, "300"] }\n`);
    try {
      expect(neslink("apply", file, "--yes")).toMatchObject({ status: 0 });
      const [shown] = JSON.parse(neslink("--json", "inspect", lab).stdout) as { nodes: { processes: { pid: number }[] }[] }[];
      const pid = shown?.nodes[0]?.processes[0]?.pid;
      // The kernel's word: that pid is a sleep inside the node's namespace.
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toEqual(["sleep", "300", ""]);
      expect(statSync(`/proc/${pid}/ns/net`).ino).toBe(inodeOf(`/run/netns/${lab}-srv`));
      const table = neslink("inspect", lab);
      expect(table.status).toBe(0);
      expect(table.stdout).toMatch(/^LAB\s+NODE\s+PROGRAM\s+STATE\s+PID\s+LOG$/m);
      expect(table.stdout).toMatch(new RegExp(`^${lab}\\s+srv\\s+idle\\s+running\\s+${pid}\\s+/run/neslink/topologies/${lab}/srv/idle\\.log$`, "m"));
    } finally {
      neslink("destroy", lab, "--yes");
    }
  });
});
