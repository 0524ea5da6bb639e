/**
 * A mount dir on a file system that makes no unnamed files (O_TMPFILE:
 * EOPNOTSUPP): a FUSE one, bindfs over a temp dir of the test's own, which
 * leaves it unimplemented. Creates there make their entries by name.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { mountsUnder, removeMountDir } from "./mount-dir.js";

export interface FuseDir {
  /** The FUSE mount. */
  fuse: string;
  /** A mount dir in it (not created here: creating a namespace in it does that). */
  dir: string;
  /** Mounts it; resolves once the kernel shows the mount. */
  mount(): Promise<void>;
  /** Unmounts everything under it, ends bindfs and removes the temp dir. */
  remove(): void;
}

/** Named by the test's unique `prefix`, made only when mounted: a test file's describe that does not run leaves nothing. */
export function fuseDir(prefix: string): FuseDir {
  const base = `${tmpdir()}/neslink-${prefix}-fuse`;
  const fuse = `${base}/fuse`;
  const dir = `${fuse}/netns`;
  let bindfs: ChildProcess | undefined;
  return {
    fuse,
    dir,
    async mount() {
      mkdirSync(`${base}/backing`, { recursive: true });
      mkdirSync(fuse);
      // In the foreground (-f): a child of the test, ended with it.
      const spawned = spawn("bindfs", ["-f", `${base}/backing`, fuse], { stdio: "inherit" });
      bindfs = spawned;
      while (!mountsUnder(fuse).some((m) => m.point === fuse && m.fstype === "fuse")) {
        if (spawned.exitCode !== null || spawned.signalCode !== null)
          throw new Error(`bindfs ended: ${spawned.exitCode ?? spawned.signalCode}`);
        await sleep(10);
      }
    },
    remove() {
      removeMountDir(dir);
      if (mountsUnder(fuse).length > 0) removeMountDir(fuse);
      bindfs?.kill("SIGKILL");
      rmSync(base, { recursive: true, force: true });
    },
  };
}
