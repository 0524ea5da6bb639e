/**
 * The mark a listening HTTP server holds (core's HTTP_SERVER_MARK): a lab's
 * lock its process holds is named, to the CLI user who meets it, as the
 * HTTP server's, with its pid and where it listens (it said "another
 * process (pid N: node .../bin.js ...)"); the mark is held from listening
 * until the server closes, one file for every server.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HTTP_SERVER_MARK, markHolders } from "@neslink/core";
import { describe, expect, it } from "vitest";
import { netnsList } from "../../../core/test/integration/kernel.js";
import { createServer, listen } from "../../src/index.js";
import { binTest, startBin, until, within } from "./bin-process.js";
import { endAll } from "./in-process.js";

const { prefix, files } = binTest("hm");
const CLI = fileURLToPath(new URL("../../../cli/dist/bin.cjs", import.meta.url));
const EMBEDDED_APPLY = fileURLToPath(new URL("../fixtures/embedded-apply.mjs", import.meta.url));

function neslink(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** How many marks this process holds (each listening server one). */
const ownMarks = () => markHolders(HTTP_SERVER_MARK).filter((pid) => pid === String(process.pid)).length;

describe("the HTTP server's mark", () => {
  it.each([
    { on: "TCP", tag: "t", args: (_: string) => ["--port", "0"] },
    { on: "a unix socket", tag: "u", args: (lab: string) => ["--socket", join(files.dir, `${lab}.sock`)] },
  ])("names the server on $on to a CLI user who meets a lab's lock it holds, with its pid and where it listens", async ({ tag, args }) => {
    const lab = `${prefix}${tag}`;
    const [started, go, file] = ["started", "go", "lab.yaml"].map((name) => join(files.dir, `${lab}-${name}`)) as [string, string, string];
    // The node's command holds the server process's apply (and the lab's lock) until the test lets it go.
    writeFileSync(file, `name: ${lab}\nnodes:\n  a: { exec: [[sh, -c, "touch ${started}; while [ ! -e ${go} ]; do sleep 0.05; done"]] }\n`);
    const bin = await startBin(["--token-file", files.tokenFile, ...args(lab)], {
      node: ["--import", EMBEDDED_APPLY],
      env: { NESLINK_TEST_APPLY: file },
    });
    const pid = bin.child.pid as number;
    try {
      await until(() => existsSync(started), 30_000, "the apply's command");
      const said =
        `topology ${lab} is being applied or destroyed by the neslink HTTP server (pid ${pid}, listening on ${bin.where}): ` +
        `wait for that to end, or stop it (kill ${pid})`;
      expect(neslink("apply", file, "--yes")).toEqual({ status: 1, stdout: "", stderr: `neslink: ERR_TOPOLOGY_LOCKED: ${said}\n` });
      const json = neslink("--json", "apply", file, "--yes");
      expect(json.status).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({ error: { name: "TopologyLockedError", code: "ERR_TOPOLOGY_LOCKED", message: said } });
      // plan refuses to read a lab half made, naming the same holder.
      expect(neslink("plan", file)).toMatchObject({ status: 1, stderr: `neslink: ERR_TOPOLOGY_LOCKED: ${said}\n` });
    } finally {
      writeFileSync(go, "");
    }
    await until(() => bin.stderr().includes("test: applied"), 30_000, `the server's apply to end:\n${bin.stderr()}`);
    expect(netnsList(`${lab}-`)).toEqual([`${lab}-a`]);
    bin.child.kill("SIGTERM");
    expect(await within(bin.exited, 15_000, "exit")).toEqual({ code: 0, signal: null });
    expect(neslink("destroy", lab, "--yes").status).toBe(0);
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("is held from listening until the server closes, one file for every server", async () => {
    const servers: Server[] = [];
    try {
      const [first, second] = [createServer({ token: files.token }), createServer({ token: files.token })];
      servers.push(first, second);
      const before = ownMarks();
      expect(before).toBe(0);
      await listen(first, { port: 0 });
      expect(ownMarks()).toBe(1);
      await listen(second, { socket: join(files.dir, "second.sock") });
      expect(ownMarks()).toBe(2);
      // One file whatever the number of servers, and nothing else of theirs beside it.
      expect(readdirSync(dirname(HTTP_SERVER_MARK)).filter((name) => name.startsWith("http"))).toEqual(["http-servers.lock"]);
      // Let go of once it has closed, which follows the drain's end (its requests, which may hold locks, are over).
      await first.drain();
      await until(() => ownMarks() === 1, 5_000, "the drained server's mark to go");
      await new Promise((resolve) => second.close(resolve));
      expect(ownMarks()).toBe(0);
      // Listening again marks it again.
      await listen(first, { port: 0 });
      expect(ownMarks()).toBe(1);
    } finally {
      await endAll(
        servers.filter((s) => s.listening),
        prefix,
      );
    }
    expect(ownMarks()).toBe(0);
  });
});
