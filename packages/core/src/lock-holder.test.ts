import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratch } from "../test/scratch.js";
import { holderOf, markedServer, type ServerMark } from "./lock-holder.js";

const files = scratch("holder");

/**
 * A process that holds a shared flock on each file of `locked` and listens on 127.0.0.1 and on the unix socket
 * `socket`: a server marked as such when one of the files is its kind's mark. Resolves with its pid and TCP port.
 */
async function server(locked: string[], socket: string): Promise<{ pid: string; port: number }> {
  const code = `import fcntl, socket, sys
held = [open(p) for p in sys.argv[2:]]
for f in held: fcntl.flock(f, fcntl.LOCK_SH)
tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen()
unix = socket.socket(socket.AF_UNIX); unix.bind(sys.argv[1]); unix.listen()
print(tcp.getsockname()[1], flush=True)
sys.stdin.read()`;
  const proc = spawn("python3", ["-c", code, socket, ...locked], { stdio: ["pipe", "pipe", "inherit"] });
  files.child = proc;
  const port = await new Promise<number>((resolve) => proc.stdout?.once("data", (chunk: Buffer) => resolve(Number(chunk.toString()))));
  return { pid: String(proc.pid), port };
}

describe("a lock's holder, in words", () => {
  it("names a process holding a server's mark as that server, with where it listens", async () => {
    const marks: ServerMark[] = [
      { path: join(files.dir, "agents.lock"), name: "the neslink agent" },
      { path: join(files.dir, "http-servers.lock"), name: "the neslink HTTP server", scheme: "http://" },
    ];
    for (const { path } of marks) writeFileSync(path, "");
    const socket = join(files.dir, "api.sock");
    const { pid, port } = await server([marks[1]?.path as string], socket);
    expect(markedServer(pid, marks)).toBe(`the neslink HTTP server (pid ${pid}, listening on http://127.0.0.1:${port}, ${socket})`);
    // Unix sockets are named by path, whatever the kind's scheme.
    expect(markedServer(pid, [{ ...(marks[0] as ServerMark), path: marks[1]?.path as string }])).toBe(
      `the neslink agent (pid ${pid}, listening on 127.0.0.1:${port}, ${socket})`,
    );
    expect(markedServer(pid, marks.slice(0, 1))).toBeUndefined();
  });

  it("names any other holder by its pid and command line, this process as itself, and an unknown one as another process", async () => {
    const { pid } = await server([], join(files.dir, "other.sock"));
    // Its command line clipped, its newlines shown as "?".
    const unmarked = new RegExp(`^another process \\(pid ${pid}: \\S*python3 -c import fcntl, socket, sys\\?held = .*\\.\\.\\.\\)$`);
    expect(holderOf(pid)).toEqual({ words: expect.stringMatching(unmarked), server: false });
    expect(holderOf(String(process.pid))).toEqual({ words: `this process (pid ${process.pid}), in another of its calls`, server: false });
    expect(holderOf("")).toEqual({ words: "another process", server: false });
  });
});
