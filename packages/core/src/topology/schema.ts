/**
 * The topology file format: one TypeBox definition that is both the JSON
 * Schema shipped in the package (topology.schema.json, generated from this
 * file by scripts/topology-schema.mjs) and, through `Static`, the TypeScript
 * type of a parsed file. Only the shape is checked here; what needs the
 * whole file (names that refer to each other, limits across links) is
 * checked in check.ts.
 *
 * Objects refuse unknown fields, so a typo is an error rather than a silent
 * default; later additions (link impairments, container nodes, nodes on other
 * hosts) are new optional fields, so files written today stay valid.
 */
import Type, { type Static } from "typebox";
import { DEFAULT_EXEC_TIMEOUT_S } from "./model.js";

const IfName = Type.String({
  minLength: 1,
  description: "A link name: at most 15 bytes, no '/', ':', '%' or whitespace, not \"all\" or \"default\".",
});
const Cidr = Type.String({ minLength: 1, description: 'An address with its prefix length, e.g. "10.0.1.1/24" or "fd00::1/64".' });
const Mac = Type.String({ description: 'A MAC address, e.g. "02:00:00:00:00:01".' });
const Mtu = Type.Integer({ minimum: 68, maximum: 65535 });
const Command = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String(), { minItems: 1 })], {
  description: 'A command: an argv array (["ping", "-c1", "10.0.0.1"]) or a string run by `sh -c`.',
});

const strict = { additionalProperties: false } as const;

export const EndpointObject = Type.Object(
  {
    node: Type.String({ minLength: 1 }),
    interface: IfName,
    addresses: Type.Optional(Type.Array(Cidr)),
    mac: Type.Optional(Mac),
    mtu: Type.Optional(Mtu),
    master: Type.Optional(Type.String({ minLength: 1, description: "A bridge of the same node to attach this end to." })),
  },
  strict,
);

// The string's description is what one without its ":interface" is told, rather than the pattern itself.
export const Endpoint = Type.Union(
  [Type.String({ pattern: "^[^:]+:[^:]+$", description: '"node:interface" (as "h1:eth0")' }), EndpointObject],
  {
    description: 'One end of a veth pair: "node:interface", or an object with node and interface.',
  },
);

export const Link = Type.Object(
  {
    endpoints: Type.Array(Endpoint, { minItems: 2, maxItems: 2, description: "The two ends of a veth pair." }),
    mtu: Type.Optional(Mtu),
    up: Type.Optional(Type.Boolean({ description: "Bring both ends up (default true)." })),
  },
  strict,
);

export const Route = Type.Object(
  {
    to: Type.String({ minLength: 1, description: 'A destination CIDR, or "default".' }),
    via: Type.Optional(Type.String({ minLength: 1, description: "The gateway's address." })),
    dev: Type.Optional(IfName),
    metric: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
    table: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
  },
  strict,
);

const InterfaceCommon = {
  mtu: Type.Optional(Mtu),
  mac: Type.Optional(Mac),
  master: Type.Optional(Type.String({ minLength: 1 })),
  up: Type.Optional(Type.Boolean()),
};

export const Vxlan = Type.Object(
  {
    kind: Type.Literal("vxlan"),
    id: Type.Integer({ minimum: 0, maximum: 0xffffff, description: "The VNI." }),
    remote: Type.Optional(Type.String({ description: "The far host's address (unicast)." })),
    local: Type.Optional(Type.String()),
    group: Type.Optional(Type.String({ description: "A multicast group to join (needs parent)." })),
    port: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description: "The UDP port (default: the kernel's 8472, as ip link without dstport; 4789 is the IANA one other VTEPs use).",
      }),
    ),
    parent: Type.Optional(Type.String({ minLength: 1, description: "A link of the host namespace to send through." })),
    ...InterfaceCommon,
  },
  {
    ...strict,
    description:
      "Made from the host namespace, so its UDP socket uses the host's network, directly in the node under its name there: it is never in the host.",
  },
);

export const Macvlan = Type.Object(
  {
    kind: Type.Literal("macvlan"),
    parent: Type.String({ minLength: 1, description: "A link of the host namespace." }),
    mode: Type.Optional(Type.Union([Type.Literal("private"), Type.Literal("vepa"), Type.Literal("bridge"), Type.Literal("passthru")])),
    ...InterfaceCommon,
  },
  {
    ...strict,
    description: "Made on a link of the host namespace (parent) directly in the node, under its name there: it is never in the host.",
  },
);

export const Exec = Type.Union(
  [
    Command,
    Type.Object(
      {
        command: Command,
        timeout: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 86400,
            description: `Seconds it may run before it is killed and apply fails (default ${DEFAULT_EXEC_TIMEOUT_S}; 0: no limit).`,
          }),
        ),
      },
      strict,
    ),
  ],
  {
    description:
      "A command run once inside the node after its links are up: an argv array, a string run by `sh -c`, or { command, timeout }.",
  },
);

export const Process = Type.Union(
  [
    Command,
    Type.Object(
      {
        name: Type.Optional(
          Type.String({ pattern: "^[A-Za-z0-9_.-]{1,64}$", description: "A program's name: 1 to 64 of A-Z a-z 0-9 _ . -" }),
        ),
        command: Command,
        env: Type.Optional(Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), Type.String(), strict)),
      },
      strict,
    ),
  ],
  {
    description:
      "A long-running program started inside the node, kept running by apply and stopped by destroy: a command (an argv array or a string run by `sh -c`), or { command, name, env }.",
  },
);

export const Node = Type.Object(
  {
    netns: Type.Optional(Type.String({ minLength: 1, description: "The namespace's name (default: <topology>-<node>)." })),
    ipv6: Type.Optional(Type.Boolean({ description: "false writes disable_ipv6 before any link exists (default true)." })),
    bridges: Type.Optional(Type.Array(IfName)),
    interfaces: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1 }),
        Type.Union([Vxlan, Macvlan], {
          description: "A vxlan ({ kind: vxlan, id, remote or group }) or a macvlan ({ kind: macvlan, parent }).",
        }),
        {
          description: "Interfaces that reach beyond the lab (vxlan, macvlan), by name.",
        },
      ),
    ),
    addresses: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Array(Cidr), { description: "Addresses by interface name." })),
    routes: Type.Optional(Type.Array(Route)),
    sysctls: Type.Optional(
      Type.Record(
        Type.String({ pattern: "^net\\.[A-Za-z0-9_.-]+$" }),
        Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
          description: "One value (a string, a number or a boolean), written to the sysctl's file.",
        }),
        strict,
      ),
    ),
    exec: Type.Optional(Type.Array(Exec, { description: "Run once inside the node after its links are up, in order." })),
    processes: Type.Optional(Type.Array(Process)),
  },
  strict,
);

export const TopologyFileSchema = Type.Object(
  {
    name: Type.String({
      pattern: "^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$",
      description: "[a-z0-9-], 1 to 12 characters, not starting or ending with -.",
    }),
    nodes: Type.Record(Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$" }), Node, strict),
    links: Type.Optional(Type.Array(Link)),
  },
  {
    ...strict,
    $id: "https://neslink.dev/schema/topology.schema.json",
    title: "neslink topology",
    description: "A lab of network namespaces (nodes) joined by veth pairs (links).",
  },
);

/** A topology file as written, once its shape is known to be right. */
export type TopologyFile = Static<typeof TopologyFileSchema>;
export type TopologyFileNode = Static<typeof Node>;
export type TopologyFileLink = Static<typeof Link>;
export type TopologyFileEndpoint = Static<typeof Endpoint>;
export type TopologyFileRoute = Static<typeof Route>;
export type TopologyFileProcess = Static<typeof Process>;
export type TopologyFileExec = Static<typeof Exec>;
