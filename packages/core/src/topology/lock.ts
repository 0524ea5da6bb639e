/**
 * One apply or destroy of a topology at a time, across processes: an
 * exclusive flock on /run/neslink/topologies/<name>.lock. The kernel releases
 * it when its holder exits, however it exits, so a killed apply never leaves
 * the topology locked.
 */
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { NeslinkError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { labName } from "./shape.js";

export const LOCK_DIR = "/run/neslink/topologies";

/** Another process is applying or destroying the same topology. */
export class TopologyLockedError extends NeslinkError {
  constructor(topology: string, holder: string) {
    super(
      "ERR_TOPOLOGY_LOCKED",
      `topology ${topology} is being applied or destroyed by another process${holder ? ` (pid ${holder})` : ""}`,
    );
  }
}

/** Takes the topology's lock or throws TopologyLockedError at once; returns its release. */
export function lockTopology(topology: string): () => void {
  // The name becomes a file name: only a lab's name, never a path.
  labName("topology", topology);
  mkdirSync(LOCK_DIR, { recursive: true, mode: 0o700 });
  const path = `${LOCK_DIR}/${topology}.lock`;
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  let locked: boolean;
  try {
    locked = libc.tryLock(fd, libc.LOCK_EX);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (!locked) {
    closeSync(fd);
    throw new TopologyLockedError(topology, readFileSync(path, "utf8").trim());
  }
  // Who holds it, for the message another process gets; the lock itself is the flock.
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);
  return () => closeSync(fd);
}
