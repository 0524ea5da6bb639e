// A create and deletes of one name racing, in loops: a delete whose unmount
// took the namespace down (the one a create had just made) says it deleted
// it. It said ERR_NS_NOT_FOUND: another delete, finding the entry empty
// between that unmount and its unlink, removed it as a leftover and said it
// deleted the namespace, and the delete that had unmounted it found its file
// gone. Each delete's system calls are traced (strace) to know what it did.
// Both ways of deleting: from the calling thread (what `neslink ns del` does)
// and on a pool worker (through the agent, or na.deleteNamed).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";
import { mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("nd");
const dir = privateMountDir(prefix);
const traces = mkdtempSync(`${tmpdir()}/neslink-add-del-`);
const SCRIPT = fileURLToPath(new URL("../fixtures/named-loop.mjs", import.meta.url));
const ROUNDS = 1000;
const DELETERS = 3;

afterAll(() => {
  removeMountDir(dir);
  rmSync(traces, { recursive: true, force: true });
});

/** The fixture looping `way` (traced into `trace` when given); its outcomes once it ends. */
function looper(way: string, trace?: string): { ready: Promise<void>; child: ChildProcess; done: Promise<string[]> } {
  const argv = [SCRIPT, dir, `${prefix}x`, String(ROUNDS), way];
  const child =
    trace === undefined
      ? spawn(process.execPath, argv, { stdio: ["pipe", "pipe", "inherit"] })
      : spawn("strace", ["-f", "-qq", "-e", "trace=umount2,unlink,unlinkat,getppid", "-o", trace, process.execPath, ...argv], {
          stdio: ["pipe", "pipe", "inherit"],
        });
  let out = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  const ready = new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.split("\n")[1] as string)) : reject(new Error(`exited ${code}`)))),
  );
  return { ready, child, done };
}

/** What each call the trace `file` marks (a getppid before each) did, on any of its threads: unmounted, unlinked. */
function doneByCall(file: string): { unmounted: boolean; unlinked: boolean }[] {
  const calls: { unmounted: boolean; unlinked: boolean }[] = [];
  for (const traced of readFileSync(file, "utf8").split("\n")) {
    // Another thread's system call cut in two ends on a line of its own: "<... umount2 resumed>) = 0".
    const line = traced.replace(/^\d+ +/, "").replace(/^<\.\.\. (\w+) resumed>/, "$1(");
    const call = calls.at(-1);
    if (line.startsWith("getppid(")) calls.push({ unmounted: false, unlinked: false });
    else if (call && / = 0$/.test(line) && line.startsWith("umount2(")) call.unmounted = true;
    else if (call && / = 0$/.test(line) && /^unlink(at)?\(/.test(line)) call.unlinked = true;
  }
  return calls;
}

it.each(["del", "del-worker"])(
  `a create and ${DELETERS} deletes (%s) of one name, ${ROUNDS} times each: a delete whose unmount took the namespace down says it deleted it`,
  async (way) => {
    const adder = looper("add");
    const deleters = Array.from({ length: DELETERS }, (_, i) => ({
      trace: `${traces}/${way}${i}`,
      ...looper(way, `${traces}/${way}${i}`),
    }));
    const all = [adder, ...deleters];
    await Promise.all(all.map((l) => l.ready));
    for (const l of all) l.child.stdin?.end("go\n");
    const added = await adder.done;
    let unmounting = 0;
    for (const d of deleters) {
      const outcomes = await d.done;
      const done = doneByCall(d.trace);
      expect(done).toHaveLength(ROUNDS);
      // A delete says it deleted the namespace exactly when its unmount took it down. Any other loses, ERR_NS_NOT_FOUND:
      // no entry is ever empty for it to remove (a create's file is locked before it has its name, see claim.ts; it was
      // removed in the instant between its making and its lock, the delete saying it had deleted it).
      const misreported = outcomes.flatMap((o, i) => {
        const { unmounted, unlinked } = done[i] as { unmounted: boolean; unlinked: boolean };
        return unmounted !== (o === "ok") ? [`call ${i}: ${o}, unmounted: ${unmounted}, unlinked: ${unlinked}`] : [];
      });
      expect(misreported).toEqual([]);
      expect(outcomes.filter((o) => o !== "ok" && o !== "ERR_NS_NOT_FOUND")).toEqual([]);
      unmounting += done.filter((c) => c.unmounted).length;
    }
    // The race was run: namespaces were made and taken down by the deletes.
    expect(added.filter((o) => o === "ok").length).toBeGreaterThan(0);
    expect(unmounting).toBeGreaterThan(0);
    // Whatever the last call was, one namespace at most, and no mount stacked on another.
    expect(mountsUnder(dir).filter((m) => m.point === `${dir}/${prefix}x`).length).toBeLessThanOrEqual(1);
  },
  120_000,
);
