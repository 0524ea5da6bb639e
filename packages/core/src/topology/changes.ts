/**
 * The changes a plan lists and apply carries out: each one kernel object
 * created, updated or deleted, as plain data (what the CLI prints as
 * `+ ~ -` lines and as JSON). `object` says what it is to, as ip names its
 * objects (`netns`, `link`, `address`, `route`) and neslink its own
 * (`sysctl`, `exec`, `process`); a link's change says the link's `kind` too,
 * as a listed link does (`veth`, `bridge`, ...).
 */
import { commandLine } from "../actions/nescript.js";
import type { RouteGivenJSON } from "../shapes/rows.js";
import type { TopologyInterface, TopologyProcess } from "./model.js";

interface At {
  /** The node (for a namespace of a removed node, the node its marker names). */
  node: string;
  netns: string;
}

/** A change to a link, named as a listing names it: `name`, and its `kind` as `Link.kind` gives it. */
interface LinkAt extends At {
  object: "link";
  name: string;
}

/** Settings of a new link that the file gives (MTU and MAC are the kernel's to choose unless it does). */
interface Made {
  up: boolean;
  mtu?: number;
  mac?: string;
}

/** A change of `T` made and one undone, each of its own `op` (so that ChangeOf picks either). */
type MadeOrUndone<T> = (T & { op: "create" }) | (T & { op: "delete" });

export type Change =
  | MadeOrUndone<At & { object: "netns" }>
  | (LinkAt & Made & { op: "create"; kind: "bridge" })
  | (LinkAt &
      Made & {
        op: "create";
        kind: "veth";
        master?: string;
        /**
         * The other end, created in its own namespace by the same request. The
         * kernel cannot create it up (a veth's peer is configured before its
         * pair is tied, so opening it fails with ENOTCONN): with `up`, apply
         * brings it up afterwards in its own namespace's configuration task.
         */
        peer: At & Made & { name: string };
      })
  | (LinkAt &
      Made & {
        op: "create";
        kind: "vxlan" | "macvlan";
        vxlan?: NonNullable<TopologyInterface["vxlan"]>;
        macvlan?: NonNullable<TopologyInterface["macvlan"]>;
      })
  /**
   * A link to delete, of the kind the kernel reports (null: none, as for a physical device); netns "" is the host's
   * namespace (a vxlan or macvlan an apply of an earlier version made there and was killed before it moved it).
   */
  | (LinkAt & {
      op: "delete";
      kind: string | null;
      /** Why a link the file has is made again: e.g. `its peer is not h1:eth0` (a veth whose ends were swapped). */
      reason?: string;
    })
  /** A link's settings to change: of the kind the kernel reports (null for a loopback), or the file's for one being made. */
  | (LinkAt & {
      op: "update";
      kind: string | null;
      /** The fields that change, with their values now (undefined: the link is being created). */
      set: { up?: boolean; mtu?: number; mac?: string; master?: string | null };
      from: { up?: boolean; mtu?: number | null; mac?: string | null; master?: string | null };
    })
  /**
   * An address as `neslink addr list` names one: the link it is on (`dev`) and the address with its prefix (`cidr`).
   * `reason`, on create, says why one the kernel has is made again: an IPv4 secondary the file keeps, which the kernel
   * deletes with its primary (see secondaries.ts).
   */
  | (At & { op: "create"; object: "address"; dev: string; cidr: string; reason?: string })
  | (At & { op: "delete"; object: "address"; dev: string; cidr: string })
  /**
   * A route as `route add` and `route del` name one (`--json`): what is asked of the kernel, as `route list` shows it
   * but what the kernel decides (protocol, scope, type). One to make is the file's, its table "main" and metric null
   * (the kernel's default) when it gives none; one to delete is the live one, all its fields told.
   */
  | MadeOrUndone<At & { object: "route"; route: RouteGivenJSON }>
  /**
   * `from`: the value read now; null where there is none to read, the node or the link it names being made by this
   * apply (or the kernel having none of that name). `reason`: why one the kernel has as the file says is written again
   * (see plan.ts rewrittenByAll).
   */
  | (At & { op: "update"; object: "sysctl"; name: string; from: string | null; to: string; reason?: string })
  /**
   * A node's command: create runs it; delete and update change only the record of which commands ran (see
   * exec-plan.ts): an entry gone from the file, forgotten; an entry taken as run, there being no record of the node.
   * `reason` says which, and, on create, that the node existed and this entry is new to it.
   */
  | (At & { op: "create"; object: "exec"; argv: string[]; timeoutMs: number; reason?: string })
  | (At & { op: "update"; object: "exec"; argv: string[]; timeoutMs: number; reason: string })
  | (At & { op: "delete"; object: "exec"; argv: string[]; reason: string })
  | (At & { op: "create"; object: "process"; process: TopologyProcess })
  | (At & { op: "delete"; object: "process"; name: string; pids: number[] });

/** What a change is to. */
export type ChangeObject = Change["object"];

/** The changes to `object` (those of `op`, if given). */
export type ChangeOf<O extends ChangeObject, P extends Change["op"] = Change["op"]> = Extract<Change, { object: O; op: P }>;

/** The creation of a link of `kind`. */
export type LinkCreate<K extends ChangeOf<"link", "create">["kind"] = ChangeOf<"link", "create">["kind"]> = Extract<
  ChangeOf<"link", "create">,
  { kind: K }
>;

/** Whether `c` creates a link of one of `kinds` (of any kind, given none). */
export function createsLink<K extends LinkCreate["kind"]>(c: Change, ...kinds: K[]): c is LinkCreate<K> {
  return c.object === "link" && c.op === "create" && (kinds.length === 0 || (kinds as string[]).includes(c.kind));
}

export interface Summary {
  add: number;
  change: number;
  destroy: number;
}

export function summarize(changes: readonly Change[]): Summary {
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    if (c.op === "create") summary.add++;
    else if (c.op === "update") summary.change++;
    else summary.destroy++;
  }
  return summary;
}

const SIGN = { create: "+", update: "~", delete: "-" } as const;

/** A route as `ip route` takes one: what the kernel would take as given left out (no metric, the main table). */
function routeText(r: RouteGivenJSON): string {
  return [
    r.to,
    r.via && `via ${r.via}`,
    r.dev && `dev ${r.dev}`,
    r.metric !== null && `metric ${r.metric}`,
    r.table !== "main" && `table ${r.table}`,
  ]
    .filter(Boolean)
    .join(" ");
}

/** A program's environment as a shell line gives it, before the command: `A=1 B='x y' `; a changed one shows in the plan. */
function environment(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${commandLine([value])} `)
    .join("");
}

/** Each field as `mtu 1500 -> 9000`; a link this apply creates has no old value (`up true`), where "null" would read as the kernel's. */
function fieldsText(c: ChangeOf<"link", "update">): string {
  const from = c.from as Record<string, unknown>;
  return Object.entries(c.set)
    .map(([k, to]) => (from[k] === undefined ? `${k} ${JSON.stringify(to)}` : `${k} ${JSON.stringify(from[k])} -> ${JSON.stringify(to)}`))
    .join(", ");
}

/**
 * A sysctl's value as the kernel reads it: a sysctl of several numbers
 * (ip_local_port_range, tcp_rmem) takes them separated by any blanks and
 * reads back tab-separated, so "1024 65000" as written is already set.
 */
export const sysctlWords = (value: string) => value.trim().split(/\s+/).join(" ");

/**
 * What a vxlan is made with, each setting the file gives in its words (`id 42 remote 192.0.2.1 port 4789`), its
 * parent as a macvlan's is said: `on host link eth0 (...)`.
 */
function vxlanText(v: TopologyInterface["vxlan"]): string {
  const settings = Object.entries({ id: v?.id, remote: v?.remote, local: v?.local, group: v?.group, port: v?.port })
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${value}`);
  return `${v?.parent === undefined ? "" : `on host link ${v.parent} `}(${settings.join(" ")})`;
}

/** A link's change, after its sign: `link veth h1:eth0 <-> r1:eth1`, its kind after "link" where the kernel names one. */
function linkText(c: ChangeOf<"link">): string {
  const at = c.netns === "" ? `${c.name} in the host namespace` : `${c.node}:${c.name}`;
  const head = `link ${c.kind === null ? "" : `${c.kind} `}${at}`;
  if (c.op === "update") return `${head} (${fieldsText(c)})`;
  if (c.op === "delete") return c.netns === "" ? `${head} (left by an apply cut short)` : `${head}${c.reason ? ` (${c.reason})` : ""}`;
  switch (c.kind) {
    case "bridge":
      return head;
    case "veth":
      return `${head} <-> ${c.peer.node}:${c.peer.name}`;
    case "vxlan":
      return `${head} ${vxlanText(c.vxlan)}`;
    case "macvlan":
      return `${head} on host link ${c.macvlan?.parent} (${c.macvlan?.mode})`;
  }
}

/** One line for a change, as a plan prints it: `+ link veth h1:eth0 <-> r1:eth1`, its object first. */
export function describeChange(c: Change): string {
  const at = c.node;
  const body = (() => {
    switch (c.object) {
      case "netns":
        return `netns ${c.netns} (node ${c.node})`;
      case "link":
        return linkText(c);
      case "address":
        return `address ${c.cidr} on ${at}:${c.dev}${c.op === "create" && c.reason ? ` (${c.reason})` : ""}`;
      case "route":
        return `route ${routeText(c.route)} in ${at}`;
      case "sysctl":
        // As compared: the kernel's tabs between numbers would show as a column break.
        return `sysctl ${c.name} in ${at}: ${c.from === null ? "set to " : `${sysctlWords(c.from)} -> `}${sysctlWords(c.to)}${c.reason ? ` (${c.reason})` : ""}`;
      case "exec":
        return `exec in ${at}: ${commandLine(c.argv)}${c.reason ? ` (${c.reason})` : ""}`;
      case "process":
        return c.op === "create"
          ? `process ${at}:${c.process.name} (${environment(c.process.env)}${commandLine(c.process.argv)})`
          : `process ${at}:${c.name} (pid ${c.pids.join(", ")})`;
    }
  })();
  return `${SIGN[c.op]} ${body}`;
}
