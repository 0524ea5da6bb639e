// A create and deletes of one name racing, in loops: a delete says it
// deleted the namespace exactly when its unmount took one down (the one a
// create had just made). It said ERR_NS_NOT_FOUND having unmounted it:
// another delete, finding the entry empty between that unmount and its
// unlink, removed it as a leftover and said it deleted the namespace, and
// the delete that had unmounted it found its file gone. Each delete's system calls are traced (strace) to know which unmounted.
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
      : spawn("strace", ["-f", "-qq", "-e", "trace=umount2,getppid", "-o", trace, process.execPath, ...argv], {
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

/** For each call the trace `file` marks (a getppid before each), whether an umount2 of it returned 0 (on any thread). */
function unmountedByCall(file: string): boolean[] {
  const calls: boolean[] = [];
  for (const traced of readFileSync(file, "utf8").split("\n")) {
    const line = traced.replace(/^\d+ +/, "");
    if (line.startsWith("getppid(")) calls.push(false);
    // One another thread's system call cut in two ends on a line of its own: "<... umount2 resumed>) = 0".
    else if (/^(umount2\(|<\.\.\. umount2 resumed>)/.test(line) && / = 0$/.test(line) && calls.length > 0) calls[calls.length - 1] = true;
  }
  return calls;
}

it.each(["del", "del-worker"])(
  `a create and ${DELETERS} deletes (%s) of one name, ${ROUNDS} times each: a delete says it deleted the namespace exactly when its unmount took one down`,
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
      const unmounted = unmountedByCall(d.trace);
      expect(unmounted).toHaveLength(ROUNDS);
      // A delete that took a namespace down deleted it; one that did not deleted nothing (nobody is killed here, so no
      // empty entry is a leftover: each is a create's or a delete's under way) and says ERR_NS_NOT_FOUND.
      const misreported = outcomes.flatMap((o, i) =>
        (o === "ok") !== unmounted[i] ? [`call ${i}: ${o}, unmounted: ${unmounted[i]}`] : [],
      );
      expect(misreported).toEqual([]);
      expect(outcomes.filter((o) => o !== "ok" && o !== "ERR_NS_NOT_FOUND")).toEqual([]);
      unmounting += unmounted.filter(Boolean).length;
    }
    // The race was run: namespaces were made and taken down by the deletes.
    expect(added.filter((o) => o === "ok").length).toBeGreaterThan(0);
    expect(unmounting).toBeGreaterThan(0);
    // Whatever the last call was, one namespace at most, and no mount stacked on another.
    expect(mountsUnder(dir).filter((m) => m.point === `${dir}/${prefix}x`).length).toBeLessThanOrEqual(1);
  },
  120_000,
);
