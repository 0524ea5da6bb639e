/**
 * Private mount dirs for tests of named namespaces: a dir under /run of the
 * test's own (neslink makes it a shared mount point, as /run/netns), so
 * nothing a test does to entries reaches /run/netns, and what the kernel
 * has mounted there, from /proc/self/mountinfo.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { parseMountinfo } from "../../src/mountinfo.js";

/** `/run/neslink-test-<prefix>`: not created here (creating a namespace in it does that). */
export function privateMountDir(prefix: string): string {
  return `/run/neslink-test-${prefix}`;
}

/** Mounts at `path` or below it, in mount order, with their filesystem type. */
export function mountsUnder(path: string): { point: string; fstype: string }[] {
  return parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).flatMap(({ at: point, fstype }) =>
    point === path || point.startsWith(`${path}/`) ? [{ point, fstype }] : [],
  );
}

/** Mount points at `path` or below it. */
export function mountPointsUnder(path: string): string[] {
  return mountsUnder(path).map((m) => m.point);
}

/** Unmounts everything under `dir` and `dir` itself (neslink bind-mounted it on itself), then removes it. */
export function removeMountDir(dir: string): void {
  for (const point of mountPointsUnder(dir).reverse()) execFileSync("umount", ["-l", point]);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The permission bits (octal) of the file a mount at `path` covers: seen from a mount namespace of its own
 * (unshare(1), whose mounts' propagation is private: nothing it does reaches this one) with that mount taken away.
 */
export function coveredMode(path: string): string {
  return execFileSync("unshare", ["-m", "sh", "-c", 'umount "$1" && stat -c %a "$1"', "sh", path], { encoding: "utf8" }).trim();
}
