// Which of Node's own modules a one-shot command loads: each one not in
// Node's start-up snapshot is compiled at every run. Node's ES module resolver
// (which a `require` of a package with an "exports" map loads) and node:module
// (which loads the ES module loader) cost a tenth of a command's start on Node
// 20; core and the codec are found without them (core's files/package-entry.ts)
// and node:module is taken only where it has a compile cache. A structural
// check, not a timed one: bench/cli-startup.mjs measures the time.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { cacheModule } from "../../src/compile-cache.js";
import { BIN } from "./run.js";

const PROBE = fileURLToPath(new URL("./modules-probe.cjs", import.meta.url));
const prefix = uniquePrefix("sm");
const nsName = `${prefix}a`;
const veth = `${prefix}v`;
const dir = mkdtempSync(join(tmpdir(), "neslink-modules-"));

beforeAll(() => {
  ip("netns", "add", nsName);
  ip("-n", nsName, "link", "add", veth, "type", "veth", "peer", "name", `${prefix}w`);
  // Up, so that a route through an address on it is taken.
  ip("-n", nsName, "link", "set", "lo", "up");
});

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the built bin with the probe; returns its status and the modules Node loaded. */
function modulesOf(...args: string[]) {
  const out = join(dir, `${args.join("_").replace(/\W/g, "")}.txt`);
  const r = spawnSync(process.execPath, ["--require", PROBE, BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NESLINK_MODULES_PROBE: out, NODE_OPTIONS: "" },
  });
  return { status: r.status, stderr: r.stderr, modules: readFileSync(out, "utf8").split("\n") };
}

/** The bin with the probe, ARGS' placeholders made this file's own: NS (its namespace), VETH (a veth in it), TMP (a name free to add). */
const run = (...args: string[]) => modulesOf(...args.map((a) => ({ NS: nsName, VETH: veth, TMP: `${prefix}t` })[a] ?? a));

// The bin's own rule for when node:module is worth loading.
const hasCompileCache = cacheModule() !== undefined;

describe("a one-shot command loads none of Node's resolver or loader modules it does not use", () => {
  it.each([
    ["--help"],
    ["ns", "list"],
    ["link", "list", "-n", "NS"],
    ["addr", "list", "-n", "NS"],
    ["link", "set", "VETH", "mtu", "1400", "-n", "NS"],
    ["addr", "add", "10.99.0.1/32", "dev", "lo", "-n", "NS"],
    ["route", "add", "10.98.0.0/24", "via", "10.99.0.1", "-n", "NS"],
    ["ns", "add", "TMP"],
    ["ns", "del", "TMP"],
  ])("neslink %s …", (...args) => {
    const { status, stderr, modules } = run(...args);
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    expect(modules).not.toContain("NativeModule internal/modules/esm/resolve");
    expect(modules).not.toContain("NativeModule internal/modules/esm/loader");
    // Taken by core's errno table when a call fails, not at every start.
    expect(modules).not.toContain("NativeModule os");
    // An address is checked by core's own expressions, not node:net, which brings Node's streams.
    expect(modules).not.toContain("NativeModule net");
    // Nor perf_hooks, which the global "performance" loads at its first use.
    expect(modules).not.toContain("NativeModule perf_hooks");
    // Nor node:crypto (a digest is made where one is needed: core's digest.ts), node:fs/promises or node:timers/promises:
    // none is in Node's start-up snapshot, and crypto and fs/promises bring Node's streams and readline with them
    // (node:crypto alone cost `link list -n` a sixth of its instructions).
    for (const m of ["crypto", "fs/promises", "timers/promises", "stream", "readline"]) expect(modules).not.toContain(`NativeModule ${m}`);
    if (!hasCompileCache) expect(modules).not.toContain("NativeModule module");
  });

  it.each([
    ["link", "set", "VETH", "mtu", "1390", "-n", "NS"],
    ["addr", "add", "10.99.0.2/32", "dev", "lo", "-n", "NS"],
    ["route", "add", "10.97.0.0/24", "dev", "lo", "-n", "NS"],
  ])("a change (neslink %s …) loads core's link entry point, not its read one as well", (...args) => {
    const { status, modules } = run(...args);
    expect(status).toBe(0);
    const entries = modules.filter((m) => /[\\/]core[\\/]dist[\\/]cjs[\\/][a-z-]+\.cjs$/.test(m)).map((m) => m.replace(/.*[\\/]/, ""));
    expect(entries).toContain("link.cjs");
    expect(entries).not.toContain("read.cjs");
  });

  it("and the change it was run for is made (iproute2 sees the MTU)", () => {
    expect(modulesOf("link", "set", veth, "mtu", "1380", "-n", nsName).status).toBe(0);
    const [link] = ipJson<{ mtu: number }[]>("-n", nsName, "link", "show", veth);
    expect(link?.mtu).toBe(1380);
  });
});

/**
 * Text that only one command's implementation holds (a message it gives),
 * which minifying keeps: it finds the chunk holding that implementation
 * whatever the bundler names or hashes it.
 */
const IMPLEMENTATIONS = {
  apply: "Not applied; nothing was changed.",
  monitor: 'is not a group of "neslink monitor"',
  exec: "command not found",
  "link set": "must be on or off",
} as const;
type Implementation = keyof typeof IMPLEMENTATIONS;

const DIST = dirname(BIN);
const holding = (file: string) => {
  const text = readFileSync(file, "utf8");
  return (Object.keys(IMPLEMENTATIONS) as Implementation[]).filter((name) => text.includes(IMPLEMENTATIONS[name]));
};

/** The implementations among the files of the build a run of the bin loaded. */
function implementationsLoaded(modules: readonly string[]): Implementation[] {
  const chunks = modules.filter((m) => dirname(m) === DIST && m.endsWith(".cjs"));
  return [...new Set(chunks.flatMap(holding))].sort();
}

describe("a one-shot command loads its own implementation, not the other commands'", () => {
  it("each implementation's text is in one chunk of the build, none that every command loads", () => {
    const chunks = readdirSync(DIST).filter((f) => f.endsWith(".cjs"));
    for (const name of Object.keys(IMPLEMENTATIONS) as Implementation[]) {
      expect(
        chunks.filter((f) => holding(join(DIST, f)).includes(name)),
        name,
      ).toHaveLength(1);
    }
    expect(implementationsLoaded(modulesOf("--version").modules)).toEqual([]);
  });

  it.each([
    [[], "--help"],
    [[], "ns", "list"],
    [[], "link", "list", "-n", "NS"],
    [[], "addr", "list", "-n", "NS"],
    [["link set"], "link", "set", "VETH", "mtu", "1400", "-n", "NS"],
  ] as [Implementation[], ...string[]][])("%j: neslink %s …", (expected, ...args) => {
    const { status, stderr, modules } = run(...args);
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    expect(implementationsLoaded(modules)).toEqual(expected);
  });

  it("a command that fails in its implementation has loaded that one only (neslink monitor NOGROUP)", () => {
    const { status, stderr, modules } = modulesOf("monitor", "nogroup");
    expect({ status, stderr }).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('nogroup: is not a group of "neslink monitor"'),
    });
    expect(implementationsLoaded(modules)).toEqual(["monitor"]);
  });
});

describe("help and the version load nothing of core (its errors are loaded at their first use)", () => {
  const coreFiles = (modules: readonly string[]) => modules.filter((m) => /[\\/](core|codec-wasm|koffi)[\\/]/.test(m));

  it.each([["--help"], ["--version"], ["--json", "--version"], ["link", "--help"], ["addr", "add", "--help"]])(
    "neslink %s …",
    (...args) => {
      const { status, stderr, modules } = run(...args);
      expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
      expect(coreFiles(modules)).toEqual([]);
    },
  );

  it("a usage error loads them, and is reported as before (code, field, exit 2)", () => {
    const { status, stderr, modules } = run("ns", "add", "bad/name");
    expect(status).toBe(2);
    expect(stderr).toMatch(/^neslink: ERR_INVALID_ARGUMENT: name: "bad\/name" contains '\/'/);
    expect(coreFiles(modules).some((m) => m.endsWith("errors.cjs"))).toBe(true);
  });
});
