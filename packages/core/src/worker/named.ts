/**
 * Named namespaces made and removed the way iproute2 does, so `ip netns list`
 * shows them and `ip -n NAME` uses them: a file in a shared mount dir with the
 * namespace bind-mounted on it.
 */
import { closeSync, constants, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import type { NamedNs } from "../actions/ns-actions.js";
import { AlreadyExistsError, NotFoundError, SystemCallError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { comeBack, openCurrent } from "./switch.js";

const EINVAL = 22;

/** The mount dir must be a shared mount point, so mounts made in it reach every mount namespace. */
function prepareDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  } catch (err) {
    if (!(err instanceof SystemCallError && err.errno === EINVAL)) throw err;
    // Not a mount point yet: make it one, then shared.
    libc.mount(dir, dir, "none", libc.MS_BIND | libc.MS_REC);
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  }
}

/** Creates `${dir}/${name}` holding a brand-new namespace. On any failure nothing is left behind. */
export async function createNamed(name: string, dir: string): Promise<NamedNs> {
  prepareDir(dir);
  const path = `${dir}/${name}`;
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_EXCL, 0o444));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new AlreadyExistsError("namespace", `a namespace named "${name}" already exists in ${dir}`);
    throw err;
  }
  const origin = openCurrent();
  try {
    const made = await comeBack(origin, () => {
      libc.unshare(libc.CLONE_NEWNET);
      libc.mount("/proc/thread-self/ns/net", path, "none", libc.MS_BIND);
    });
    if (made.error !== undefined) throw made.error;
    if (!made.returned) throw made.returnError;
    return { name, path };
  } catch (err) {
    try {
      libc.umount2(path, libc.MNT_DETACH);
    } catch {
      // Not mounted: the failure came before the bind mount.
    }
    unlinkSync(path);
    throw err;
  } finally {
    closeSync(origin);
  }
}

/** Removes a named namespace; returns its "dev:ino" so sockets held on it can be closed. */
export function deleteNamed(name: string, dir: string): { ns: NamedNs; key: string } {
  const path = `${dir}/${name}`;
  let key: string;
  try {
    const st = statSync(path);
    key = `${st.dev}:${st.ino}`;
  } catch {
    throw new NotFoundError("namespace", `no namespace named "${name}" in ${dir}`);
  }
  try {
    libc.umount2(path, libc.MNT_DETACH);
  } catch (err) {
    if (!(err instanceof SystemCallError && err.errno === EINVAL)) throw err;
  }
  unlinkSync(path);
  return { ns: { name, path }, key };
}
