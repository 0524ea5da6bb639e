/**
 * A brand-new network namespace for a thread that must not leave its own:
 * util-linux's unshare makes it in a child process and runs cat there, which
 * holds it until told to end. cat echoes a byte once it runs, that is once
 * unshare(2) has succeeded; the namespace is then opened through the child's
 * /proc entry and checked (nsfs, a network namespace, not this thread's).
 * The child reads its stdin: when it is ended, or this process dies, cat
 * reads end-of-file and exits, so nothing outlives its use.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { basename } from "node:path";
import { identityOfFd, identityOfPath, keyOfIdentity } from "./ffi/identity.js";
import * as libc from "./ffi/libc.js";
import { openNamespace } from "./namespace/entry.js";

export interface FreshNs {
  /** A checked descriptor on the new namespace (untracked: `end` closes it). */
  fd: number;
  /** Closes the descriptor and ends the child; resolves once it has exited. */
  end(): Promise<void>;
}

/** Resolves once the child has echoed (runs in the new namespace); rejects with unshare's own words if it ended first. */
function running(child: ChildProcessWithoutNullStreams, unshare: string): Promise<void> {
  let said = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    said += text;
  });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("error", reject);
    child.once("close", (status, signal) =>
      reject(new Error(`${basename(unshare)} ended (${status ?? signal}) before the namespace was made: ${said.trim()}`)),
    );
  });
}

/** The new namespace, held by a child started with `unshare` (util-linux's) running `cat`. */
export async function freshNamespace(unshare: string, cat: string): Promise<FreshNs> {
  const child = spawn(unshare, ["--net", "--", cat], { stdio: "pipe" });
  // "close" may not come for a child that could not start: "error" ends it too.
  const exited = new Promise<void>((resolve) => {
    child.once("close", () => resolve());
    child.once("error", () => resolve());
  });
  // A child that died has its exit reported by `running`; writing to it then is no error of ours.
  child.stdin.on("error", () => {});
  const stop = () => {
    child.stdin.end();
    return exited;
  };
  let fd: number;
  try {
    child.stdin.write("\n");
    await running(child, unshare);
    fd = openNamespace(`/proc/${child.pid}/ns/net`, { follow: true });
  } catch (err) {
    await stop();
    throw err;
  }
  if (keyOfIdentity(identityOfFd(fd)) === keyOfIdentity(identityOfPath("/proc/thread-self/ns/net"))) {
    libc.close(fd);
    await stop();
    throw new Error(`${basename(unshare)} --net ran its program in this thread's own namespace`);
  }
  return {
    fd,
    end: () => {
      libc.close(fd);
      return stop();
    },
  };
}
