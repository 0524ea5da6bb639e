/**
 * The changes a plan lists and apply carries out: each one kernel object
 * created, updated or deleted, as plain data (what the CLI prints as
 * `+ ~ -` lines and HTTP sends as JSON).
 */
import { commandLine } from "../actions/nescript.js";
import type { TopologyInterface, TopologyProcess, TopologyRoute } from "./model.js";

interface At {
  /** The node (for a namespace of a removed node, the node its marker names). */
  node: string;
  netns: string;
}

export type Change =
  | (At & { op: "create"; kind: "namespace" })
  | (At & { op: "delete"; kind: "namespace" })
  | (At & { op: "create"; kind: "bridge"; name: string; up: boolean; mtu?: number; mac?: string })
  | (At & {
      op: "create";
      kind: "veth";
      name: string;
      up: boolean;
      mtu?: number;
      mac?: string;
      master?: string;
      /**
       * The other end, created in its own namespace by the same request. The
       * kernel cannot create it up (a veth's peer is configured before its
       * pair is tied, so opening it fails with ENOTCONN): with `up`, apply
       * brings it up afterwards in its own namespace's configuration task.
       */
      peer: At & { name: string; up: boolean; mtu?: number; mac?: string };
    })
  | (At & {
      op: "create";
      kind: "vxlan" | "macvlan";
      name: string;
      mtu?: number;
      mac?: string;
      vxlan?: NonNullable<TopologyInterface["vxlan"]>;
      macvlan?: NonNullable<TopologyInterface["macvlan"]>;
    })
  /** A link to delete; netns "" is the host's namespace (a vxlan or macvlan an apply of an earlier version made there and was killed before it moved it). */
  | (At & {
      op: "delete";
      kind: "link";
      name: string;
      /** Why a link the file has is made again: e.g. `its peer is not h1:eth0` (a veth whose ends were swapped). */
      reason?: string;
    })
  | (At & {
      op: "update";
      kind: "link";
      name: string;
      /** The fields that change, with their values now (undefined: the link is being created). */
      set: { up?: boolean; mtu?: number; mac?: string; master?: string | null };
      from: { up?: boolean; mtu?: number | null; mac?: string | null; master?: string | null };
    })
  /** An address as `neslink addr list` names one: the link it is on (`dev`) and the address with its prefix (`cidr`). */
  | (At & { op: "create" | "delete"; kind: "address"; dev: string; cidr: string })
  | (At & { op: "create" | "delete"; kind: "route"; route: TopologyRoute })
  | (At & { op: "update"; kind: "sysctl"; name: string; from: string | null; to: string })
  /**
   * A node's command: create runs it; delete and update change only the record of which commands ran (see
   * exec-plan.ts): an entry gone from the file, forgotten; an entry taken as run, there being no record of the node.
   * `reason` says which, and, on create, that the node existed and this entry is new to it.
   */
  | (At & { op: "create"; kind: "exec"; argv: string[]; timeoutMs: number; reason?: string })
  | (At & { op: "update"; kind: "exec"; argv: string[]; timeoutMs: number; reason: string })
  | (At & { op: "delete"; kind: "exec"; argv: string[]; reason: string })
  | (At & { op: "create"; kind: "process"; process: TopologyProcess })
  | (At & { op: "delete"; kind: "process"; name: string; pids: number[] });

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

function routeText(r: TopologyRoute): string {
  return [
    r.to,
    r.via && `via ${r.via}`,
    r.dev && `dev ${r.dev}`,
    r.metric !== undefined && `metric ${r.metric}`,
    r.table && `table ${r.table}`,
  ]
    .filter(Boolean)
    .join(" ");
}

/** Each field as `mtu 1500 -> 9000`; a link this apply creates has no old value (`up true`), where "null" would read as the kernel's. */
/** A program's environment as a shell line gives it, before the command: `A=1 B='x y' `; a changed one shows in the plan. */
function environment(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${commandLine([value])} `)
    .join("");
}

function fieldsText(c: Extract<Change, { kind: "link"; op: "update" }>): string {
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

/** One line for a change, as a plan prints it: `+ veth h1:eth0 <-> r1:eth1`. */
export function describeChange(c: Change): string {
  const at = `${c.node}`;
  const body = (() => {
    switch (c.kind) {
      case "namespace":
        return `namespace ${c.netns} (node ${c.node})`;
      case "bridge":
        return `bridge ${at}:${c.name}`;
      case "vxlan":
        return `vxlan ${at}:${c.name} (id ${c.vxlan?.id}${c.vxlan?.remote ? ` remote ${c.vxlan.remote}` : ""}${c.vxlan?.group ? ` group ${c.vxlan.group}` : ""})`;
      case "macvlan":
        return `macvlan ${at}:${c.name} on host link ${c.macvlan?.parent} (${c.macvlan?.mode})`;
      case "veth":
        return `veth ${at}:${c.name} <-> ${c.peer.node}:${c.peer.name}`;
      case "link":
        if (c.op === "update") return `link ${at}:${c.name} (${fieldsText(c)})`;
        if (c.netns === "") return `link ${c.name} in the host namespace (left by an apply cut short)`;
        return `link ${at}:${c.name}${c.reason ? ` (${c.reason})` : ""}`;
      case "address":
        return `address ${c.cidr} on ${at}:${c.dev}`;
      case "route":
        return `route ${routeText(c.route)} in ${at}`;
      case "sysctl":
        // As compared: the kernel's tabs between numbers would show as a column break.
        return `sysctl ${c.name} in ${at}: ${c.from === null ? "(unset)" : sysctlWords(c.from)} -> ${sysctlWords(c.to)}`;
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
