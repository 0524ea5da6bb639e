import type { Readable } from "node:stream";
import { closeDefaultPool, defaultPool, ns, spawn } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, fdCount, inodeOf, ip, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("nm");
const name = `${prefix}a`;
const LINES = 200;

beforeAll(() => ip("netns", "add", name));
afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
});

async function text(stream: Readable): Promise<string> {
  let all = "";
  for await (const chunk of stream) all += chunk;
  return all;
}

// Its namespace first (on stdout), then the input it read (on stderr), then LINES lines, the even ones on stdout and
// the odd ones on stderr: each a write(2) of its own, so two pipes read as each has data would mix them up.
const SCRIPT = `readlink /proc/self/ns/net; cat >&2; i=0; while [ $i -lt ${LINES} ]; do
  if [ $((i % 2)) -eq 0 ]; then echo "out $i"; else echo "err $i" >&2; fi; i=$((i + 1)); done; exit 3`;
const written = Array.from({ length: LINES }, (_, i) => `${i % 2 === 0 ? "out" : "err"} ${i}\n`).join("");

// Both ways a program starts: from this thread through nsenter (the default where it can), and on a worker inside.
describe.each([
  ["started here, through nsenter", () => undefined],
  ["started by a worker", () => defaultPool()],
])('spawn with stdio "merged", %s', (_, pool) => {
  it("stdout and stderr are one pipe: stdout gives all the program wrote, in its order, and stderr nothing", async () => {
    const p = await spawn(ns.name(name), ["sh", "-c", SCRIPT], { stdio: "merged" }, pool());
    p.stdin.end("input\n");
    const [out, err, exit] = await Promise.all([text(p.stdout), text(p.stderr), p.exited]);
    expect(exit).toEqual({ status: 3, signal: null });
    expect(err).toBe("");
    expect(out).toBe(`net:[${inodeOf(`/run/netns/${name}`)}]\ninput\n${written}`);
  });

  it("a slow reader gets every byte of both, though the program ended with some still in the pipe", async () => {
    const half = 2 << 20;
    const p = await spawn(
      ns.name(name),
      ["sh", "-c", `head -c ${half} /dev/zero; head -c ${half} /dev/zero >&2`],
      { stdio: "merged" },
      pool(),
    );
    p.stdin.end();
    let size = 0;
    // Behind all along: when the program exits, what it wrote last is still in the pipe.
    const read = (async () => {
      for await (const chunk of p.stdout) {
        size += (chunk as Buffer).length;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const [, exit] = await Promise.all([read, p.exited]);
    expect(exit).toEqual({ status: 0, signal: null });
    expect(size).toBe(2 * half);
  });

  it("leaves no descriptor behind, nor when the program is missing", async () => {
    const once = async () => {
      const p = await spawn(ns.name(name), ["sh", "-c", "echo a; echo b >&2"], { stdio: "merged" }, pool());
      p.stdin.end();
      await Promise.all([text(p.stdout), p.exited]);
      const missing = await spawn(ns.name(name), [`${prefix}-no-such-program`], { stdio: "merged" }, pool()).catch((e) => e);
      expect(missing.cause.code).toBe("ENOENT");
    };
    await once();
    const before = fdCount();
    for (let i = 0; i < 40; i++) await once();
    // A worker the pool starts meanwhile opens a few of its own; a leak would be one a spawn or more: 40.
    expect(await until(() => fdCount() < before + 10, FAIL_AFTER_MS)).toBe(true);
  });
});
