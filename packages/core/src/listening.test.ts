import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { killed, scratch } from "../test/scratch.js";
import { listeningOn } from "./listening.js";

const files = scratch("listening");

/**
 * A process listening where `listen` says (net.Server#listen's arguments), with sockets that do not listen beside
 * them (a TCP connection, both its ends, and a UDP socket); resolves with where each server says it listens.
 */
async function listener(listen: unknown[][]): Promise<{ proc: ChildProcess; at: string[] }> {
  const code = `
    const net = require("node:net"), dgram = require("node:dgram");
    const where = (s) => { const a = s.address(); return typeof a === "string" ? a : (a.family === "IPv6" ? "[" + a.address + "]" : a.address) + ":" + a.port; };
    (async () => {
      const servers = [];
      for (const args of JSON.parse(process.argv[1])) {
        const s = net.createServer();
        await new Promise((ok) => s.listen(...args, ok));
        servers.push(s);
      }
      const client = net.connect(servers[0].address().port, "127.0.0.1");
      await new Promise((ok) => client.once("connect", ok));
      await new Promise((ok) => dgram.createSocket("udp4").bind(0, "127.0.0.1", ok));
      process.stdout.write(JSON.stringify(servers.map(where)) + "\\n");
    })();`;
  const proc = spawn(process.execPath, ["-e", code, JSON.stringify(listen)], { stdio: ["ignore", "pipe", "inherit"] });
  files.child = proc;
  const line = await new Promise<string>((resolve) => proc.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString())));
  return { proc, at: JSON.parse(line) as string[] };
}

/** What iproute2's ss lists as process `pid`'s listening stream sockets (an abstract name without Node's padding), sorted. */
function ssListening(pid: number): string[] {
  const lines = execFileSync("ss", ["-Hlnp", "-A", "tcp,unix_stream"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split(
    "\n",
  );
  return lines
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => (line.trim().split(/\s+/)[4] ?? "").replace(/^(@.*?)@+$/, "$1"))
    .sort();
}

describe("listeningOn", () => {
  it("gives where a process listens (TCP over IPv4 and IPv6, unix sockets by path or abstract name), and nothing else", async () => {
    const path = join(files.dir, "api.sock");
    const abstract = `neslink-test-${randomBytes(4).toString("hex")}`;
    const { proc, at } = await listener([[0, "127.0.0.1"], [0, "::1"], [path], [`\0${abstract}`]]);
    expect(at.slice(2)).toEqual([path, `\0${abstract}`]);
    // TCP, then TCP over IPv6, then unix sockets (among them, in the order of the kernel's hash table).
    const got = listeningOn(String(proc.pid));
    expect(got.slice(0, 2)).toEqual(at.slice(0, 2));
    expect(got.slice(2).sort()).toEqual([path, `@${abstract}`].sort());
    expect([...got].sort()).toEqual(ssListening(proc.pid as number));
    expect(at[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(at[1]).toMatch(/^\[::1\]:\d+$/);
  });

  it("gives nothing for a process that listens nowhere, one that is gone, and what is not a pid", async () => {
    expect(listeningOn(String(process.pid))).toEqual([]);
    const { proc } = await listener([[0, "127.0.0.1"]]);
    const pid = String(proc.pid);
    expect(listeningOn(pid)).toHaveLength(1);
    await killed(proc);
    expect(listeningOn(pid)).toEqual([]);
    for (const bad of ["", "0", "-1", "self", "1/../1"]) expect(listeningOn(bad)).toEqual([]);
  });
});
