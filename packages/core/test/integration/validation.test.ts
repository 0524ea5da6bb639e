/**
 * Providers and actions built by hand (or altered after construction) reach
 * the worker as plain data: each reported attack is replayed here through
 * nsDoOn and pool.run, and must be refused as a ValidationError naming the
 * field, with nothing on the machine changed and the worker still working.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { errorFromJSON, lp, type NsAction, type NsActionSpec, type NsProvider, na, ns, nsDoOn, Pool, ValidationError } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fdCount, ip, ipJson, linksIn, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("nv");
const lab = `${prefix}l`;
const bridge = `${prefix}b`;
const scratch = `/tmp/${prefix}`;
const victim = `${scratch}/victim.txt`;
const traversal = "../../proc/self/ns/net";
// One worker: the work after each refusal runs on the same thread the refusal hit.
const pool = new Pool({ size: 1 });

beforeAll(() => {
  ip("netns", "add", lab);
  ip("-n", lab, "link", "add", bridge, "type", "bridge");
  mkdirSync(scratch);
  writeFileSync(victim, "still here\n");
});

afterAll(async () => {
  cleanup(prefix);
  rmSync(scratch, { recursive: true, force: true });
  await pool.close();
});

/** nsDo with hand-built parts, as a caller without types (or with casts) sends them; resolves to what it threw. */
function run(provider: unknown, ...actions: unknown[]): Promise<ValidationError> {
  return nsDoOn(pool, provider as NsProvider, ...(actions as NsAction[])).then(
    () => {
      throw new Error("accepted");
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(ValidationError);
      return err as ValidationError;
    },
  );
}

/** The task posted to the worker as it is, past nsDo's own check of the provider. */
async function inWorker(provider: unknown, ...actions: unknown[]): Promise<ValidationError> {
  const outcome = await pool.run(provider as NsProvider, actions as NsActionSpec[]);
  expect(outcome.results).toBeUndefined();
  expect(outcome.returned).toBe(true);
  const err = errorFromJSON(outcome.error ?? { name: "Error", code: "ERR_UNKNOWN", message: "accepted" });
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

/** What must not change: links in the host and in the lab, named namespaces, mounts, the victim file. */
function machineState() {
  return {
    hostLinks: ipJson<{ ifname: string }[]>("link", "show")
      .map((l) => l.ifname)
      .filter((n) => n.startsWith(prefix) || n.startsWith("rt")),
    labLinks: linksIn(lab).map((l) => `${l.ifname} ${l.flags.join(",")}`),
    labAddrs: ipJson("-n", lab, "addr", "show"),
    named: readdirSync("/run/netns").filter((n) => n.startsWith(prefix) || n.includes("tmp")),
    mounts: readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter((l) => l.includes(scratch) || l.includes(prefix)),
    scratch: readdirSync(scratch).sort(),
    victim: readFileSync(victim, "utf8"),
  };
}

/** The worker still works afterwards: it lists the lab's links as iproute2 sees them. */
async function workerStillWorks(): Promise<void> {
  const {
    results: [links],
  } = await nsDoOn(pool, ns.name(lab), na.links());
  expect(links.map((l) => l.name).sort()).toEqual(
    linksIn(lab)
      .map((l) => l.ifname)
      .sort(),
  );
}

const link = (provider: unknown, ...actions: unknown[]) => ({ kind: "link", link: provider, actions });

describe("hand-built providers and actions are checked where they run", () => {
  it("a name provider with a traversal does not reach the host's namespace", async () => {
    const before = machineState();
    const hostNs = { kind: "name", name: traversal, dir: "/run/netns" };
    expect((await run(hostNs, na.links())).field).toBe("provider.name");
    expect((await inWorker(hostNs, na.links())).field).toBe("provider.name");
    expect(machineState()).toEqual(before);
    await workerStillWorks();
  });

  it("a veth peer's namespace with a traversal does not create the peer in the host", async () => {
    const before = machineState();
    const veth = {
      kind: "new",
      spec: {
        name: `${prefix}v`,
        type: "veth",
        veth: { peer: { name: `${prefix}p`, ns: { kind: "name", name: traversal, dir: "/run/netns" } } },
      },
    };
    const err = await run(ns.name(lab), na.links(), link(veth));
    expect(err.field).toBe("actions[1].link.spec.veth.peer.ns.name");
    expect(err.message).toMatch(/would escape the mount dir/);
    expect(machineState()).toEqual(before);
    await workerStillWorks();
  });

  it("deleteNamed with a traversal deletes no file", async () => {
    const before = machineState();
    const err = await run(ns.now(), { kind: "deleteNamed", name: `../..${victim}`, dir: "/run/netns" });
    expect(err.field).toBe("actions[0].name");
    expect(existsSync(victim)).toBe(true);
    expect(machineState()).toEqual(before);
  });

  it("newNamed with a traversal makes no bind mount outside the mount dir, as an action or as the provider", async () => {
    const before = machineState();
    const outside = `../..${scratch}/mnt`;
    expect((await run(ns.now(), { kind: "newNamed", name: outside, dir: "/run/netns" })).field).toBe("actions[0].name");
    expect((await run({ kind: "newNamed", name: outside, dir: "/run/netns" })).field).toBe("provider.name");
    expect((await inWorker({ kind: "newNamed", name: outside, dir: "/run/netns" })).field).toBe("provider.name");
    expect((await run(ns.now(), { kind: "newNamed", name: `${prefix}r`, dir: "run/netns" })).field).toBe("actions[0].dir");
    expect(existsSync(`${scratch}/mnt`)).toBe(false);
    expect(machineState()).toEqual(before);
    await workerStillWorks();
  });

  it("unknown kinds, null and junk are refused; the whole task is checked before anything runs", async () => {
    const before = machineState();
    const first = `${prefix}f`;
    expect((await run(ns.now(), na.createNamed(first), { kind: "bogus" })).field).toBe("actions[1].kind");
    expect((await run(ns.name(lab), null)).field).toBe("actions[0]");
    expect((await run(ns.name(lab), na.links(), "links")).field).toBe("actions[1]");
    expect((await run(ns.name(lab), { ...na.links(), extra: true })).field).toBe("actions[0].extra");
    expect((await run(null, na.links())).field).toBe("provider");
    expect((await run({ kind: "bogus" }, na.links())).field).toBe("provider.kind");
    // A new namespace is not made for a task whose later action is bad.
    expect((await run(ns.createNamed(first), na.links(), link(lp.name(bridge), null))).field).toBe("actions[1].actions[0]");
    expect((await inWorker(ns.name(lab), na.createNamed(first), { kind: "bogus" })).field).toBe("actions[1].kind");
    expect(existsSync(`/run/netns/${first}`)).toBe(false);
    expect(machineState()).toEqual(before);
    await workerStillWorks();
  });

  it("booleans, CIDRs and link names are parsed strictly", async () => {
    const before = machineState();
    expect(() => na.link(lp.name(bridge), { kind: "set", changes: { up: "false" } } as never)).toThrow(/changes\.up/);
    const up = await run(ns.name(lab), link(lp.name(bridge), { kind: "set", changes: { up: "false" } }));
    expect(up.field).toBe("actions[0].actions[0].changes.up");
    expect(up.message).toMatch(/must be true or false/);
    const cidr = { family: 2, address: "10.0.0.1", prefixLen: "24/8" };
    expect((await run(ns.name(lab), link(lp.name(bridge), { kind: "addAddr", cidr, replace: false }))).field).toBe(
      "actions[0].actions[0].cidr",
    );
    const percent = await run(ns.name(lab), link({ kind: "new", spec: { name: "rt%d", type: "bridge" } }));
    expect(percent.field).toBe("actions[0].link.spec.name");
    expect(percent.message).toMatch(/%d/);
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("rt0");
    expect(linksIn(lab).find((l) => l.ifname === bridge)?.flags).not.toContain("UP");
    expect(machineState()).toEqual(before);
    await workerStillWorks();
  });

  it("control, zero-width and bidi characters and lone surrogates are refused in names and aliases", async () => {
    const before = machineState();
    for (const odd of ["\u200b", "\u202e", "\u2066", "\u0085", "\ud800", "\ufeff"]) {
      expect((await run({ kind: "newNamed", name: `${prefix}${odd}`, dir: "/run/netns" })).field).toBe("provider.name");
      expect((await run(ns.now(), { kind: "newNamed", name: `${prefix}${odd}x`, dir: "/run/netns" })).field).toBe("actions[0].name");
      expect((await run(ns.name(lab), link({ kind: "new", spec: { name: `${prefix}${odd}`, type: "bridge" } }))).field).toBe(
        "actions[0].link.spec.name",
      );
      expect((await run(ns.name(lab), link(lp.name(bridge), { kind: "set", changes: { alias: `up${odd}link` } }))).field).toBe(
        "actions[0].actions[0].changes.alias",
      );
    }
    expect(ipJson<{ ifalias?: string }[]>("-n", lab, "link", "show", bridge)[0]?.ifalias).toBeUndefined();
    expect(machineState()).toEqual(before);
    await workerStillWorks();
  });

  it("refusals leak no descriptor", async () => {
    await workerStillWorks();
    const before = fdCount();
    for (let i = 0; i < 50; i++) {
      await run(ns.name(lab), na.links(), { kind: "deleteNamed", name: "../x", dir: "/run/netns" });
      await inWorker({ kind: "name", name: lab, dir: "/run/netns" }, na.links(), null);
    }
    expect(fdCount()).toBe(before);
  });
});
