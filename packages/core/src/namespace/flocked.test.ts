import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityOfFd } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { flockHolder } from "./flocked.js";

// 40 to 260 flocks held, one taken or released as fast as a process can: /proc/locks runs to several pages and changes
// between them. The kernel lists the newest first: the flock asked about, taken before them all, falls on each page
// boundary in turn (it was missed ~1 reading in 500).
const CHURN = `
import fcntl, os, random, sys
held, wanted = [], 150
for i in range(10**9):
    if i == 150:
        print("ready", flush=True)
    if i % 50 == 0:
        wanted = random.randrange(40, 260)
    if len(held) < wanted:
        path = os.path.join(sys.argv[1], str(i))
        fd = os.open(path, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.append((fd, path))
    else:
        fd, path = held.pop(random.randrange(len(held)))
        os.unlink(path)
        os.close(fd)
`;
let dir: string;
let churn: ChildProcess | undefined;
let fd: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "neslink-flocked-"));
  fd = openSync(join(dir, "mine"), "w");
  expect(libc.tryLock(fd, libc.LOCK_EX)).toBe(true);
  churn = spawn("python3", ["-c", CHURN, dir], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ready) => churn?.stdout?.once("data", ready));
});
afterAll(async () => {
  // Waited for: its ~150 flocks go with it, not while the next file in this worker runs.
  const exited = churn && churn.exitCode === null && churn.signalCode === null ? once(churn, "exit") : undefined;
  churn?.kill("SIGKILL");
  await exited;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

describe("who holds a flock", () => {
  // 3000 readings, or as many as 3 s allow: on a loaded machine each is slower (and more often cut by a change).
  it("is found while many other flocks come and go (a reading of /proc/locks spans pages)", { timeout: 30_000 }, () => {
    const file = identityOfFd(fd);
    const holders: string[] = [];
    for (const end = Date.now() + 3000; holders.length < 3000 && Date.now() < end; ) holders.push(flockHolder(file));
    expect(holders.filter((holder) => holder !== String(process.pid))).toEqual([]);
  });
});
