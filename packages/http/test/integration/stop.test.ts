/**
 * The bin on a unix socket, stopped by a signal with its pool started and a
 * program running for a request: SIGTERM, SIGINT or SIGHUP (its terminal
 * closed) stops accepting at once (the socket file goes), keeps its mark
 * while the request it still serves
 * may hold a lock, answers it, ends its workers and exits 0 saying so,
 * leaving no socket, mark or program behind. A second signal ends it at once,
 * and takes the program with it.
 */
import { existsSync, lstatSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HTTP_SERVER_MARK, markHolders } from "@neslink/core";
import { describe, expect, it } from "vitest";
import { groupLeft } from "../../../core/test/processes.js";
import { binTest, call, open, type Running, request, startBin, until, within } from "./bin-process.js";

const { prefix, files } = binTest("hs");

/** The bin on a unix socket, with a namespace made through it and a program of `name`'s running there for a request. */
async function serving(name: string) {
  const socket = join(files.dir, `${name}.sock`);
  const bin = await startBin(["--token-file", files.tokenFile, "--socket", socket, "--allow-exec"]);
  const netns = `${prefix}${name}`;
  expect((await call({ path: socket }, request("POST", "/v1/namespaces", { token: files.token, body: { name: netns } }))).status).toBe(201);
  const [started, go] = [join(files.dir, `${name}-started`), join(files.dir, `${name}-go`)];
  const program = `echo $$ > ${started}; while [ ! -e ${go} ]; do sleep 0.05; done; echo done`;
  const exec = open({ path: socket });
  await exec.connected;
  exec.socket.write(request("POST", `/v1/namespaces/${netns}/exec`, { token: files.token, body: { argv: ["sh", "-c", program] } }));
  await until(() => existsSync(started) && lstatSync(started).size > 0, 20_000, "the program");
  // The program's shell leads its own process group.
  const group = Number(readFileSync(started, "utf8"));
  return { bin, socket, exec, group, letGo: () => writeFileSync(go, "") };
}

const marked = (bin: Running) => markHolders(HTTP_SERVER_MARK).includes(String(bin.child.pid));
const gone = (path: string) => !existsSync(path);

describe("neslink-http on a unix socket, stopped by a signal", () => {
  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "%s: the request served, workers ended, exit 0; no socket, mark or program left",
    async (signal) => {
      const { bin, socket, exec, group, letGo } = await serving(signal.toLowerCase());
      expect(marked(bin)).toBe(true);
      bin.child.kill(signal);
      // No new connection from the signal on, but the mark is kept while a request it serves may hold a lock.
      await until(() => gone(socket), 5_000, "the socket file to go");
      expect(marked(bin)).toBe(true);
      expect(groupLeft(group)).toBe(true);
      letGo();
      const answer = await within(exec.response, 10_000, "the program's answer");
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe("close");
      expect(JSON.parse(answer.body).result).toMatchObject({ status: 0, stdout: "done\n" });
      // Its pool closed (its workers ended) before "drained": past the bound it says the pool did not close, and exits 1.
      expect(await within(bin.exited, 15_000, "exit")).toEqual({ code: 0, signal: null });
      expect(bin.stderr()).toBe(
        [`listening on ${socket} (exec allowed)`, `${signal}: draining (at most 10 s)`, "drained; exiting"]
          .map((line) => `neslink-http: ${line}\n`)
          .join(""),
      );
      expect(gone(socket)).toBe(true);
      expect(marked(bin)).toBe(false);
      expect(groupLeft(group)).toBe(false);
    },
  );

  it("a second signal ends it at once, and the program it ran with it; no socket or mark left", async () => {
    const { bin, socket, exec, group } = await serving("twice");
    bin.child.kill("SIGTERM");
    await until(() => gone(socket), 5_000, "the socket file to go");
    bin.child.kill("SIGTERM");
    expect(await within(bin.exited, 15_000, "exit")).toEqual({ code: null, signal: "SIGTERM" });
    expect((await within(exec.response, 5_000, "the connection to close")).status).toBeUndefined();
    expect(gone(socket)).toBe(true);
    expect(marked(bin)).toBe(false);
    // Its group's guard ends it once the server has gone (core's group-guard).
    await until(() => !groupLeft(group), 5_000, "the program's group to end");
  });
});
