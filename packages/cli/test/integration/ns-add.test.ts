// `neslink ns add` and `ns del` as a user runs them: core makes and removes
// the namespace from the CLI's own thread (no worker starts), and the result
// is what iproute2 sees. Entries that are not namespaces are refused and left
// as they were (a FIFO is tried in a private mount dir by core's
// named-here.test.ts: in /run/netns it would block everyone's `ip netns list`).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, inodeOf, linksIn, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink, PROBED, probed } from "./run.js";

const prefix = uniquePrefix("na");
const at = (name: string) => `/run/netns/${name}`;
const odd = [`${prefix}link`, `${prefix}notes`];

afterAll(() => {
  for (const name of odd) rmSync(at(name), { force: true });
  cleanup(prefix);
});

/** Mounts at `path` (in this process's mount namespace, which /run/netns's shared mounts reach), with their filesystem type. */
const mountsAt = (path: string) =>
  readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" "))
    .filter((fields) => fields[4] === path)
    .map((fields) => fields[fields.indexOf("-") + 1]);

describe("neslink ns add / ns del (built bin)", () => {
  it("makes the namespace without a worker thread, as iproute2 sees it, and deletes it", () => {
    const name = `${prefix}a`;
    expect(probed("ns", "add", name)).toEqual({ status: 0, body: { name, path: at(name) }, stderr: "" });
    expect(netnsList(prefix)).toEqual([name]);
    expect(mountsAt(at(name))).toEqual(["nsfs"]);
    expect(inodeOf(at(name))).not.toBe(inodeOf("/proc/self/ns/net"));
    expect(linksIn(name).map((l) => l.ifname)).toEqual(["lo"]);

    // The probe does see a worker where one starts: inspect loads the topology engine, and its pool.
    const inspected = probed("inspect", `${prefix}x`);
    expect(inspected).toMatchObject({ status: 1, body: { error: { code: "ERR_NS_NOT_FOUND" } } });
    expect(inspected.stderr).toContain(PROBED);

    expect(probed("ns", "del", name)).toEqual({ status: 0, body: { name, path: at(name), stale: false }, stderr: "" });
    expect(netnsList(prefix)).toEqual([]);
    expect(mountsAt(at(name))).toEqual([]);
  });

  it("an empty entry with no namespace mounted (what a crash leaves) is removed, and said to be a stale entry", () => {
    const name = `${prefix}e`;
    for (const json of [false, true]) {
      writeFileSync(at(name), "", { mode: 0o444 });
      expect(mountsAt(at(name))).toEqual([]);
      const deleted = json ? probed("ns", "del", name) : neslink("ns", "del", name);
      // It said "deleted namespace NAME" of a plain file.
      if (json) expect(deleted).toEqual({ status: 0, body: { name, path: at(name), stale: true }, stderr: "" });
      else
        expect(deleted).toMatchObject({
          status: 0,
          stdout: `removed stale entry ${at(name)}: no namespace was mounted on it\n`,
          stderr: "",
        });
      expect(netnsList(prefix)).toEqual([]);
    }
  });

  it("refuses a symlink or a foreign file at the name, and leaves it as it was", () => {
    symlinkSync("/etc/passwd", at(odd[0] as string));
    writeFileSync(at(odd[1] as string), "someone's notes\n");
    const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    const snapshot = () => ({
      link: readlinkSync(at(odd[0] as string)),
      linkIno: lstatSync(at(odd[0] as string)).ino,
      passwd: sha("/etc/passwd"),
      notes: sha(at(odd[1] as string)),
      notesIno: lstatSync(at(odd[1] as string)).ino,
      mounts: odd.map((name) => mountsAt(at(name))),
    });
    const before = snapshot();
    for (const [name, reason] of [
      [odd[0], "a symbolic link"],
      [odd[1], "a file that is not a namespace"],
    ] as const) {
      for (const command of ["add", "del"]) {
        const r = probed("ns", command, name as string);
        expect(r.status, `ns ${command} ${name}`).toBe(1);
        expect(r.body.error).toMatchObject({ code: "ERR_NOT_A_NAMESPACE", actionIndex: 0 });
        expect(r.body.error.message).toContain(reason);
      }
    }
    expect(snapshot()).toEqual(before);
  });

  it("several `ns add` of one name at once: exactly one wins, with one mount", async () => {
    const adders = 4;
    for (let round = 0; round < 3; round++) {
      const name = `${prefix}r${round}`;
      const runs = await Promise.all(
        Array.from(
          { length: adders },
          () =>
            new Promise<{ status: number | null; stdout: string }>((resolve) => {
              const child = spawn(process.execPath, [BIN, "--json", "ns", "add", name], { stdio: ["ignore", "pipe", "inherit"] });
              let stdout = "";
              child.stdout.on("data", (d) => {
                stdout += d;
              });
              child.on("close", (status) => resolve({ status, stdout }));
            }),
        ),
      );
      const won = runs.filter((r) => r.status === 0);
      expect(won.map((r) => JSON.parse(r.stdout))).toEqual([{ name, path: at(name) }]);
      expect(runs.filter((r) => r.status !== 0).map((r) => [r.status, JSON.parse(r.stdout).error.code])).toEqual(
        Array(adders - 1).fill([1, "ERR_NS_EXISTS"]),
      );
      expect(mountsAt(at(name))).toEqual(["nsfs"]);
      expect(linksIn(name).map((l) => l.ifname)).toEqual(["lo"]);
    }
  });
});

describe("what `ns add` and `--help` load (strace: files opened)", () => {
  /** The files of neslink's packages a run of the built bin opens. */
  function opened(...args: string[]): string[] {
    const trace = `/tmp/${prefix}trace`;
    try {
      execFileSync("strace", ["-f", "-e", "trace=openat", "-o", trace, process.execPath, BIN, ...args], { stdio: "ignore" });
      const lines = readFileSync(trace, "utf8")
        .split("\n")
        .filter((l) => !l.includes("ENOENT"));
      return [...new Set(lines.flatMap((l) => [...l.matchAll(/"([^"]*\/(?:packages|node_modules)\/[^"]*)"/g)].map((m) => m[1] as string)))];
    } finally {
      rmSync(trace, { force: true });
    }
  }
  /** Core's entry points (unhashed names in dist/cjs) a run opens. */
  const coreEntries = (files: string[]) => files.flatMap((f) => /\/core\/dist\/cjs\/([a-z-]+)\.cjs$/.exec(f)?.[1] ?? []).sort();

  // Core's errors come with `named` (in a chunk they share), not through the errors entry: the CLI requires that only
  // when it reads one of their exports itself (a usage error).
  it("ns add: core's named entry, no codec, no link kinds, no worker, no action rules", () => {
    const files = opened("ns", "add", `${prefix}l`);
    expect(netnsList(prefix)).toContain(`${prefix}l`);
    expect(coreEntries(files)).toEqual(["named"]);
    expect(files.filter((f) => /codec-wasm|\/worker\/|nsdo|\/providers-/.test(f))).toEqual([]);
  });

  // `link add`'s help comes from the kinds' own module: not the command's, which brings core's --json shapes.
  it("--help: nothing of core (the link kinds come with `link add`'s own help)", () => {
    expect(coreEntries(opened("--help"))).toEqual([]);
    expect(coreEntries(opened("link", "add", "--help"))).toEqual(["kinds"]);
  });
});
