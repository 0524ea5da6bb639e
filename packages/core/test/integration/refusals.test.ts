/**
 * The kernel's refusals core has a code of its own for (worker/refusals.ts):
 * a link name taken where a link is made, renamed or moved to
 * (ERR_LINK_EXISTS), an address or route to delete that is not there
 * (ERR_ADDR_NOT_FOUND, ERR_IP_ROUTE_NOT_FOUND), a link or link group not
 * there (ERR_LINK_NOT_FOUND); any other refusal keeps its errno, with the
 * action named. Each is tried on a worker (nsDoOn, linkDoOn) and from the
 * calling thread (nsDoHere, linkDo without options): the same error both
 * ways, the kernel's own as its cause, and iproute2 shows nothing changed
 * in either namespace.
 */
import {
  ActionError,
  AlreadyExistsError,
  canDoHere,
  canLinkDoHere,
  type LinkAction,
  type LinkProvider,
  la,
  linkDo,
  linkDoOn,
  lp,
  NetlinkError,
  NotFoundError,
  type NsAction,
  na,
  nsDoHere,
  nsDoOn,
  ns,
  Pool,
  rootCause,
  toErrorJSON,
} from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fdCount, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("rf");
const nsA = `${prefix}a`;
const nsB = `${prefix}b`;
const where = ns.name(nsA);
let pool: Pool;

interface IpLink {
  ifindex: number;
  ifname: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { local: string; prefixlen: number; scope: string }[];
}

/**
 * What a failed call must leave as it was: each namespace's links (index,
 * name, kind, addresses) and A's routes. IPv6 link-local addresses, and the
 * kernel's routes for them, come when the kernel gets to them: left out.
 */
function state() {
  const links = (name: string) =>
    ipJson<IpLink[]>("-n", name, "addr", "show").map((l) => ({
      index: l.ifindex,
      name: l.ifname,
      kind: l.linkinfo?.info_kind,
      addrs: (l.addr_info ?? []).filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`),
    }));
  const routes = ipJson<{ dst: string }[]>("-n", nsA, "route", "show", "table", "all").filter((r) => !r.dst.startsWith("fe80:"));
  return { a: links(nsA), b: links(nsB), routes };
}

beforeAll(async () => {
  pool = new Pool({ size: 1 });
  ip("netns", "add", nsA);
  ip("netns", "add", nsB);
  ip("-n", nsA, "link", "add", "br0", "type", "bridge");
  ip("-n", nsA, "link", "set", "br0", "up");
  ip("-n", nsA, "addr", "add", "10.61.0.1/24", "dev", "br0");
  ip("-n", nsA, "addr", "add", "2001:db8:61::1/64", "dev", "br0", "nodad");
  ip("-n", nsA, "route", "add", "10.62.0.0/24", "dev", "br0", "metric", "5");
  ip("-n", nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v0p");
  ip("-n", nsA, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789");
  ip("-n", nsB, "link", "add", "pb", "type", "bridge");
  ip("-n", nsB, "link", "add", "v0", "type", "bridge");
  // Both ways started once: the descriptors they keep (the worker's, the calling thread's) are open before any count.
  await nsDoOn(pool, where, na.links());
  await nsDoHere(where, na.links());
});

afterAll(async () => {
  await pool?.close();
  cleanup(prefix);
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("should have failed");
    },
    (err: unknown) => err,
  );

/** The error of `actions` run on a worker, after checking the calling thread gives the same, and nothing changed. */
async function nsDoRefused(...actions: NsAction[]): Promise<ActionError> {
  expect(canDoHere(where, actions)).toBe(true);
  const before = state();
  const fds = fdCount();
  const worker = await failure(nsDoOn(pool, where, ...actions));
  expect(state()).toEqual(before);
  const here = await failure(nsDoHere(where, ...actions));
  expect(state()).toEqual(before);
  expect(fdCount()).toBe(fds);
  expect(worker).toBeInstanceOf(ActionError);
  expect(toErrorJSON(here)).toEqual(toErrorJSON(worker));
  return worker as ActionError;
}

/** The same for linkDo: on a worker, and from the calling thread (no options). */
async function linkDoRefused(provider: LinkProvider, ...actions: LinkAction[]): Promise<ActionError> {
  expect(canLinkDoHere(where, provider, actions)).toBe(true);
  const before = state();
  const worker = await failure(linkDoOn(pool, where, provider, ...actions));
  expect(state()).toEqual(before);
  const here = await failure(linkDo(where, provider, ...actions));
  expect(state()).toEqual(before);
  expect(worker).toBeInstanceOf(ActionError);
  expect(toErrorJSON(here)).toEqual(toErrorJSON(worker));
  return worker as ActionError;
}

/** The kernel's own refusal under core's error: a NetlinkError with that errno. */
function kernelCause(err: unknown, errno: number): NetlinkError {
  const cause = (rootCause(err) as Error).cause;
  expect(cause).toBeInstanceOf(NetlinkError);
  expect((cause as NetlinkError).errno).toBe(errno);
  return cause as NetlinkError;
}

const ENOENT = 2;
const ESRCH = 3;
const EEXIST = 17;
const ENODEV = 19;
const EADDRNOTAVAIL = 99;

describe("deleting what is not there", () => {
  it("a route: ERR_IP_ROUTE_NOT_FOUND naming the route as given, not ESRCH", async () => {
    const err = await nsDoRefused(na.links(), na.delRoute({ to: "10.9.9.0/24" }));
    expect(err).toMatchObject({ code: "ERR_IP_ROUTE_NOT_FOUND", actionIndex: 1, action: "delRoute" });
    expect(err.message).toBe("no route 10.9.9.0/24 to delete (action #1: delRoute)");
    expect(rootCause(err)).toBeInstanceOf(NotFoundError);
    kernelCause(err, ESRCH);
  });

  it("a route that only differs in what narrows it (metric, table, dev, gateway, family); the route there stays", async () => {
    const cases: [Parameters<typeof na.delRoute>[0], string, number][] = [
      [{ to: "10.62.0.0/24", dev: lp.name("br0"), metric: 9 }, "10.62.0.0/24 dev br0 metric 9", ESRCH],
      [{ to: "10.62.0.0/24", table: 100 }, "10.62.0.0/24 table 100", ESRCH],
      [{ to: "10.62.0.0/24", dev: lp.name("v0") }, "10.62.0.0/24 dev v0", ESRCH],
      [{ to: "default", via: "10.61.0.254" }, "default via 10.61.0.254", ESRCH],
      [{ to: "2001:db8:9::/64" }, "2001:db8:9::/64", ESRCH],
      // IPv6's missing default: the kernel finds its table's root, which holds none, and says ENOENT.
      [{ to: "default", family: 6 }, "default (IPv6)", ENOENT],
    ];
    for (const [route, text, errno] of cases) {
      const err = await nsDoRefused(na.delRoute(route));
      expect(err).toMatchObject({ code: "ERR_IP_ROUTE_NOT_FOUND", message: `no route ${text} to delete (action #0: delRoute)` });
      kernelCause(err, errno);
    }
    expect(ipJson<{ dst: string; metric: number }[]>("-n", nsA, "route", "show", "10.62.0.0/24")).toMatchObject([{ metric: 5 }]);
  });

  it("an address: ERR_ADDR_NOT_FOUND naming the address and the link, not EADDRNOTAVAIL", async () => {
    const err = await nsDoRefused(na.link(lp.name("br0"), la.up(), la.delAddr("10.61.0.9/24")));
    expect(err).toMatchObject({ code: "ERR_ADDR_NOT_FOUND", actionIndex: 0, linkActionIndex: 1, action: "delAddr" });
    expect(err.message).toBe('no address 10.61.0.9/24 on the link with name "br0" (action #0, link action #1: delAddr)');
    kernelCause(err, EADDRNOTAVAIL);
    const v6 = await linkDoRefused(lp.name("br0"), la.delAddr("2001:db8:61::9/64"));
    expect(v6).toMatchObject({ code: "ERR_ADDR_NOT_FOUND", actionIndex: 0, action: "delAddr" });
    expect(v6.message).toBe('no address 2001:db8:61::9/64 on the link with name "br0" (action #0: delAddr)');
    // An address of the link with another prefix length is not the one asked for: it stays.
    const other = await linkDoRefused(lp.name("br0"), la.delAddr("10.61.0.1/16"));
    expect(other).toMatchObject({ code: "ERR_ADDR_NOT_FOUND" });
  });

  it("a link, by name or index: ERR_LINK_NOT_FOUND; a link group with no link in it: ERR_LINK_NOT_FOUND, not ENODEV", async () => {
    expect(await nsDoRefused(na.link(lp.name("nope0"), la.delete()))).toMatchObject({
      code: "ERR_LINK_NOT_FOUND",
      message: 'no link with name "nope0" (action #0: link provider (name "nope0"))',
    });
    expect(await linkDoRefused(lp.index(999_999), la.delete())).toMatchObject({ code: "ERR_LINK_NOT_FOUND" });
    const group = await nsDoRefused(na.deleteGroup(77));
    expect(group).toMatchObject({ code: "ERR_LINK_NOT_FOUND", message: "no link in group 77 (action #0: deleteGroup)" });
    kernelCause(group, ENODEV);
  });
});

describe("a link gone while it is changed", () => {
  it("is ERR_LINK_NOT_FOUND at the change that met it, not ENODEV", async () => {
    const actions = [na.link(lp.name("g0"), la.delete(), la.up())];
    const names = () => ipJson<IpLink[]>("-n", nsA, "link", "show").map((l) => l.ifname);
    ip("-n", nsA, "link", "add", "g0", "type", "bridge");
    const worker = await failure(nsDoOn(pool, where, ...actions));
    expect(names()).not.toContain("g0");
    ip("-n", nsA, "link", "add", "g0", "type", "bridge");
    const here = await failure(nsDoHere(where, ...actions));
    expect(names()).not.toContain("g0");
    expect(toErrorJSON(here)).toEqual(toErrorJSON(worker));
    expect(worker).toMatchObject({ code: "ERR_LINK_NOT_FOUND", actionIndex: 0, linkActionIndex: 1, action: "set" });
    expect((worker as Error).message).toBe('the link with name "g0" is gone (action #0, link action #1: set)');
    kernelCause(worker, ENODEV);
  });
});

describe("a link name already taken", () => {
  const taken = (name: string, where = "") => `a link named "${name}" already exists${where}`;

  it("creating a link of every kind under a taken name: ERR_LINK_EXISTS naming it, not EEXIST", async () => {
    const cases: [LinkProvider, string][] = [
      [lp.bridge("br0"), taken("br0")],
      [lp.veth("br0", { name: "n0p" }), taken("br0")],
      // The peer's name taken, in the same namespace or in the peer's.
      [lp.veth("n1", { name: "br0" }), taken("br0")],
      [lp.veth("n1", { name: "pb", ns: ns.name(nsB) }), taken("pb", " in the veth peer's namespace")],
      [lp.vxlan("v0", { id: 43, port: 4789 }), taken("v0")],
      [lp.macvlan("v0p", lp.name("br0")), taken("v0p")],
    ];
    for (const [provider, message] of cases) {
      // Alone, pipelined on the worker; with a link action, made by itself then changed.
      const alone = await nsDoRefused(na.link(provider));
      const changed = await linkDoRefused(provider, la.up());
      expect(alone).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: 0, linkActionIndex: -1 });
      expect(changed).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: -1, action: alone.action });
      for (const err of [alone, changed]) {
        expect(err.message).toBe(`${message} (${err.actionIndex === 0 ? "action #0: " : ""}${err.action})`);
        expect(rootCause(err)).toBeInstanceOf(AlreadyExistsError);
        kernelCause(err, EEXIST);
      }
    }
  });

  it("in a run of creations: the one taken is named where it is; the worker undoes the later ones it sent with it", async () => {
    const run = [na.link(lp.bridge("r1")), na.link(lp.bridge("br0")), na.link(lp.bridge("r2"))];
    const names = () => ipJson<IpLink[]>("-n", nsA, "link", "show").map((l) => l.ifname);
    const worker = await failure(nsDoOn(pool, where, ...run));
    expect(names()).toContain("r1");
    expect(names()).not.toContain("r2");
    ip("-n", nsA, "link", "del", "r1");
    const here = await failure(nsDoHere(where, ...run));
    expect(names()).toContain("r1");
    expect(names()).not.toContain("r2");
    ip("-n", nsA, "link", "del", "r1");
    expect(toErrorJSON(here)).toEqual(toErrorJSON(worker));
    expect(worker).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: 1, action: 'link provider (new bridge "br0")' });
    expect((worker as Error).message).toBe(`${taken("br0")} (action #1: link provider (new bridge "br0"))`);
  });

  it("renaming onto a taken name: ERR_LINK_EXISTS; the link keeps its name", async () => {
    const err = await nsDoRefused(na.link(lp.name("v0"), la.setName("br0")));
    expect(err).toMatchObject({ code: "ERR_LINK_EXISTS", linkActionIndex: 0, action: "set" });
    expect(err.message).toBe(`${taken("br0")} (action #0, link action #0: set)`);
    kernelCause(err, EEXIST);
    expect(await linkDoRefused(lp.name("v0"), la.up(), la.setName("v0p"))).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: 1 });
  });

  it("moving a link into a namespace that has its name: ERR_LINK_EXISTS; it stays where it was", async () => {
    const err = await nsDoRefused(na.setLinkNs(lp.name("v0"), ns.name(nsB)));
    expect(err).toMatchObject({ code: "ERR_LINK_EXISTS", action: "setLinkNs" });
    expect(err.message).toBe(`${taken("v0", " in the target namespace")} (action #0: setLinkNs)`);
    kernelCause(err, EEXIST);
  });

  it("an EEXIST for another reason (a vxlan's VNI in use) stays the kernel's, with its own words", async () => {
    const err = await nsDoRefused(na.link(lp.vxlan("vx1", { id: 42, port: 4789 })));
    expect(err).toMatchObject({ code: "EEXIST", action: 'link provider (new vxlan "vx1")' });
    expect(rootCause(err)).toBeInstanceOf(NetlinkError);
    expect((rootCause(err) as NetlinkError).extAck).toMatch(/VNI/);
  });
});

describe("a refusal core has no code for", () => {
  it("keeps the kernel's errno and reason, and names the action: a route through a gateway no link reaches", async () => {
    const err = await nsDoRefused(na.addRoute({ to: "10.8.0.0/24", via: "192.0.2.1" }));
    expect(err).toMatchObject({ code: "ENETUNREACH", actionIndex: 0, action: "addRoute" });
    const cause = rootCause(err) as NetlinkError;
    expect(cause).toBeInstanceOf(NetlinkError);
    expect(cause).toMatchObject({ errno: 101, syscall: "netlink RTM_NEWROUTE" });
    expect(err.message).toBe(`netlink RTM_NEWROUTE failed: ENETUNREACH (${cause.extAck}) (action #0: addRoute)`);
  });
});
