/** Named namespaces, as `ip netns list` finds them: the files of the mount dir. */
import { readdirSync } from "node:fs";
import { absolutePath } from "../validate/validate.js";
import { DEFAULT_NETNS_DIR } from "./providers.js";

/** Names of the namespaces in `dir` (default /run/netns), sorted; none if the dir does not exist. */
export function listNamed(dir: string = DEFAULT_NETNS_DIR): string[] {
  const at = absolutePath("dir", dir);
  try {
    return readdirSync(at, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}
