/**
 * The topology engine attacked as a hostile or unlucky user would (issue 16):
 * odd files, the kernel changed behind the lab's back, programs that
 * misbehave, and above all any way to make apply or destroy touch what is not
 * the lab's. "What holds" checks the defences that work; "found by the
 * attack runs" holds one reproduction per problem an attack found, each
 * written first as it.fails (passing while the problem was there) and turned
 * into it() once fixed: all of them are fixed now.
 * Every result is checked with iproute2, /proc or /run/netns.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, type Topology, TopologyError, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, ip, ipJson, netnsList, uniquePrefix, until, withLab } from "./kernel.js";
import { offOnceMade } from "./refused-route-lab.js";

const prefix = uniquePrefix("ta");
const TMP = `${tmpdir()}/${prefix}`;
const LOCKS = "/run/neslink/topologies";
let labs = 0;
/** A fresh lab name per test, all under the file's prefix (so cleanup(prefix) finds their namespaces). */
const newLab = () => `${prefix}${(labs++).toString(36)}`;

/** Pids of processes whose environment carries a lab mark of a lab starting with `start`. */
function markedPids(start: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, "utf8")
          .split("\0")
          .some((e) => e.startsWith(`NESLINK_PROCESS=${start}`));
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(alive);
}

/** Alive and not a zombie (a killed process whose parent, init here, has not reaped it yet holds nothing). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}

function ppidOf(pid: number): number {
  try {
    return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  } catch {
    return 0;
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

const strays: number[] = [];
afterAll(async () => {
  for (const name of readdirSync(LOCKS)) if (name.startsWith(prefix)) rmSync(`${LOCKS}/${name}`, { recursive: true, force: true });
  killAll([...markedPids(prefix), ...strays]);
  cleanup(prefix);
  rmSync(TMP, { recursive: true, force: true });
  await closeDefaultPool();
});

function pings(netns: string, to: string): boolean {
  return spawnSync("ip", ["netns", "exec", netns, "ping", "-c1", "-W1", to], { stdio: "ignore" }).status === 0;
}

function linkNames(netns: string): string[] {
  return ipJson<{ ifname: string }[]>("-n", netns, "link", "show").map((l) => l.ifname);
}

const netnsOf = (pid: number) => readlinkSync(`/proc/${pid}/ns/net`);

/**
 * The network namespace of `pid` ("net:[INODE]"), held open until `close`: a namespace once freed gives its inode to
 * the next one anyone makes, whose processes pidsIn would then find.
 */
function heldNetnsOf(pid: number): { netns: string; close: () => void } {
  const fd = openSync(`/proc/${pid}/ns/net`, "r");
  return { netns: netnsOf(pid), close: () => closeSync(fd) };
}

/**
 * The pid of the one live process marked `start`, once it runs `cmdline`: apply may return while setsid's child is
 * still in its exec of the program, with no command line nor environment to read for that moment.
 */
async function programOf(start: string, cmdline: string): Promise<number> {
  const command = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      return ""; // gone since the listing
    }
  };
  const found = () => {
    const pids = markedPids(start);
    return pids.length === 1 && command(pids[0] as number) === cmdline ? pids[0] : undefined;
  };
  for (const end = Date.now() + FAIL_AFTER_MS; found() === undefined && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  const pid = found();
  expect(pid, `processes marked ${start}: ${markedPids(start).map((p) => `${p} ${JSON.stringify(command(p))}`)}`).toBeDefined();
  return pid as number;
}

const SLEEP = "sleep\u00001000\u0000";

/** Live processes whose network namespace is `netns` ("net:[INODE]"). */
function pidsIn(netns: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/ns/net`) === netns;
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(alive);
}

/** The cgroup v2 directories of lab `name` (every mount of cgroup2 looked at). */
function cgroupDirs(name: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.includes(" - cgroup2 "))
    .map((l) => `${l.split(" ")[4]}/neslink/${name}`)
    .filter((d) => existsSync(d));
}

/** A lab of two hosts on two subnets and a router between them (the README's example, renamed). */
function router(name: string): string {
  return `name: ${name}
nodes:
  r:
    sysctls: { net.ipv4.ip_forward: 1 }
    addresses: { e1: [10.61.1.254/24], e2: [10.61.2.254/24] }
  h1: { addresses: { e0: [10.61.1.1/24] }, routes: [{ to: default, via: 10.61.1.254 }] }
  h2: { addresses: { e0: [10.61.2.1/24] }, routes: [{ to: default, via: 10.61.2.254 }] }
links:
  - endpoints: ["h1:e0", "r:e1"]
  - endpoints: ["h2:e0", "r:e2"]
`;
}

/** What `load` makes of each input: the labels of those it accepted or refused with something other than a TopologyError. */
function notRefused(inputs: Record<string, () => unknown>): string[] {
  const wrong: string[] = [];
  for (const [label, input] of Object.entries(inputs)) {
    try {
      topology.load(input() as string);
      wrong.push(`${label}: accepted`);
    } catch (err) {
      if (!(err instanceof TopologyError)) wrong.push(`${label}: ${(err as Error).constructor.name}: ${(err as Error).message}`);
    }
  }
  return wrong;
}

describe("topology under attack: what holds", () => {
  it("refuses hostile files and names with a typed error, without blocking or reading what is not a small regular file", () => {
    mkdirSync(TMP, { recursive: true });
    execFileSync("mkfifo", [`${TMP}/fifo.yaml`]);
    symlinkSync("/dev/zero", `${TMP}/zero.yaml`);
    writeFileSync(`${TMP}/big.yaml`, Buffer.alloc(20 << 20, 0x20));
    writeFileSync(`${TMP}/latin1.yaml`, Buffer.from("name: x\nnodes: { caf\xe9: {} }\n", "latin1"));
    for (const file of ["fifo.yaml", "zero.yaml", "big.yaml", "."]) {
      expect(() => topology.load(`${TMP}/${file}`), file).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "file" }));
    }
    // Read, but not text: a mistake in the file, at its line.
    expect(() => topology.load(`${TMP}/latin1.yaml`)).toThrow(expect.objectContaining({ code: "ERR_TOPOLOGY_INVALID" }));
    const node = (n: string, body = "{}") => `name: x\nnodes:\n  ${n}: ${body}\n`;
    expect(
      notRefused({
        "__proto__ node (YAML)": () => node("__proto__"),
        "__proto__ node (JSON)": () => '{"name":"x","nodes":{"__proto__":{}}}',
        "__proto__ node (object)": () => JSON.parse('{"name":"x","nodes":{"__proto__":{}}}'),
        "duplicate JSON keys": () => '{"name":"x","nodes":{"a":{},"a":{"netns":"y"}}}',
        "number as name": () => '{"name":123,"nodes":{}}',
        "marker-like node": () => node('"neslink:x:a"'),
        "'%' in an interface": () => `${node("a")}  b: {}\nlinks: [{ endpoints: ["a:e%d", "b:e"] }]\n`,
        "netns ..": () => node("a", '{ netns: ".." }'),
        "netns with /": () => node("a", '{ netns: "../../etc" }'),
        "netns with a bidi override": () => node("a", '{ netns: "x-\\u202ea" }'),
        "netns with a zero-width space": () => node("a", '{ netns: "x-a\\u200b" }'),
        "two nodes, one netns": () => `${node("a", "{ netns: q }")}  b: { netns: q }\n`,
        "deep nesting": () => `name: x\nnodes: {}\nlinks: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
        "two documents": () => "name: x\nnodes: {}\n---\nname: y\nnodes: {}\n",
      }),
    ).toEqual([]);
  });

  it("refuses, before any change, a node namespace that is a FIFO, a symlink to the host's, a directory, a file or another lab's", async () => {
    const other = newLab();
    const name = newLab();
    const d = "/run/netns";
    await topology.apply(topology.load(`name: ${other}\nnodes:\n  x: {}\n`));
    execFileSync("mkfifo", [`${d}/${name}-a`]);
    symlinkSync("/proc/1/ns/net", `${d}/${name}-b`);
    mkdirSync(`${d}/${name}-c`);
    writeFileSync(`${d}/${name}-d`, "not a namespace");
    try {
      const t = topology.load(`name: ${name}\nnodes:\n  a: {}\n  b: {}\n  c: {}\n  d: {}\n  e: { netns: ${other}-x }\n`);
      const refused = topology.apply(t);
      await expect(refused).rejects.toMatchObject({ code: "ERR_TOPOLOGY_CONFLICT" });
      await refused.catch((e) => expect(e.conflicts.map((c: { node: string }) => c.node)).toEqual(["a", "b", "c", "d", "e"]));
      expect((await topology.destroy(name)).removed).toEqual([]);
      expect(readdirSync(d).filter((f) => f.startsWith(`${name}-`))).toEqual([`${name}-a`, `${name}-b`, `${name}-c`, `${name}-d`]);
      expect(ipJson<{ ifalias?: string }[]>("-n", `${other}-x`, "link", "show", "lo")[0]?.ifalias).toBe(`neslink:${other}:x ready`);
    } finally {
      for (const x of "abcd") rmSync(`${d}/${name}-${x}`, { recursive: true, force: true });
      await topology.destroy(other);
    }
  });

  it("destroy ends a process started by hand in the lab and one that ignores SIGTERM, and re-apply converges after ip netns del", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`${router(name)}`.replace("  r:\n", "  r:\n    processes: [\"trap '' TERM; while :; do sleep 1; done\"]\n"));
      await topology.apply(t);
      const hand = spawn("ip", ["netns", "exec", `${name}-h1`, "sleep", "1000"], { stdio: "ignore", detached: true });
      hand.unref();
      strays.push(hand.pid as number);
      ip("netns", "del", `${name}-h2`);
      expect(netnsList(`${name}-h2`)).toEqual([]);
      await topology.apply(t);
      expect(pings(`${name}-h1`, "10.61.2.1")).toBe(true);
      expect((await topology.plan(t)).changes).toEqual([]);
      const stubborn = markedPids(`${name}/`).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("trap"));
      expect(stubborn).toBeDefined();
      // Once its trap is set (SIGTERM ignored, in SigIgn), not 200 ms after: a SIGTERM before that ended it at once.
      const ignoresTerm = () =>
        (BigInt(`0x${/^SigIgn:\s*(\w+)/m.exec(readFileSync(`/proc/${stubborn}/status`, "utf8"))?.[1]}`) & 0x4000n) !== 0n;
      expect(await until(ignoresTerm, FAIL_AFTER_MS)).toBe(true);
      const started = performance.now();
      await topology.destroy(name);
      expect(performance.now() - started).toBeGreaterThan(1500); // the grace before SIGKILL
      expect(alive(hand.pid as number)).toBe(false);
      expect(alive(stubborn as number)).toBe(false);
      expect(netnsList(name)).toEqual([]);
    });
  });

  it("bounds an exec that prints megabytes with a typed error", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { exec: ["head -c 40000000 /dev/zero"] }\n`);
      await expect(topology.apply(t)).rejects.toMatchObject({ code: "ERR_TOPOLOGY_APPLY", message: expect.stringContaining("maxBuffer") });
    });
  });

  it("restarts a program whose log relay was killed, so its output goes somewhere again", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(
        `name: ${name}\nnodes:\n  a: { processes: [{ name: pinger, command: "trap '' PIPE; exec ping -i 0.2 127.0.0.1" }] }\n`,
      );
      await topology.apply(t);
      // It outlives its relay (SIGPIPE ignored), so it stays there to be found unlogged.
      const [program] = markedPids(`${name}/a/pinger/`);
      // The relay: split in the program's cgroup tree, outside the node's namespace.
      const relays = () =>
        readdirSync("/proc")
          .filter((p) => /^\d+$/.test(p) && alive(Number(p)))
          .filter((p) => {
            try {
              return (
                readFileSync(`/proc/${p}/cgroup`, "utf8").includes(`/neslink/${name}/node-a/program-pinger/`) &&
                readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("split\0")
              );
            } catch {
              return false;
            }
          })
          .map(Number)
          // split forks for each chunk's filter: until the child execs sh, it shows split's command line too.
          .filter((pid, _, all) => !all.includes(ppidOf(pid)));
      const [relay] = relays();
      expect(relay).toBeDefined();
      expect(netnsOf(relay as number)).not.toBe(netnsOf(program as number));
      // Made as the program starts, before apply returns.
      const log = `${LOCKS}/${name}/a/pinger.log`;
      const old = statSync(log).ino;
      process.kill(relay as number, "SIGKILL");
      for (const end = Date.now() + FAIL_AFTER_MS; alive(relay as number) && Date.now() < end; )
        await new Promise((r) => setTimeout(r, 10));
      expect((await topology.inspect(t)).nodes[0]?.processes.map((p) => p.phase)).toEqual(["unlogged"]);
      await topology.apply(t);
      expect(alive(program as number)).toBe(false);
      expect(relays()).toHaveLength(1);
      // The restart moves the old log aside (log.1) and starts a new one, which the new relay writes the output into.
      const fresh = () => {
        try {
          const s = statSync(log);
          return s.ino !== old && s.size > 0;
        } catch {
          return false;
        }
      };
      for (const end = Date.now() + FAIL_AFTER_MS; !fresh() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      expect(fresh()).toBe(true);
      expect(statSync(`${log}.1`).ino).toBe(old);
      expect((await topology.plan(t)).changes).toEqual([]);
    });
  });

  it("leaves alone a program that daemonises and closes its output (its relay ended with nothing to relay)", async () => {
    await withLab(newLab(), async (name) => {
      // What `frr -d` or `iperf3 -D` does: fork, the child detached with its output on /dev/null, the parent gone.
      const t = topology.load(
        `name: ${name}\nnodes:\n  a: { processes: [{ name: daemon, command: "sleep 1000 >/dev/null 2>&1 & exit 0" }] }\n`,
      );
      await topology.apply(t);
      const pids = () => ip("netns", "pids", `${name}-a`).trim().split("\n").filter(Boolean);
      const command = (pid: string) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          return ""; // gone since the listing
        }
      };
      // The shell may still be exiting, and its child not yet be sleep (a fork shows the shell's command line until it execs).
      const daemonised = () => pids().length === 1 && command(pids()[0] as string) === "sleep\u00001000\u0000";
      for (const end = Date.now() + FAIL_AFTER_MS; !daemonised() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      const [daemon] = pids();
      expect(command(daemon as string)).toBe("sleep\u00001000\u0000");
      expect(readlinkSync(`/proc/${daemon}/fd/1`)).toBe("/dev/null");
      await topology.apply(t);
      expect(pids()).toEqual([daemon]);
      expect((await topology.plan(t)).changes).toEqual([]);
      expect((await topology.inspect(t)).nodes[0]?.processes.map((p) => [p.pid, p.phase])).toEqual([[Number(daemon), "running"]]);
    });
  });
});

describe("found by the attack runs, fixed", () => {
  it("refuses a sysctl value the kernel refuses before making the namespace (it was made, then the sysctl failed)", async () => {
    await withLab(newLab(), async (name) => {
      // The kernel refuses a TTL of 0 (1..255): apply tries the write in a namespace of its own first.
      const t = topology.load(`name: ${name}\nnodes:\n  a: { sysctls: { net.ipv4.ip_default_ttl: 0 } }\n`);
      const err = (await topology.apply(t).catch((e) => e)) as { code: string; problems: { path: string; message: string }[] };
      expect(err.code).toBe("ERR_TOPOLOGY_INVALID");
      expect(err.problems).toEqual([
        {
          path: 'nodes.a.sysctls["net.ipv4.ip_default_ttl"]',
          message: 'the kernel refuses "0" for it (EINVAL, tried in a new namespace)',
          line: 3,
          column: 44,
        },
      ]);
      expect(netnsList(`${name}-a`)).toEqual([]);
    });
  });

  // Was HIGH. `ip netns add` gives exactly what a cut-short create leaves (lo down, nothing else), so it is "pristine" and adopted,
  // even with someone's process in it; destroy then kills that process and deletes the namespace.
  it("does not adopt someone's namespace made with ip netns add, nor kill the process in it", async () => {
    const name = newLab();
    const victim = `${name}-v`;
    ip("netns", "add", victim);
    const sleeper = spawn("ip", ["netns", "exec", victim, "sleep", "1000"], { stdio: "ignore", detached: true });
    sleeper.unref();
    strays.push(sleeper.pid as number);
    try {
      // Once it runs in the namespace, not 300 ms after its start.
      expect(await until(() => ip("netns", "pids", victim).trim() !== "", FAIL_AFTER_MS)).toBe(true);
      const t = topology.load(`name: ${name}\nnodes:\n  a: { netns: ${victim} }\n  b: {}\nlinks: [{ endpoints: ["a:e0", "b:e0"] }]\n`);
      await topology.apply(t).catch(() => undefined);
      await topology.destroy(name);
      expect(alive(sleeper.pid as number)).toBe(true);
      expect(netnsList(victim)).toEqual([victim]);
      expect(linkNames(victim)).toEqual(["lo"]);
    } finally {
      killAll([sleeper.pid as number]);
      await topology.destroy(name);
      if (netnsList(victim).length > 0) ip("netns", "del", victim);
    }
  });

  // HIGH. destroy(name) and inspect(name) take any string: the lock file is `${LOCKS}/${name}.lock`, opened O_CREAT, truncated and
  // given the pid, so "../../../some/dir/Cargo" empties some/dir/Cargo.lock (any *.lock file), as root.
  it("destroy by name refuses a name that is not a lab's and writes no file outside the lock dir", async () => {
    mkdirSync(TMP, { recursive: true });
    writeFileSync(`${TMP}/victim.lock`, "precious\n");
    const outside = `../../..${TMP}/victim`;
    const outcome = await topology.destroy(outside).then(
      () => "accepted",
      (e) => e.code,
    );
    expect(readFileSync(`${TMP}/victim.lock`, "utf8")).toBe("precious\n");
    expect(outcome).toBe("ERR_INVALID_ARGUMENT");
    for (const bad of ["", "a:b", "x\ny"]) await expect(topology.destroy(bad), JSON.stringify(bad)).rejects.toThrow();
  });

  // MEDIUM. `ip netns add` takes a name with a space, which neslink's names refuse: destroy of any lab failed on it, with a usage
  // error naming the other namespace (`neslink destroy LAB` exited 2), and left the lab standing.
  it("destroys a lab beside a namespace whose name neslink would not take, and leaves that one alone", async () => {
    const odd = `${prefix} odd`;
    ip("netns", "add", odd);
    try {
      const name = newLab();
      const lab = topology.load({ name, nodes: { a: {}, b: {} }, links: [{ endpoints: ["a:eth0", "b:eth0"] }] });
      await topology.apply(lab);
      const { removed } = await topology.destroy(name);
      expect(removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
      expect(netnsList(name)).toEqual([]);
      expect(netnsList(prefix)).toContain(odd);
    } finally {
      ip("netns", "del", odd);
    }
  });

  // MEDIUM-HIGH. A second name for a node's namespace (`ip netns attach NAME PID`) is taken for a node the file no longer has:
  // apply empties it, which is the live node itself: all its links deleted, its processes killed.
  it("leaves a node alone when its namespace has a second name", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(router(name).replace("  h1: {", '  h1: { processes: [[sleep, "1000"]],'));
      await topology.apply(t);
      const [pid] = markedPids(`${name}/h1/`);
      ip("netns", "attach", `${name}-alias`, String(pid));
      try {
        await topology.apply(t);
        expect(linkNames(`${name}-h1`)).toEqual(["lo", "e0"]);
        expect(alive(pid as number)).toBe(true);
        expect(pings(`${name}-h1`, "10.61.2.1")).toBe(true);
      } finally {
        if (netnsList(`${name}-alias`).length > 0) ip("netns", "del", `${name}-alias`);
      }
    });
  });

  // MEDIUM (fixed). A veth was kept when its name and kind matched; its peer was never checked, so ends swapped by hand stayed swapped.
  it("notices veth ends swapped by hand and rewires them", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(router(name));
      await topology.apply(t);
      const r = `${name}-r`;
      for (const [from, to] of [
        ["e1", "tmp"],
        ["e2", "e1"],
        ["tmp", "e2"],
      ])
        ip("-n", r, "link", "set", from as string, "name", to as string);
      // Each address went with its link, so the lab still works until apply moves the addresses to match the names.
      expect((await topology.plan(t)).changes.map(topology.describeChange)).toEqual(
        expect.arrayContaining([`- link veth r:e1 (its peer is not h1:e0)`, `- link veth h2:e0 (its peer is not r:e2)`]),
      );
      await topology.apply(t);
      expect(pings(`${name}-h1`, "10.61.2.1")).toBe(true);
      // iproute2 shows each end's peer index: r's e1 and h1's e0 point at each other again.
      const [e1] = ipJson<{ ifindex: number; link_index: number }[]>("-n", r, "link", "show", "e1");
      const [e0] = ipJson<{ ifindex: number; link_index: number }[]>("-n", `${name}-h1`, "link", "show", "e0");
      expect([e1?.link_index, e0?.link_index]).toEqual([e0?.ifindex, e1?.ifindex]);
      expect((await topology.plan(t)).changes).toEqual([]);
    });
  });

  // MEDIUM. exec runs only for nodes whose namespace is new at plan time: an apply that failed (or was killed) after the
  // namespaces phase makes them "owned", and their exec never runs, while plan says there is nothing left to do.
  it("runs a node's exec on the apply that completes it, after a first apply failed", async () => {
    await withLab(newLab(), async (name) => {
      const marker = `${TMP}/${name}-exec-ran`;
      mkdirSync(TMP, { recursive: true });
      const file = (route: string) =>
        `name: ${name}\nnodes:\n  a:\n    addresses: { e0: [10.62.0.1/24] }\n    routes: [${route}]\n    exec: ["touch ${marker}"]\n  b: {}\nlinks: [{ endpoints: ["a:e0", "b:e0"] }]\n`;
      // An IPv6 route where IPv6 was turned off by hand: the kernel refuses it, and no plan can foresee it.
      const refused = topology.load(file('{ to: "fd00:63::/64", dev: e0 }'));
      await expect(topology.apply(refused, { onProgress: offOnceMade(name) })).rejects.toMatchObject({
        code: "ERR_TOPOLOGY_APPLY",
      });
      const fixed = topology.load(file("{ to: 10.63.0.0/24, via: 10.62.0.2 }"));
      await topology.apply(fixed);
      expect((await topology.plan(fixed)).changes).toEqual([]);
      expect(readdirSync(TMP)).toContain(`${name}-exec-ran`);
    });
  });

  // MEDIUM. A route the file gives without dev is matched on the live route wherever it goes through; when its link is
  // re-made (an end renamed by hand), the route goes with the old link and is not added again: one apply does not converge.
  it("re-adds a route whose link apply re-made, in the same apply", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(router(name));
      await topology.apply(t);
      ip("-n", `${name}-h2`, "link", "set", "e0", "name", "zz");
      await topology.apply(t);
      expect(ip("-n", `${name}-h2`, "route", "show", "default")).toContain("via 10.61.2.254");
      expect(pings(`${name}-h1`, "10.61.2.1")).toBe(true);
      expect((await topology.plan(t)).changes).toEqual([]);
    });
  });

  // MEDIUM. A program that is missing or exits at once is reported started; apply waits 2 s, then succeeds, and every
  // later plan and apply starts it again.
  it("reports a process whose program is missing or exits at once as a failure of apply", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { processes: [[/nonexistent/program], [sh, -c, "exit 3"]] }\n`);
      await expect(topology.apply(t)).rejects.toMatchObject({ code: "ERR_TOPOLOGY_APPLY" });
    });
  });

  // LOW-MEDIUM. Stopping a program (gone from the file, or changed) signals only the lowest pid carrying its mark: its
  // children live on with the mark, and plan is not empty after the apply.
  it("stops a removed program's children too", async () => {
    await withLab(newLab(), async (name) => {
      const file = (procs: string) => `name: ${name}\nnodes:\n  a: { processes: ${procs} }\n`;
      await topology.apply(topology.load(file('[{ name: forker, command: "sleep 1001 & exec sleep 1002" }]')));
      for (const end = Date.now() + FAIL_AFTER_MS; markedPids(`${name}/a/forker/`).length < 2 && Date.now() < end; )
        await new Promise((r) => setTimeout(r, 20));
      expect(markedPids(`${name}/a/forker/`)).toHaveLength(2);
      const without = topology.load(file("[]"));
      await topology.apply(without);
      expect(markedPids(`${name}/a/forker/`)).toEqual([]);
      expect((await topology.plan(without)).changes).toEqual([]);
    });
  });

  // Was MEDIUM: a program known by NESLINK_PROCESS in /proc/PID/environ alone, once it cleared or rewrote its environment
  // (`env -i`, a daemon that sanitises it), was never found again, so every apply started one more copy. Now its cgroup marks it.
  it("starts a program that clears its environment once, not on every apply", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { processes: [[env, -i, sleep, "1000"]] }\n`);
      await topology.apply(t);
      await topology.apply(t);
      const pids = ip("netns", "pids", `${name}-a`).trim().split("\n").filter(Boolean);
      expect(pids.map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8"))).toEqual(["sleep\u00001000\u0000"]);
      expect(readFileSync(`/proc/${pids[0]}/environ`, "utf8")).toBe("");
      expect((await topology.plan(t)).changes).toEqual([]);
      // Gone, it is started again, once.
      process.kill(Number(pids[0]), "SIGKILL");
      for (const end = Date.now() + FAIL_AFTER_MS; alive(Number(pids[0])) && Date.now() < end; )
        await new Promise((r) => setTimeout(r, 10));
      await topology.apply(t);
      const again = ip("netns", "pids", `${name}-a`).trim().split("\n").filter(Boolean);
      expect(again.map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8"))).toEqual(["sleep\u00001000\u0000"]);
      expect(again).not.toEqual(pids);
    });
  });

  // Was LOW-MEDIUM: a program's output was appended to /run/neslink/topologies/<lab>/<node>/<name>.log without bound, and the
  // log stayed after destroy; /run is a RAM-backed tmpfs on most systems, so a chatty program (or `yes`) filled the host's
  // memory. Now a relay keeps <name>.log and <name>.log.1 of 4 MiB each, and the program is not harmed by the cap.
  it("keeps a process log bounded", async () => {
    const name = newLab();
    const cap = 4 << 20;
    const bytes = 20_000_000;
    const t = topology.load(
      `name: ${name}\nnodes:\n  a: { processes: [{ name: chatty, command: "head -c ${bytes} /dev/zero; echo; echo the end; exec sleep 1000" }] }\n`,
    );
    const log = `${LOCKS}/${name}/a/chatty.log`;
    try {
      await topology.apply(t);
      const size = (f: string) => {
        try {
          return statSync(f).size;
        } catch {
          return -1;
        }
      };
      const all = bytes + "\nthe end\n".length;
      for (const end = Date.now() + FAIL_AFTER_MS; size(log) !== all % cap && Date.now() < end; )
        await new Promise((r) => setTimeout(r, 20));
      // Everything went through, the last chunk in the log and the one before it in log.1, and the program lives on.
      expect([size(log), size(`${log}.1`)]).toEqual([all % cap, cap]);
      expect(readFileSync(log, "utf8").endsWith("\nthe end\n")).toBe(true);
      expect(readdirSync(`${LOCKS}/${name}/a`).sort()).toEqual(["chatty.log", "chatty.log.1"]);
      const pids = ip("netns", "pids", `${name}-a`).trim().split("\n").filter(Boolean);
      expect(pids.map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8"))).toEqual(["sleep\u00001000\u0000"]);
    } finally {
      await topology.destroy(name);
    }
    expect(readdirSync(LOCKS)).not.toContain(name);
  });

  // Was LOW-MEDIUM: after `ip netns del` of a node, its program kept the old namespace alive and nothing found it again:
  // re-apply started a second copy, and destroy left the first running for ever. Now its cgroup finds it.
  it("destroy ends a lab program whose namespace was deleted behind its back", async () => {
    const name = newLab();
    const t = topology.load(`name: ${name}\nnodes:\n  a: { processes: [[sleep, "1000"]] }\n`);
    await topology.apply(t);
    const pid = await programOf(`${name}/`, SLEEP);
    const orphaned = heldNetnsOf(pid);
    try {
      ip("netns", "del", `${name}-a`);
      await topology.destroy(name);
      expect(alive(pid), `pid ${pid} in ${orphaned.netns}`).toBe(false);
      // No process is left in the namespace (it dies with the last, but for the hold of this test): nothing of the lab to meet.
      expect(pidsIn(orphaned.netns)).toEqual([]);
    } finally {
      orphaned.close();
    }
    expect(netnsList(name)).toEqual([]);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(`/${name}-`);
    expect(readdirSync(LOCKS)).not.toContain(name);
    expect(cgroupDirs(name)).toEqual([]);
  });

  it("re-apply stops a lab program whose namespace was deleted behind its back and starts one in the new namespace", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { processes: [[sleep, "1000"]] }\n`);
      await topology.apply(t);
      const old = await programOf(`${name}/`, SLEEP);
      const orphaned = heldNetnsOf(old);
      try {
        ip("netns", "del", `${name}-a`);
        await topology.apply(t);
        expect(alive(old)).toBe(false);
        expect(pidsIn(orphaned.netns)).toEqual([]);
      } finally {
        orphaned.close();
      }
      const now = await programOf(`${name}/`, SLEEP);
      expect(ip("netns", "pids", `${name}-a`).trim().split("\n").filter(Boolean)).toEqual([String(now)]);
      expect((await topology.plan(t)).changes).toEqual([]);
    });
  });

  it("stops the programs of a node the file no longer has, also when its namespace was deleted by hand first", async () => {
    await withLab(newLab(), async (name) => {
      const node = (n: string) => `  ${n}: { processes: [[sleep, "1000"]] }\n`;
      await topology.apply(topology.load(`name: ${name}\nnodes:\n${node("a")}${node("b")}${node("c")}`));
      const b = await programOf(`${name}/b/`, SLEEP);
      const c = await programOf(`${name}/c/`, SLEEP);
      const orphaned = heldNetnsOf(b);
      const onlyA = topology.load(`name: ${name}\nnodes:\n${node("a")}`);
      try {
        ip("netns", "del", `${name}-b`);
        expect((await topology.plan(onlyA)).changes.map(topology.describeChange).sort()).toEqual([
          `- netns ${name}-c (node c)`,
          `- process b:sleep (pid ${b})`,
          `- process c:sleep (pid ${c})`,
        ]);
        await topology.apply(onlyA);
        expect([alive(b), alive(c)]).toEqual([false, false]);
        expect(pidsIn(orphaned.netns)).toEqual([]);
      } finally {
        orphaned.close();
      }
      expect(netnsList(name)).toEqual([`${name}-a`]);
      const [lab] = cgroupDirs(name);
      expect(readdirSync(lab as string).filter((e) => e.startsWith("node-"))).toEqual(["node-a"]);
      expect((await topology.plan(onlyA)).changes).toEqual([]);
    });
  });

  // LOW-MEDIUM. exec collects output until every holder of its pipes closes them: a command that starts a daemon in the
  // background (`dnsmasq &`) holds apply, and the lab's lock, until the daemon ends. There is no timeout either.
  it("does not wait for an exec's background child", async () => {
    await withLab(newLab(), async (name) => {
      const started = performance.now();
      await topology.apply(topology.load(`name: ${name}\nnodes:\n  a: { exec: ["sleep 60 &"] }\n`));
      expect(performance.now() - started).toBeLessThan(30_000);
    });
  });

  // LOW-MEDIUM. A sysctl name the schema's pattern allows but the sysctl validator refuses ("net.ipv4..") passes load;
  // apply then throws a bare TypeError ("failures.map is not a function": the action throws synchronously inside a job),
  // after the other nodes' namespaces were made, and releases the lock while those jobs still run.
  it("refuses a bad sysctl name at load, or at least fails apply with a typed error and nothing made", async () => {
    await withLab(newLab(), async (name) => {
      const text = `name: ${name}\nnodes:\n  a: {}\n  b: { sysctls: { "net.ipv4..": 1 } }\n  c: {}\n`;
      const outcome = await Promise.resolve()
        .then(() => topology.apply(topology.load(text)))
        .then(
          () => "applied",
          (e) => (e instanceof TopologyError ? "refused at load" : `${e.constructor.name} ${e.code}`),
        );
      await new Promise((r) => setTimeout(r, 300));
      expect(outcome).toBe("refused at load");
      expect(netnsList(name)).toEqual([]);
    });
  });

  // LOW-MEDIUM. A sysctl the kernel does not have fails the read of the whole namespace with ENOENT, which readNamespace takes
  // for "no such namespace": a running node reads as missing, plan lists it (and its links) to be made again, inspect says
  // "missing", and apply fails with "already exists".
  it("reads a running node as running when the file names a sysctl the kernel lacks", async () => {
    await withLab(newLab(), async (name) => {
      const file = (extra: string) =>
        `name: ${name}\nnodes:\n  a: { addresses: { e0: [10.65.0.1/24] }${extra} }\n  b: {}\nlinks: [{ endpoints: ["a:e0", "b:e0"] }]\n`;
      await topology.apply(topology.load(file("")));
      const t = topology.load(file(", sysctls: { net.ipv4.no_such_sysctl: 1 }"));
      expect((await topology.inspect(t)).nodes.map((n) => [n.name, n.phase])).toEqual([
        ["a", "running"],
        ["b", "running"],
      ]);
      // plan names the sysctl the kernel lacks rather than planning the node anew.
      expect(await topology.plan(t).catch((e) => e)).toMatchObject({
        code: "ERR_TOPOLOGY_INVALID",
        problems: [
          { path: 'nodes.a.sysctls["net.ipv4.no_such_sysctl"]', message: expect.stringContaining("the kernel has no such sysctl") },
        ],
      });
    });
  });

  // LOW-MEDIUM. apply brings a node's loopback up when it makes the namespace, and never looks again: a loopback set down
  // by hand stays down (the node's 127.0.0.1 and its loopback addresses unreachable) while plan says nothing is to do.
  it("brings a node's loopback back up", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { addresses: { lo: [10.66.0.1/32] } }\n`);
      await topology.apply(t);
      ip("-n", `${name}-a`, "link", "set", "lo", "down");
      await topology.apply(t);
      expect(ipJson<{ flags: string[] }[]>("-n", `${name}-a`, "link", "show", "lo")[0]?.flags).toContain("UP");
      expect(pings(`${name}-a`, "10.66.0.1")).toBe(true);
    });
  });

  // LOW. Values the kernel refuses pass load, so apply fails half-way, after namespaces were made.
  it("refuses at load what the kernel will refuse", () => {
    const two = (ends: string) => `name: x\nnodes: { a: {}, b: {} }\nlinks: [{ endpoints: ${ends} }]\n`;
    expect(
      notRefused({
        "broadcast MAC": () => two('[{ node: a, interface: e, mac: "ff:ff:ff:ff:ff:ff" }, "b:e"]'),
        "multicast MAC": () => two('[{ node: a, interface: e, mac: "01:00:5e:00:00:01" }, "b:e"]'),
        "route with host bits": () => "name: x\nnodes: { a: { routes: [{ to: 10.0.0.1/8, dev: lo }] } }\n",
        "IPv4 default via ::": () => 'name: x\nnodes: { a: { routes: [{ to: default, via: "::" }] } }\n',
        "NUL in an exec argument": () => ({ name: "x", nodes: { a: { exec: [["echo", "a\0b"]] } } }),
        "NUL in a process env": () => ({ name: "x", nodes: { a: { processes: [{ command: ["sleep", "1"], env: { A: "x\0y" } }] } } }),
      }),
    ).toEqual([]);
  });

  // LOW. Parser limits surface as bare errors instead of a TopologyError naming the problem.
  it("refuses an alias bomb, an unresolved alias and a deeply nested object with a TopologyError", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    const anchor = "abcdefghij";
    for (let i = 1; i < 10; i++)
      bomb.push(
        `${anchor[i]}: &${anchor[i]} [${Array(9)
          .fill(`*${anchor[i - 1]}`)
          .join(", ")}]`,
      );
    let deep: Record<string, unknown> = {};
    const root = { name: "x", nodes: {}, z: deep };
    for (let i = 0; i < 100_000; i++) deep = deep.a = {};
    expect(
      notRefused({
        "billion laughs": () => `name: x\nnodes: {}\n${bomb.join("\n")}\n`,
        "unresolved alias": () => "name: x\nnodes: { a: { exec: [*nowhere] } }\n",
        "deeply nested object": () => root,
      }),
    ).toEqual([]);
  });

  // LOW-MEDIUM. A YAML !!set or !!omap becomes a Set or Map, which the schema takes for an empty object: the nodes written
  // there vanish, and applying such a file as an existing lab's name would remove every node of that lab as stale.
  it("does not read nodes written as a !!set or !!omap as no nodes at all", async () => {
    await withLab(newLab(), async (name) => {
      await topology.apply(topology.load(`name: ${name}\nnodes: { a: {} }\n`));
      const odd = () => topology.load(`name: ${name}\nnodes: !!omap [ { a: {} } ]\n`);
      let loaded: Topology | undefined;
      try {
        loaded = odd();
      } catch {
        // refused: as good as reading it right
      }
      if (loaded) await topology.apply(loaded);
      expect(netnsList(name)).toEqual([`${name}-a`]);
      expect(() => topology.load(`name: ${name}\nnodes: !!set { a }\n`)).toThrow(TopologyError);
    });
  });

  // LOW. A destroy killed between unmounting the namespaces and removing their files (deleteNamedRun unmounts them all,
  // then unlinks) leaves stale entries; destroy run again does not remove them, even given the file that names them.
  // (`ip netns list` shows them; `ip netns exec` fails with "Invalid argument"; apply takes them over, so nothing blocks.)
  it("destroy run again after one cut short removes the stale entries of its nodes", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes: { a: {}, b: {} }\n`);
      await topology.apply(t);
      // What the cut-short destroy left: the namespace unmounted, its file still there.
      execFileSync("umount", [`/run/netns/${name}-a`]);
      try {
        await topology.destroy(t);
        expect(readdirSync("/run/netns").filter((f) => f.startsWith(`${name}-`))).toEqual([]);
      } finally {
        rmSync(`/run/netns/${name}-a`, { force: true });
      }
    });
  });
});
