/**
 * What the kernel holds for a topology, read without changing anything. What
 * a topology owns is marked in the kernel itself, so no state file is needed
 * and a lost one cannot mislead: a node's namespace carries the alias
 * `neslink:<topology>:<node>` on its loopback (it lives and dies with the
 * namespace), and everything inside an owned namespace is the topology's.
 */
import { readdirSync } from "node:fs";
import type { Address, Link, Route } from "@neslink/codec-wasm";
import * as na from "../actions/ns-actions.js";
import * as ra from "../actions/route-actions.js";
import { digestHex } from "../digest.js";
import { isDenied, NeslinkError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { canDoHere, nsDoHere } from "../here.js";
import * as lp from "../links/providers.js";
import { entryState } from "../namespace/entry.js";
import type { NsHandle } from "../namespace/handle.js";
import { listNamed } from "../namespace/list.js";
import { netnsMountedIn } from "../namespace/mounts.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { RTPROT_BOOT } from "./compare.js";
import { MARKER_PREFIX, parseMarker } from "./marker.js";
import type { Topology } from "./model.js";
import type { LabProcess } from "./run.js";
import { HOST_BOUND_GROUP } from "./teardown.js";

/**
 * missing: no such namespace (or only the empty stale entry a killed create
 * leaves, which the next create takes over). owned: marked as a node of some
 * topology (`owner` says which). foreign: anything else — even an empty,
 * unmarked namespace is someone's (`ip netns add` makes exactly that), so it
 * is never adopted: a node's namespace is marked before its name appears.
 */
export type NamespaceState = "missing" | "owned" | "foreign";

export interface LiveNamespace {
  netns: string;
  state: NamespaceState;
  owner?: { topology: string; node: string; ready: boolean };
  links: Link[];
  addresses: Address[];
  /** Its routes of origin "boot" (RTPROT_BOOT), the only ones a topology manages (see compare.ts): the kernel's own are not read. */
  routes: Route[];
  /** Values of the sysctls asked for; null where the kernel has none of that name. */
  sysctls: Record<string, string | null>;
  /** The topology's long-running programs found inside (filled in by readLive). */
  processes: LabProcess[];
  /** Its NS_GET_ID (see ns-record.ts), read by the task that read its marker; when asked for and the kernel has it. */
  id?: string;
}

const empty = (netns: string, state: NamespaceState): LiveNamespace => ({
  netns,
  state,
  links: [],
  addresses: [],
  routes: [],
  sysctls: {},
  processes: [],
});

function stateOf(links: readonly Link[]): Pick<LiveNamespace, "state" | "owner"> {
  const owner = parseMarker(links.find((l) => l.name === "lo")?.alias ?? null);
  return owner ? { state: "owned", owner } : { state: "foreign" };
}

/** Whether `live` is node `node` of `topology`: owned, and marked as that node. */
export function isNodeOf(live: LiveNamespace, topology: string, node: string): boolean {
  return live.state === "owned" && live.owner?.topology === topology && live.owner.node === node;
}

/** Errors that mean "there is no usable namespace of that name" rather than a failure to read one. */
const ABSENT = new Set(["ERR_NS_NOT_FOUND"]);
const NOT_A_NAMESPACE = new Set(["ERR_NOT_A_NAMESPACE", "EINVAL"]);

function codeOf(err: unknown): string | undefined {
  let current = err;
  // The code that says what happened may sit under the error that says where.
  while (NeslinkError.isInstance(current)) {
    if (ABSENT.has(current.code) || NOT_A_NAMESPACE.has(current.code)) return current.code;
    current = current.cause;
  }
  return undefined;
}

/** The names in the mount dir, files of any kind: a name not among them needs no task to know it is missing. */
export function namesInMountDir(): ReadonlySet<string> {
  try {
    return new Set(readdirSync(DEFAULT_NETNS_DIR));
  } catch {
    return new Set();
  }
}

function readSysctl(pool: Pool, netns: string, name: string): Promise<string | null> {
  return nsDoOn(pool, ns.name(netns), na.sysctl(name)).then(
    ({ results: [value] }) => value,
    (err: unknown) => {
      if ((err as { code?: string }).code === "ENOENT") return null;
      throw err;
    },
  );
}

/** Sysctls of a namespace by name, each read in a task of its own, null where the kernel has none of that name. */
export async function readSysctls(pool: Pool, netns: string, names: readonly string[]): Promise<Record<string, string | null>> {
  const values = await Promise.all(names.map((name) => readSysctl(pool, netns, name)));
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]));
}

/** What readNamespace asks of every namespace, made once (actions are plain data). */
const READ_NAMESPACE = [na.links(), na.addrs(), ra.routes("all", { protocol: RTPROT_BOOT })] as const;
const READ_NAMESPACE_ID = [...READ_NAMESPACE, na.handle()] as const;

/** The NS_GET_ID of the namespace a handle holds, and the handle closed. */
export function idOfHandle(handle: NsHandle): string | undefined {
  try {
    return libc.nsId(handle.fd);
  } finally {
    handle.close();
  }
}

/**
 * One namespace's links, addresses and routes in one task, then the given sysctls; `withId`: its id too, read in that
 * task. `present`: namesInMountDir(), read once by the caller for all the namespaces it reads (once per namespace, the
 * mount dir's reads made inspecting a 1000-node lab quadratic: 1000 reads of 1000 entries, half its time).
 */
export async function readNamespace(
  pool: Pool,
  netns: string,
  present: ReadonlySet<string>,
  sysctls: readonly string[] = [],
  withId = false,
): Promise<LiveNamespace> {
  if (!present.has(netns)) return empty(netns, "missing");
  try {
    const {
      results: [links, addresses, routes, handle],
    } = await nsDoOn(pool, ns.name(netns), ...(withId ? READ_NAMESPACE_ID : READ_NAMESPACE));
    const id = handle === undefined ? undefined : idOfHandle(handle);
    const state = stateOf(links);
    // Only a node's own sysctls are read, one task each: one the kernel lacks reads as null, not as a failure of the node.
    const values = state.state === "owned" && sysctls.length > 0 ? await readSysctls(pool, netns, sysctls) : undefined;
    return {
      netns,
      ...state,
      links,
      addresses,
      routes,
      sysctls: values ?? Object.fromEntries(sysctls.map((s) => [s, null])),
      processes: [],
      ...(id !== undefined && { id }),
    };
  } catch (err) {
    const code = codeOf(err);
    if (code !== undefined && ABSENT.has(code)) return empty(netns, "missing");
    // A killed create's leftover (an empty file, nothing mounted) is taken over by the next create, as if missing.
    if (code !== undefined && NOT_A_NAMESPACE.has(code))
      return empty(netns, entryState(`${DEFAULT_NETNS_DIR}/${netns}`).kind === "stale" ? "missing" : "foreign");
    throw err;
  }
}

const READ_LO = na.getLink(lp.byName("lo"));

/**
 * A namespace's loopback, read from the calling thread where it can (here.ts:
 * a socket opened inside it and closed at once). A worker would keep a socket
 * and a descriptor on it for the pool's socketIdleMs, and these are mostly
 * other people's namespaces: one its owner deletes (`ip netns del`)
 * meanwhile would live on, with its veths and their peers on the host, so
 * that making them again fails with EEXIST.
 */
async function loopbackOf(pool: Pool, netns: string): Promise<Link> {
  const provider = ns.name(netns);
  const {
    results: [lo],
  } = canDoHere(provider, [READ_LO]) ? await nsDoHere(provider, READ_LO) : await nsDoOn(pool, provider, READ_LO);
  return lo;
}

/**
 * The named namespaces but those in `skip`, told from the mount table, as `ns list` tells them: no descriptor opened
 * on entries that are mostly others'. `present`: the mount dir's names as the caller read them just before
 * (namesInMountDir); where they are all in `skip` (a machine running one lab), the mount table, one line a mount (a
 * 500-node lab's 500 among them), need not be read (~8 ms on a loaded host).
 */
function namedBut(skip: ReadonlySet<string>, present?: ReadonlySet<string>): string[] {
  if (present !== undefined) {
    const others = [...present].filter((netns) => !skip.has(netns));
    if (others.length === 0) return [];
    // Only a name holding U+FFFD can be one that is not UTF-8, which listNamed leaves out (it reads the dir as bytes).
    if (!others.some((netns) => netns.includes("\uFFFD"))) return netnsMountedIn(DEFAULT_NETNS_DIR, others.sort());
  }
  return listNamed(DEFAULT_NETNS_DIR).filter((netns) => !skip.has(netns));
}

/**
 * Every named namespace (but those in `skip`) marked as a node of some topology, found by reading each one's loopback;
 * `present`: see namedBut.
 */
export async function markedNamespaces(
  pool: Pool,
  skip: ReadonlySet<string> = new Set(),
  present?: ReadonlySet<string>,
): Promise<{ netns: string; topology: string; node: string }[]> {
  const names = namedBut(skip, present);
  const found = await Promise.all(
    names.map(async (netns) => {
      try {
        const owner = parseMarker((await loopbackOf(pool, netns)).alias);
        return owner ? [{ netns, ...owner }] : [];
      } catch (err) {
        // Gone meanwhile, or not a namespace: no one's node either way. Not readable by this user: whose it is is unknown.
        if (isDenied(err)) throw err;
        return [];
      }
    }),
  );
  return found.flat();
}

/** Every named namespace marked as a node of `topology` (but those in `skip`; `present`: see namedBut). */
export async function ownedNamespaces(
  pool: Pool,
  topology: string,
  skip: ReadonlySet<string> = new Set(),
  present?: ReadonlySet<string>,
): Promise<{ netns: string; node: string }[]> {
  const marked = await markedNamespaces(pool, skip, present);
  return marked.filter((m) => m.topology === topology).map(({ netns, node }) => ({ netns, node }));
}

/** The netns of a change in the host's own namespace (the caller's). */
export const HOST = "";

/*
 * Before neslink made a lab's vxlans and macvlans directly in their node, it
 * made each in the host and moved it: under a temporary name, `nl`, 6 hex
 * digits of the lab's name's SHA-256 and 6 random, in HOST_BOUND_GROUP,
 * then with the alias `neslink:<lab>:<node>:<iface>`. An apply of such a
 * version killed in between left the link in the host: plan and destroy
 * still find and remove those.
 */
const TEMP_PREFIX = "nl";
const TEMP_RANDOM_BYTES = 3;
const labTag = (topology: string) => digestHex(topology, 6);
/** The temporary names of `topology`'s links, whatever their random part. */
const tempNames = (topology: string) => new RegExp(`^${TEMP_PREFIX}${labTag(topology)}[0-9a-f]{${2 * TEMP_RANDOM_BYTES}}$`);

/** Whether a host link is one an apply of the lab (its alias's prefix, its temporary names) made and was killed before it moved it into its node. */
function isStray(markedPrefix: string, tempName: RegExp, link: Link): boolean {
  const { alias } = link;
  if (alias?.startsWith(markedPrefix)) return parseMarker(alias) === undefined;
  // Killed before the marker went on: nothing but the name and group say whose it is.
  return !alias && link.group === HOST_BOUND_GROUP && tempName.test(link.name);
}

/** Those of the host's `links` that an apply of `topology` made and was killed before it moved them into their node. */
export function straysOf(topology: string, links: readonly Link[]): Link[] {
  const markedPrefix = `${MARKER_PREFIX}${topology}:`;
  const tempName = tempNames(topology);
  return links.filter((l) => isStray(markedPrefix, tempName, l));
}

/**
 * The host namespace's links (where apply looks `topology`'s vxlan and macvlan parents up) as listed, by name with their
 * index, and its links that an apply of `topology` made and was killed before it moved them into their node.
 */
export async function readHostLinks(
  pool: Pool,
  topology: Topology,
): Promise<{ links: Link[]; names: Map<string, number>; mtus: Map<string, number>; strays: Link[] }> {
  const {
    results: [links],
  } = await nsDoOn(pool, ns.now(), na.links());
  const names = new Map(links.map((l) => [l.name, l.index]));
  const mtus = new Map(links.flatMap((l) => (l.mtu === null ? [] : [[l.name, l.mtu] as const])));
  // A link is found by an altname too (`ip link property add ... altname`, systemd's predictable names), as apply
  // finds the parent, though a dump lists each by its name: a parent not listed is asked for by its own name.
  const unlisted = [
    ...new Set(topology.nodes.flatMap((n) => n.interfaces.flatMap((i) => i.vxlan?.parent ?? i.macvlan?.parent ?? []))),
  ].filter((parent) => !names.has(parent));
  const found = await Promise.all(
    unlisted.map((parent) =>
      nsDoOn(pool, ns.now(), na.getLink(lp.byName(parent))).then(
        ({ results: [link] }) => [[parent, link] as const],
        (err: unknown) => (NeslinkError.isInstance(err) && err.code === "ERR_LINK_NOT_FOUND" ? [] : Promise.reject(err)),
      ),
    ),
  );
  for (const [parent, link] of found.flat()) {
    names.set(parent, link.index);
    if (link.mtu !== null) mtus.set(parent, link.mtu);
  }
  return { links, names, mtus, strays: straysOf(topology.name, links) };
}
