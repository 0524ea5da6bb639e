/**
 * A lock's holder (a pid, as /proc/locks gives it) in words a user can act
 * on. neslink's own servers take locks for their clients, so the process a
 * user meets is often not one they started: one marked as such
 * (process-mark.ts) is named for what it is, with where it listens, which
 * tells one server from another and where its clients come from. Any other
 * process is named by its pid and what it runs. Read on error paths only.
 * A namespace entry's EBUSY (namespace/entry.ts) still names its holder by
 * pid alone: that module is loaded by every one-shot command, and this one
 * with it cost each ~0.8M instructions more (0.3%) for a rare message.
 */
import { listeningOn } from "./listening.js";
import { describedHolder, isPid } from "./namespace/flocked.js";
import { AGENT_MARK, HTTP_SERVER_MARK, markHolders } from "./process-mark.js";

/** A kind of server, as its mark names it. */
export interface ServerMark {
  /** The file every server of the kind marks itself on. */
  path: string;
  /** What a user calls one: "the neslink agent". */
  name: string;
  /** What its TCP addresses are written after, as clients give them ("http://"). */
  scheme?: string;
}

/** neslink's own servers. */
export const SERVER_MARKS: readonly ServerMark[] = [
  { path: AGENT_MARK, name: "the neslink agent" },
  { path: HTTP_SERVER_MARK, name: "the neslink HTTP server", scheme: "http://" },
];

/**
 * Process `pid` named as the server it is marked as ("the neslink HTTP
 * server (pid 12, listening on http://127.0.0.1:7470)"); undefined when it
 * holds none of `marks`.
 */
export function markedServer(pid: string, marks: readonly ServerMark[] = SERVER_MARKS): string | undefined {
  if (!isPid(pid)) return undefined;
  const mark = marks.find(({ path }) => markHolders(path).includes(pid));
  if (mark === undefined) return undefined;
  const where = listeningOn(pid).map((at) => (at.startsWith("/") || at.startsWith("@") ? at : `${mark.scheme ?? ""}${at}`));
  return `${mark.name} (pid ${pid}${where.length > 0 ? `, listening on ${where.join(", ")}` : ""})`;
}

/**
 * Process `pid` as a user can find it: "another process (pid 12: COMMAND
 * LINE)", the command line saying what the user started (a script, `ip`...);
 * "another process" alone when no pid is known.
 */
function anotherProcess(pid: string): string {
  return pid === "" ? "another process" : `another process (${describedHolder(pid)})`;
}

/**
 * The holder in words: this very process (two of its calls met: an HTTP
 * server's requests, an agent's commands), a server as markedServer names it
 * (`server`: it holds the lock for a client), else another process.
 */
export function holderOf(pid: string): { words: string; server: boolean } {
  if (pid === String(process.pid)) return { words: `this process (pid ${pid}), in another of its calls`, server: false };
  const server = markedServer(pid);
  return server === undefined ? { words: anotherProcess(pid), server: false } : { words: server, server: true };
}
