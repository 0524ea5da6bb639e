/**
 * Where namespaces' files are, apart from the providers (./providers.ts),
 * which bring the validation layer with them: entry checks and listings load
 * only this.
 */
import type { ExistingNsProvider } from "./providers.js";

/** Where `ip netns` keeps named namespaces. */
export const DEFAULT_NETNS_DIR = "/run/netns";

/** Why a closed handle, or a provider of one (ns.handle), is refused. */
export const HANDLE_CLOSED = "is closed: its descriptor's number may since have been given to another file";

/** The file that names the namespace, for providers that have one. */
export function nsPath(p: ExistingNsProvider, mainPid: number): string {
  switch (p.kind) {
    case "now":
      return `/proc/${mainPid}/task/${mainPid}/ns/net`;
    case "name":
      return `${p.dir}/${p.name}`;
    case "path":
      return p.path;
    case "process":
      return `/proc/${p.pid}/ns/net`;
    case "thread":
      return `/proc/${p.pid}/task/${p.tid}/ns/net`;
    case "handle":
      return `/proc/${mainPid}/fd/${p.fd}`;
  }
}
