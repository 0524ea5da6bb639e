import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { load } from "./load.js";
import { TopologyError } from "./problems.js";
import { TopologyFileSchema as schema } from "./schema.js";
import { shapeErrors } from "./shape.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-topo-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(input: string | object) {
  try {
    load(input);
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as TopologyError).code).toBe("ERR_TOPOLOGY_INVALID");
    return (err as TopologyError).problems.map(({ path, message, line }) => ({ path, message, ...(line !== undefined && { line }) }));
  }
  throw new Error("expected the topology to be refused");
}

const ISSUE_EXAMPLE = `name: demo                      # [a-z0-9-], 1..12 characters
nodes:
  sw: { bridges: [br0] }        # bridges live inside a node
  r1: { sysctls: { net.ipv4.ip_forward: 1 } }
  h1: { addresses: { eth0: [10.0.1.1/24] }, routes: [{ to: default, via: 10.0.1.254 }] }
  h2: { netns: lab-h2 }         # optional explicit namespace name
links:
  - endpoints: ["h1:eth0", "r1:eth1"]             # a veth pair between two nodes
  - endpoints:
      - { node: h2, interface: eth0, addresses: [10.0.2.1/24, "fd00:2::1/64"], mac: "02:00:00:00:02:01" }
      - { node: sw, interface: p2, master: br0 }
    mtu: 9000
`;

describe("topology.load", () => {
  it("reads a relative path from the cwd given; problems name the path as given", () => {
    writeFileSync(`${dir}/good.yaml`, "name: rel\nnodes:\n  h1: {}\n");
    expect(load("good.yaml", { cwd: dir }).name).toBe("rel");
    writeFileSync(`${dir}/bad.yaml`, "name: rel\nnodes: 3\n");
    expect(() => load("bad.yaml", { cwd: dir })).toThrow(/^1 problem in bad\.yaml:\n {2}bad\.yaml:2:8: nodes: must be object/);
    expect(() => load("missing.yaml", { cwd: dir })).toThrow("cannot open missing.yaml: no such file");
  });

  it("resolves the documented example: namespace names, both ends of each veth, addresses, masters, MTUs", () => {
    const t = load(ISSUE_EXAMPLE);
    expect(t.name).toBe("demo");
    expect(t.nodes.map((n) => [n.name, n.netns])).toEqual([
      ["h1", "demo-h1"],
      ["h2", "lab-h2"],
      ["r1", "demo-r1"],
      ["sw", "demo-sw"],
    ]);
    const node = (name: string) => t.nodes.find((n) => n.name === name);
    expect(node("r1")?.sysctls).toEqual({ "net.ipv4.ip_forward": "1" });
    expect(node("h1")?.routes).toEqual([{ to: "default", via: "10.0.1.254" }]);
    expect(node("h2")?.interfaces).toEqual([
      {
        name: "eth0",
        kind: "veth",
        addresses: ["10.0.2.1/24", "fd00:2::1/64"],
        mac: "02:00:00:00:02:01",
        mtu: 9000,
        up: true,
        peer: { node: "sw", interface: "p2" },
      },
    ]);
    expect(node("sw")?.interfaces.map((i) => [i.name, i.kind, i.master])).toEqual([
      ["br0", "bridge", undefined],
      ["p2", "veth", "br0"],
    ]);
    expect(t.links).toEqual([
      {
        endpoints: [
          { node: "h1", interface: "eth0" },
          { node: "r1", interface: "eth1" },
        ],
        up: true,
      },
      {
        endpoints: [
          { node: "h2", interface: "eth0" },
          { node: "sw", interface: "p2" },
        ],
        up: true,
        mtu: 9000,
      },
    ]);
  });

  it("reads the same topology from a YAML file, a JSON file and a parsed object", () => {
    const fromYaml = load(ISSUE_EXAMPLE);
    writeFileSync(`${dir}/demo.yaml`, ISSUE_EXAMPLE);
    const json = JSON.stringify(JSON.parse(JSON.stringify(fromYaml.name === "demo" ? yamlAsObject() : {})));
    writeFileSync(`${dir}/demo.json`, json);
    expect(load(`${dir}/demo.yaml`)).toEqual(fromYaml);
    expect(load(`${dir}/demo.json`)).toEqual(fromYaml);
    expect(load(JSON.parse(json))).toEqual(fromYaml);
  });

  it("reads an object as the JSON it would write: a field set to undefined is one not given, each value is read once", () => {
    const given = {
      name: "u",
      nodes: { a: { ipv6: undefined, sysctls: undefined }, b: {} },
      links: [{ endpoints: ["a:e0", "b:e0"], mtu: undefined }],
    };
    expect(load(given)).toEqual(load(JSON.parse(JSON.stringify(given))));
    let reads = 0;
    const changing = {
      nodes: { a: {} },
      // A getter that answers differently each time: what was checked is what is used.
      get name() {
        reads++;
        return reads === 1 ? "once" : "../../x";
      },
    };
    expect(load(changing).name).toBe("once");
    expect(reads).toBe(1);
  });

  it("refuses what is not JSON data in an object, naming where, rather than failing with the validator's TypeError", () => {
    const plain = "a topology holds strings, numbers, booleans, null, lists and maps";
    const throwing = {
      name: "t",
      get nodes(): object {
        throw new Error("trap");
      },
    };
    const keysTrap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("keys trap");
        },
      },
    );
    for (const [input, path, message] of [
      [undefined, "", `is undefined: ${plain}`],
      [{ name: "t", nodes: { a: { exec: [undefined] } } }, "nodes.a.exec[0]", `is undefined: ${plain}`],
      [{ name: "t", nodes: { a: { exec: [() => 1] } } }, "nodes.a.exec[0]", `a function value: ${plain}`],
      [{ name: "t", nodes: { a: { ipv6: Symbol("x") } } }, "nodes.a.ipv6", `a symbol value: ${plain}`],
      [{ name: "t", nodes: { a: { exec: [{ command: ["true"], timeout: 5n }] } } }, "nodes.a.exec[0].timeout", `a bigint value: ${plain}`],
      [
        { name: "t", nodes: { a: { sysctls: { "net.ipv4.ip_forward": Number.NaN } } } },
        'nodes.a.sysctls["net.ipv4.ip_forward"]',
        "is NaN (.nan or .inf in YAML): a number here is finite",
      ],
      [throwing, "nodes", "could not be read: trap"],
      [{ name: "t", nodes: keysTrap }, "nodes", "could not be read: keys trap"],
    ] as const) {
      expect(problemsOf(input as object), path).toEqual([{ path, message }]);
    }
  });

  it("says a sysctl takes one value where a list, a map or nothing is given, and how to write it", () => {
    const file = (value: string) => `name: x\nnodes:\n  a:\n    sysctls: { net.ipv4.ip_forward: ${value} }\n`;
    const expected = (hint: string) => [
      {
        path: 'nodes.a.sysctls["net.ipv4.ip_forward"]',
        message: `must be one value (a string, a number or a boolean), written to the sysctl's file: ${hint}`,
        line: 4,
      },
    ];
    expect(problemsOf(file("[1]"))).toEqual(expected("it is a list; a list's one value is written net.ipv4.ip_forward: 1"));
    expect(problemsOf(file("[1, 0]"))).toEqual(expected("it is a list (- item, or [a, b])"));
    expect(problemsOf(file("{ on: 1 }"))).toEqual(expected("it is a map (key: value)"));
    expect(problemsOf(file("null"))).toEqual(expected('it is empty ("net.ipv4.ip_forward:" with nothing after it is null)'));
  });

  it("refuses .nan and .inf at their line: a sysctl would write NaN, for the kernel to refuse once apply has begun", () => {
    expect(problemsOf("name: x\nnodes:\n  a:\n    sysctls: { net.ipv4.ip_forward: .nan }\n")).toEqual([
      { path: 'nodes.a.sysctls["net.ipv4.ip_forward"]', message: "is NaN (.nan or .inf in YAML): a number here is finite", line: 4 },
    ]);
    expect(problemsOf("name: x\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a:e, b:e]\n    mtu: -.inf\n")).toEqual([
      { path: "links[0].mtu", message: "is -Infinity (.nan or .inf in YAML): a number here is finite", line: 5 },
    ]);
  });

  it("loads the shipped examples", () => {
    for (const [file, nodes, links] of [
      ["router", 3, 2],
      ["leaf-spine", 14, 16],
      ["star-500", 501, 500],
    ] as const) {
      const t = load(new URL(`../../examples/topologies/${file}.yaml`, import.meta.url).pathname);
      expect([t.nodes.length, t.links.length]).toEqual([nodes, links]);
    }
  });

  it("reports every mistake of a file, each with its path and line", () => {
    const text = [
      "name: Demo_1",
      "nodes:",
      "  sw: { bridges: [br0, br0], colour: red }",
      "  r1: { sysctls: { kernel.panic: 1 } }",
      "  h1: { routes: [{ to: 10.0.0.0/33, via: 10.0.1.254 }, { to: default }] }",
      "links:",
      '  - endpoints: ["h1:eth0", "r9:eth1"]',
      '  - endpoints: ["h1:eth0", "sw:averyveryverylongname"]',
      "  - endpoints: [42, 43]",
      "",
    ].join("\n");
    // In the file's order: by line, then column.
    expect(problemsOf(text)).toEqual([
      { path: "name", message: "must be [a-z0-9-], 1 to 12 characters, not starting or ending with -", line: 1 },
      { path: "nodes.sw.bridges[1]", message: 'interface "br0" of node "sw" is already declared at nodes.sw.bridges[0]', line: 3 },
      // The fields known there, in the schema's order: a misspelt one is found among them at a glance.
      {
        path: "nodes.sw.colour",
        message: "is not a known field (known here: netns, ipv6, bridges, interfaces, addresses, routes, sysctls, exec, processes)",
        line: 3,
      },
      { path: 'nodes.r1.sysctls["kernel.panic"]', message: expect.stringContaining("is not a valid key here"), line: 4 },
      { path: "nodes.h1.routes[0].to", message: 'prefix length "33" must be 0..32', line: 5 },
      { path: "nodes.h1.routes[1]", message: "a route needs a gateway (via) or a device (dev)", line: 5 },
      { path: "links[0].endpoints[1]", message: 'no node named "r9"', line: 7 },
      // links[0] is dropped for its unknown node, but its valid end still counts: h1:eth0 is used twice.
      { path: "links[1].endpoints[0]", message: 'interface "eth0" of node "h1" is already declared at links[0].endpoints[0]', line: 8 },
      { path: "links[1].endpoints[1]", message: '"averyveryverylongname" is longer than 15 bytes', line: 8 },
      { path: "links[2].endpoints[0]", message: expect.stringMatching(/^must be one end of a veth pair/), line: 9 },
      { path: "links[2].endpoints[1]", message: expect.stringMatching(/^must be one end of a veth pair/), line: 9 },
    ]);
  });

  it("keeps a link whose ends are readable when another of its fields is wrong: its interfaces still take their addresses", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  h1: { addresses: { eth0: [10.0.1.1/24] } }",
      "  h2: { addresses: { eth0: [10.0.1.2/24] } }",
      "links:",
      '  - endpoints: [{ node: h1, interface: eth0, mtu: 5 }, "h2:eth0"]',
      "    mtu: big",
      "    upp: true",
      "",
    ].join("\n");
    // Only the link's own mistakes: not "node h1 has no interface eth0" for the addresses of the ends it declares.
    expect(problemsOf(text)).toEqual([
      { path: "links[0].endpoints[0].mtu", message: "must be at least 68", line: 6 },
      { path: "links[0].mtu", message: "must be integer", line: 7 },
      { path: "links[0].upp", message: expect.stringMatching(/^is not a known field/), line: 8 },
    ]);
  });

  it("keeps the readable ends of a link one of whose ends is malformed: only that end is reported", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  h1: { addresses: { eth1: [10.0.3.1/24] } }",
      "  h2: {}",
      "  h3: { addresses: { eth0: [10.0.1.1/24], eth2: [10.0.2.1/24] } }",
      "links:",
      '  - endpoints: ["h3:eth0", "h2"]',
      '  - endpoints: ["h3:eth2"]',
      '  - endpoints: [{ node: h1, interface: eth1 }, 5, "h2:eth9"]',
      "",
    ].join("\n");
    // Not "node h3 has no interface eth0" (or eth2, or h1's eth1) for the addresses on the ends that are well formed.
    expect(problemsOf(text)).toEqual([
      { path: "links[0].endpoints[1]", message: 'must be "node:interface" (as "h1:eth0")', line: 7 },
      { path: "links[1].endpoints", message: expect.stringMatching(/^has 1 item, needs at least 2/), line: 8 },
      { path: "links[2].endpoints", message: expect.stringMatching(/^has 3 items, takes at most 2/), line: 9 },
      { path: "links[2].endpoints[1]", message: expect.stringMatching(/^must be one end of a veth pair/), line: 9 },
    ]);
  });

  it("names where an interface was declared first as it names the path of the second (a node name with a dot quoted)", () => {
    const text = ["name: lab", "nodes:", '  "sw.1": { bridges: [br0, br0] }', ""].join("\n");
    expect(problemsOf(text)).toEqual([
      {
        path: 'nodes["sw.1"].bridges[1]',
        message: 'interface "br0" of node "sw.1" is already declared at nodes["sw.1"].bridges[0]',
        line: 3,
      },
    ]);
  });

  it("says that a lab's name may not start or end with '-', which [a-z0-9-] alone allows", () => {
    for (const name of ["-", "lab-", "-lab"]) {
      expect(problemsOf(`name: "${name}"\nnodes: { h1: {} }\n`)).toEqual([
        { path: "name", message: "must be [a-z0-9-], 1 to 12 characters, not starting or ending with -", line: 1 },
      ]);
    }
  });

  it("says what is wrong inside the one form of a choice that a value's type (and an object's kind) can be, not only the choice", () => {
    const text = [
      "name: demo",
      "nodes:",
      "  h1:",
      "    processes:",
      "      - { name: web, argv: [nginx] }",
      "      - { name: web2, command: [1, 2] }",
      '      - { name: "../x", command: [iperf3, -s] }',
      "      - 42",
      "    interfaces:",
      "      vx0: { kind: vxlan, id: 99999999, remote: 10.0.0.2 }",
      "      mv0: { kind: macvlan }",
      "      zz0: { parent: eth0 }",
      "    exec: [[], '']",
      "links:",
      "  - endpoints: [{ node: h1, interfce: eth0 }, 'h1:eth1']",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      // An object can only be the object form: its own mistakes are named, and the fields known there.
      { path: "nodes.h1.processes[0].command", message: "is required", line: 5 },
      { path: "nodes.h1.processes[0].argv", message: "is not a known field (known here: name, command, env)", line: 5 },
      { path: "nodes.h1.processes[1].command[0]", message: "must be string", line: 6 },
      { path: "nodes.h1.processes[1].command[1]", message: "must be string", line: 6 },
      { path: "nodes.h1.processes[2].name", message: "must be a program's name: 1 to 64 of A-Z a-z 0-9 _ . -", line: 7 },
      // A number is none of the forms: the choice is described.
      { path: "nodes.h1.processes[3]", message: expect.stringMatching(/^must be a long-running program/), line: 8 },
      // The kind picks the interface's form.
      { path: "nodes.h1.interfaces.vx0.id", message: "must be at most 16777215", line: 10 },
      { path: "nodes.h1.interfaces.mv0.parent", message: "is required", line: 11 },
      // Without a kind, either form could be meant.
      { path: "nodes.h1.interfaces.zz0", message: expect.stringMatching(/^must be /), line: 12 },
      { path: "nodes.h1.exec[0]", message: expect.stringMatching(/^has 0 items, needs at least 1/), line: 13 },
      { path: "nodes.h1.exec[1]", message: "must not be empty", line: 13 },
      { path: "links[0].endpoints[0].interface", message: "is required", line: 15 },
      {
        path: "links[0].endpoints[0].interfce",
        message: "is not a known field (known here: node, interface, addresses, mac, mtu, master)",
        line: 15,
      },
    ]);
  });

  it("places a field whose value is a block on the line of its key, not of the block below it", () => {
    const text = ["name: demo", "nodes:", "  r1:", "    adresses:", "      eth1: [10.0.1.254/24]", "    ipv6: yes", ""].join("\n");
    expect(problemsOf(text)).toEqual([
      { path: "nodes.r1.adresses", message: expect.stringMatching(/^is not a known field/), line: 4 },
      { path: "nodes.r1.ipv6", message: expect.stringMatching(/^must be boolean/), line: 6 },
    ]);
  });

  it("refuses two routes of a node that are one to the kernel (default and 0.0.0.0/0, the same network twice), not those a metric or table tells apart", () => {
    const text = [
      "name: demo",
      "nodes:",
      "  h1:",
      '    addresses: { lo: [10.0.1.1/24, "fd00::1/64"] }',
      "    routes:",
      "      - { to: default, via: 10.0.1.254 }",
      "      - { to: 0.0.0.0/0, via: 10.0.1.253 }",
      '      - { to: "::/0", via: "fd00::fe" }',
      '      - { to: default, via: "fd00::fd", metric: 1024 }',
      '      - { to: "fd00:99:0::/64", via: "fd00::fe" }',
      '      - { to: "fd00:99::/64", dev: lo }',
      "      - { to: 10.9.0.0/16, via: 10.0.1.7 }",
      "      - { to: 10.9.0.0/16, via: 10.0.1.7, metric: 5 }",
      "      - { to: 10.9.0.0/16, via: 10.0.1.7, table: 5 }",
      "      - { to: 10.9.0.0/16, via: 10.0.1.8, metric: 0 }",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual(
      [
        [1, 0, "IPv4 default table 254 metric 0"],
        [3, 2, "IPv6 default table 254 metric 1024"],
        [5, 4, "IPv6 fd00:99::/64 table 254 metric 1024"],
        [9, 6, "IPv4 10.9.0.0/16 table 254 metric 0"],
      ].map(([i, first, key]) => ({
        path: `nodes.h1.routes[${i}]`,
        message: `is the same route to the kernel as routes[${first}] (${key}): it keeps one, and each apply would replace it with the other`,
        line: (i as number) + 6,
      })),
    );
  });

  it("checks what needs the whole file: masters, bridge ports, IPv6, namespaces, addresses and routes on interfaces that exist", () => {
    const ports = Array.from({ length: 1024 }, (_, i) => ({ endpoints: [`h:e${i}`, { node: "sw", interface: `p${i}`, master: "br0" }] }));
    expect(problemsOf({ name: "big", nodes: { sw: { bridges: ["br0"] }, h: {} }, links: ports })).toEqual([
      { path: "nodes.sw.bridges[0]", message: 'bridge "br0" has 1024 ports; a bridge takes at most 1023' },
    ]);
    expect(
      problemsOf({
        name: "t",
        nodes: {
          a: { netns: "shared", ipv6: false, addresses: { eth9: ["10.0.0.1/24"], eth0: ["fd00::1/64"] } },
          b: {
            netns: "shared",
            routes: [
              { to: "10.1.0.0/16", dev: "nope" },
              { to: "fd00:1::/64", via: "10.0.0.1" },
            ],
          },
          "c.x": {},
        },
        links: [
          { endpoints: [{ node: "a", interface: "eth0", master: "br9" }, "b:eth0"] },
          { endpoints: ["a:eth0", "b:lo"] },
          { endpoints: ["c.x:eth0", "b:eth1"] },
        ],
      }),
    ).toEqual([
      { path: "nodes.b.netns", message: 'namespace "shared" is node "a"\'s too' },
      { path: "nodes.b.routes[1].via", message: "is not of the destination's address family" },
      { path: "links[1].endpoints[0]", message: 'interface "eth0" of node "a" is already declared at links[0].endpoints[0].interface' },
      { path: "links[1].endpoints[1]", message: '"lo" is the node\'s loopback; it exists already' },
      { path: "nodes.a.addresses.eth9", message: 'node "a" has no interface "eth9"' },
      { path: "nodes.a.addresses.eth0[0]", message: "IPv6 address on a node with ipv6: false" },
      { path: "links[0].endpoints[0].master", message: 'node "a" has no bridge "br9"' },
      { path: "nodes.b.routes[0].dev", message: 'node "b" has no interface "nope"' },
    ]);
  });

  it("reports a later entry's mistake at its own index when an earlier entry of the same list is invalid", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    ipv6: false",
      "    addresses: { lo: [10.0.0.1/33, fd00::1/64] }",
      "    routes:",
      "      - { to: 10.0.0.0/33, dev: lo }",
      "      - { to: 10.9.0.0/16, dev: nosuch }",
      "      - { to: 10.8.0.0/16, via: 10.0.0.256 }",
      "      - { to: 10.7.0.0/16, dev: other }",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { path: "nodes.a.addresses.lo[0]", message: 'prefix length "33" must be 0..32', line: 5 },
      { path: "nodes.a.addresses.lo[1]", message: "IPv6 address on a node with ipv6: false", line: 5 },
      { path: "nodes.a.routes[0].to", message: 'prefix length "33" must be 0..32', line: 7 },
      { path: "nodes.a.routes[1].dev", message: 'node "a" has no interface "nosuch"', line: 8 },
      { path: "nodes.a.routes[2].via", message: '"10.0.0.256" is not an IPv4 or IPv6 address', line: 9 },
      { path: "nodes.a.routes[3].dev", message: 'node "a" has no interface "other"', line: 10 },
    ]);
  });

  it("holds the loopback's addresses to the same rules as an interface's: given twice, or an IPv6 one at two prefix lengths", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    addresses: { lo: [10.9.0.1/32, fd00:9::1/128, 10.9.0.1/32, FD00:9:0::1/64] }",
      "",
    ].join("\n");
    expect(problemsOf(text).map(({ path, line }) => ({ path, line }))).toEqual([
      { path: "nodes.a.addresses.lo[2]", line: 4 },
      { path: "nodes.a.addresses.lo[3]", line: 4 },
    ]);
    expect(problemsOf(text)[0]?.message).toBe('address 10.9.0.1/32 is given twice for "lo" (first at nodes.a.addresses.lo[0])');
  });

  it("refuses ipv6: false with the node's own sysctls turning IPv6 back on (all's or default's 0): plan after plan wrote both", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    ipv6: false",
      "    sysctls: { net.ipv6.conf.all.disable_ipv6: 0, net.ipv6.conf.default.disable_ipv6: 1, net.ipv4.ip_forward: 0 }",
      "  b:",
      "    sysctls: { net.ipv6.conf.default.disable_ipv6: 0 }",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      {
        path: 'nodes.a.sysctls["net.ipv6.conf.all.disable_ipv6"]',
        message: "turns IPv6 on, on a node with ipv6: false: give one or the other",
        line: 5,
      },
    ]);
  });

  it("refuses IPv6 addresses and routes on a link whose IPv6 the node's sysctls turn off (all's or default's 1 without the link's own 0, or the link's own 1)", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    sysctls: { net.ipv6.conf.all.disable_ipv6: 1, net.ipv6.conf.e1.disable_ipv6: 0 }",
      "    addresses: { lo: [fd00:9::1/128], e1: [fd00:1::1/64] }",
      "    routes:",
      "      - { to: fd07::/64, dev: e0 }",
      "      - { to: fd08::/64, dev: e1 }",
      "  b:",
      "    sysctls: { net.ipv6.conf.e0.disable_ipv6: 1 }",
      "    routes: [{ to: fd07::/64, dev: e0 }, { to: 10.7.0.0/16, dev: e0 }]",
      "  c:",
      "    sysctls: { net.ipv6.conf.default.disable_ipv6: 1 }",
      "links:",
      "  - endpoints:",
      "      - { node: a, interface: e0, addresses: [10.0.0.1/24, fd00::1/64] }",
      "      - { node: b, interface: e0, addresses: [fd00::2/64] }",
      "  - endpoints: [a:e1, { node: c, interface: e0, addresses: [fd00:3::1/64] }]",
      "",
    ].join("\n");
    const off = (dev: string, key: string) =>
      `IPv6 address on ${dev}, whose IPv6 ${key}: 1 turns off: the kernel refuses it ("IPv6 is disabled on this device")`;
    const all = "net.ipv6.conf.all.disable_ipv6";
    expect(problemsOf(text)).toEqual([
      { path: "nodes.a.addresses.lo[0]", message: off("lo", all), line: 5 },
      {
        path: "nodes.a.routes[0].dev",
        message: `is an IPv6 route on e0, whose IPv6 ${all}: 1 turns off: the kernel refuses it ("IPv6 is disabled on nexthop device")`,
        line: 7,
      },
      {
        path: "nodes.b.routes[0].dev",
        message: `is an IPv6 route on e0, whose IPv6 net.ipv6.conf.e0.disable_ipv6: 1 turns off: the kernel refuses it ("IPv6 is disabled on nexthop device")`,
        line: 11,
      },
      { path: "links[0].endpoints[0].addresses[1]", message: off("e0", all), line: 16 },
      { path: "links[0].endpoints[1].addresses[0]", message: off("e0", "net.ipv6.conf.e0.disable_ipv6"), line: 17 },
      { path: "links[1].endpoints[1].addresses[0]", message: off("e0", "net.ipv6.conf.default.disable_ipv6"), line: 18 },
    ]);
  });

  it("refuses IPv6 addresses and routes on a link whose mtu is below IPv6's minimum (1280), where the kernel keeps no IPv6", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    routes: [{ to: fd07::/64, dev: e0 }, { to: 10.7.0.0/16, dev: e0 }, { to: fd08::/64, dev: e1 }]",
      "    addresses: { e1: [fd00:1::1/64] }",
      "  b: {}",
      "links:",
      "  - endpoints: [{ node: a, interface: e0, addresses: [10.0.0.1/24, fd00::1/64] }, b:e0]",
      "    mtu: 1279",
      "  - endpoints: [a:e1, b:e1]",
      "    mtu: 1280",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      {
        path: "nodes.a.routes[0].dev",
        message: "is an IPv6 route on e0, whose mtu 1279 is below IPv6's minimum, 1280: the kernel refuses it (ENODEV)",
        line: 4,
      },
      {
        path: "links[0].endpoints[0].addresses[1]",
        message: "IPv6 address on e0, whose mtu 1279 is below IPv6's minimum, 1280: the kernel refuses it (EINVAL)",
        line: 8,
      },
    ]);
  });

  it("refuses what the kernel refuses or drops at apply: an all-zero MAC, an unspecified or IPv6 multicast address, a link-local gateway without dev", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    addresses: { e0: [0.0.0.0/0, 0.0.0.0/24, 224.0.0.1/24] }",
      "    routes:",
      '      - { to: default, via: "fe80::1" }',
      '      - { to: "2001:db8::/64", via: "fe80::1", dev: e0 }',
      "  b:",
      '    addresses: { e0: ["::/64", "ff02::5/64", "fd00::1/64"] }',
      "links:",
      '  - endpoints: [{ node: a, interface: e0, mac: "00:00:00:00:00:00" }, "b:e0"]',
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { path: "nodes.a.addresses.e0[0]", message: expect.stringContaining("0.0.0.0 is the unspecified address"), line: 4 },
      { path: "nodes.a.addresses.e0[1]", message: expect.stringContaining("0.0.0.0 is the unspecified address"), line: 4 },
      { path: "nodes.a.routes[0].via", message: expect.stringContaining("link-local gateway needs dev"), line: 6 },
      { path: "nodes.b.addresses.e0[0]", message: expect.stringContaining(":: is the unspecified address"), line: 9 },
      { path: "nodes.b.addresses.e0[1]", message: expect.stringContaining("IPv6 multicast"), line: 9 },
      { path: "links[0].endpoints[0].mac", message: expect.stringContaining("all-zero MAC"), line: 11 },
    ]);
  });

  it("refuses a sysctl number it cannot keep exactly or that is no integer, and one of an interface the node does not have", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    sysctls:",
      "      net.ipv4.conf.all.forwarding: 99999999999999999999",
      "      net.ipv4.conf.eth9.rp_filter: 1",
      "      net.ipv4.conf.e0.rp_filter: 1",
      "      net.ipv6.neigh.lo.retrans_time_ms: 1000",
      "      net.core.somaxconn: 1.5",
      '      net.ipv4.conf.default.forwarding: "99999999999999999999"',
      "      net.ipv4.conf.all.rp_filter: -1",
      "  b: {}",
      'links: [{ endpoints: ["a:e0", "b:e0"] }]',
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      {
        path: 'nodes.a.sysctls["net.ipv4.conf.all.forwarding"]',
        message: "is a number past 2^53, read as 100000000000000000000 and not as written: quote it to give the kernel its digits",
        line: 5,
      },
      { path: 'nodes.a.sysctls["net.ipv4.conf.eth9.rp_filter"]', message: 'node "a" has no interface "eth9"', line: 6 },
      {
        path: 'nodes.a.sysctls["net.core.somaxconn"]',
        message: "1.5 is not an integer, which is what the kernel reads of a number",
        line: 9,
      },
    ]);
  });

  it("reports what the whole file shows wrong next to a mistake of shape in the same list: a route, a program, a sysctl", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    routes:",
      "      - { to: 10.5.0.0/16, dev: lo, metric: -1 }",
      "      - { to: default }",
      "      - { to: 10.6.0.0/16, dev: nosuch, table: 0 }",
      "      - { to: 10.7.0.0/16, via: 1 }",
      "      - { to: 10.8.0.0/16, dev: other }",
      "    exec: [[], [ip, link]]",
      "    processes: [{ command: x, name: 'a b' }, { command: y, name: y }, { command: z, name: y }]",
      "    sysctls: { net.ipv4.ip_forward: [1], net.ipv4.conf.eth9.rp_filter: 1 }",
      "    addresses: { lo: [1] , eth8: [10.0.0.1/24] }",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { path: "nodes.a.routes[0].metric", message: "must be at least 0", line: 5 },
      { path: "nodes.a.routes[1]", message: "a route needs a gateway (via) or a device (dev)", line: 6 },
      { path: "nodes.a.routes[2].dev", message: 'node "a" has no interface "nosuch"', line: 7 },
      { path: "nodes.a.routes[2].table", message: "must be at least 1", line: 7 },
      { path: "nodes.a.routes[3].via", message: expect.stringContaining("must be"), line: 8 },
      { path: "nodes.a.routes[4].dev", message: 'node "a" has no interface "other"', line: 9 },
      { path: "nodes.a.exec[0]", message: "has 0 items, needs at least 1", line: 10 },
      { path: "nodes.a.processes[0].name", message: expect.stringContaining("must"), line: 11 },
      { path: "nodes.a.processes[2].name", message: 'process name "y" is used twice', line: 11 },
      { path: 'nodes.a.sysctls["net.ipv4.ip_forward"]', message: expect.stringContaining("must"), line: 12 },
      { path: 'nodes.a.sysctls["net.ipv4.conf.eth9.rp_filter"]', message: 'node "a" has no interface "eth9"', line: 12 },
      { path: "nodes.a.addresses.lo[0]", message: expect.stringContaining("must"), line: 13 },
      { path: "nodes.a.addresses.eth8", message: 'node "a" has no interface "eth8"', line: 13 },
    ]);
  });

  it("keeps an interface the schema refused a field of declared: what is on it is not said to be on no interface", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  a:",
      "    interfaces:",
      "      vx0: { kind: vxlan, id: 1, remote: 10.0.0.1, port: 0 }",
      "      vx1: { kind: vxlan, remote: 10.0.0.1 }",
      "    addresses: { vx0: [10.1.0.1/24], vx1: [10.3.0.1/24] }",
      "    routes: [{ to: 10.2.0.0/16, dev: vx0 }, { to: 10.4.0.0/16, dev: vx1 }, { to: default }]",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { path: "nodes.a.interfaces.vx0.port", message: "must be at least 1", line: 5 },
      { path: "nodes.a.interfaces.vx1.id", message: "is required", line: 6 },
      { path: "nodes.a.routes[2]", message: "a route needs a gateway (via) or a device (dev)", line: 8 },
    ]);
  });

  it("refuses names the kernel or the mount dir would refuse, generated ones included", () => {
    expect(problemsOf({ name: "t", nodes: { a: { netns: "../etc" }, b: {} }, links: [{ endpoints: ["a:e%d", "b:e 1"] }] })).toEqual([
      { path: "nodes.a.netns", message: expect.stringContaining("escape the mount dir") },
      { path: "links[0].endpoints[0]", message: expect.stringContaining("%") },
      { path: "links[0].endpoints[1]", message: expect.stringContaining("whitespace") },
    ]);
    const long = "n".repeat(63);
    expect(load({ name: "twelve-chars", nodes: { [long]: {}, [`${long.slice(1)}x`]: { netns: "ok" } } }).nodes).toHaveLength(2);
  });

  it("names a program from its command as a name could be written (a log file and a cgroup are named after it)", () => {
    const t = load({ name: "t", nodes: { a: { processes: [["/opt/my daemon"], "FOO=1 exec x", ["/"], ["/"], [".."]] } } });
    expect(t.nodes[0]?.processes.map((p) => p.name)).toEqual(["my_daemon", "FOO_1", "program", "program-2", "program-3"]);
  });

  it("gives a program the name it was given even when an earlier one's derived name was the same", () => {
    const processes = ["sleep 1", "sleep 2", { name: "sleep-2", command: "sleep 3" }, { name: "sleep", command: "sleep 4" }];
    const t = load({ name: "t", nodes: { a: { processes } } });
    expect(t.nodes[0]?.processes.map((p) => [p.name, p.argv[2]])).toEqual([
      ["sleep-3", "sleep 1"],
      ["sleep-4", "sleep 2"],
      ["sleep-2", "sleep 3"],
      ["sleep", "sleep 4"],
    ]);
    expect(
      problemsOf({
        name: "t",
        nodes: {
          a: {
            processes: [
              { name: "x", command: "a" },
              { name: "x", command: "b" },
            ],
          },
        },
      }),
    ).toEqual([{ path: "nodes.a.processes[1].name", message: 'process name "x" is used twice' }]);
  });

  it("ships its JSON Schema as generated from the one definition load validates with", () => {
    const shipped = JSON.parse(readFileSync(new URL("../../topology.schema.json", import.meta.url), "utf8"));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(schema)));
    expect(shipped.$id).toMatch(/topology\.schema\.json$/);
  });

  it("names missing fields, wrong types and bad values in the words a person would use", () => {
    expect(shapeErrors({ nodes: { a: { ipv6: "no", routes: [{ via: "10.0.0.1" }] } }, links: [{ endpoints: ["a:b"], up: 1 }] })).toEqual([
      { path: ["name"], message: "is required" },
      { path: ["nodes", "a", "ipv6"], message: "must be boolean" },
      { path: ["nodes", "a", "routes", 0, "to"], message: "is required" },
      // Not the validator's "Array has too few items (1 < 2)".
      { path: ["links", 0, "endpoints"], message: "has 1 item, needs at least 2: the two ends of a veth pair" },
      { path: ["links", 0, "up"], message: "must be boolean" },
    ]);
    expect(shapeErrors({ name: "x", nodes: {}, links: [{ endpoints: ["a:b", "c:d", "e:f"] }] })).toEqual([
      { path: ["links", 0, "endpoints"], message: "has 3 items, takes at most 2: the two ends of a veth pair" },
    ]);
  });

  // The duplicate key is found by core's own walk, once per key; the yaml package's check (off) compares each key with every
  // earlier one (60000 nodes took ~50 s) and would add its own problem here, which this exact list would not match.
  it("names the line of a YAML syntax error and of a duplicate key", () => {
    expect(problemsOf("name: x\nnodes:\n  a: {}\n  a: {}\n")).toEqual([
      { path: "nodes.a", message: "is given twice (first at line 3, column 3)", line: 4 },
    ]);
    expect(problemsOf("name: x\nnodes: [\n")[0]).toMatchObject({ path: "", line: expect.any(Number) });
  });

  it('refuses an alias (*name) used as a key naming its line and the mapping it keys, not as the yaml package\'s "keys must be strings"', () => {
    const alias = "*n: an alias (*name) as a key is not read: write the key itself";
    expect(problemsOf("name: x\nnodes:\n  &n h1: {}\n  *n : {}\n")).toEqual([{ path: "nodes", message: alias, line: 4 }]);
    const ifaces = "name: x\nnodes:\n  a: { interfaces: { &i eth0: { addresses: [10.0.0.1/24] } } }\n  b: { interfaces: { *i : {} } }\n";
    expect(problemsOf(ifaces)).toEqual([{ path: "nodes.b.interfaces", message: alias.replace("*n", "*i"), line: 4 }]);
    // An anchor on a key is read as the key it anchors.
    expect(load("name: x\nnodes:\n  &n h1: {}\n").nodes.map((n) => n.name)).toEqual(["h1"]);
  });

  it("refuses nesting past the limit where it starts, without parsing the rest (a megabyte of [ took seconds and gigabytes)", () => {
    for (const deep of [`${"[".repeat(1 << 20)}`, `${"{a: ".repeat(1 << 18)}`]) {
      expect(problemsOf(`name: x\nnodes: {}\nlinks: ${deep}\n`)).toEqual([{ path: "", message: "nested deeper than 32 levels", line: 3 }]);
    }
    const block = Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k:`).join("\n");
    expect(problemsOf(`name: x\nnodes: {}\n${block}\n`)).toEqual([{ path: "", message: "nested deeper than 32 levels", line: 36 }]);
  });

  it("reads keys as written and refuses numbers YAML 1.1 and 1.2 read differently", () => {
    expect(load("name: x\nnodes:\n  010: {}\n  1e3: {}\n").nodes.map((n) => n.netns)).toEqual(["x-010", "x-1e3"]);
    const mtu = (v: string) => `name: x\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a:e", "b:e"]\n    mtu: ${v}\n`;
    expect(problemsOf(mtu("01500"))).toEqual([
      {
        path: "links[0].mtu",
        message: "01500 has a leading 0, which ip and YAML 1.1 read as octal but YAML 1.2 as decimal: write 1500, or 0o1500 for octal 832",
        line: 5,
      },
    ]);
    expect(load(mtu("0x2328")).links[0]?.mtu).toBe(9000);
    expect(problemsOf("name: x\nnodes: {}\n---\nname: y\nnodes: {}\n")).toEqual([
      { path: "", message: "a second document (after ---): a topology file holds one", line: 3 },
    ]);
  });

  it("stops reading YAML past a size no topology reaches (16 MB of `1,` took a minute and 4 GB)", () => {
    expect(problemsOf(`name: x\nnodes: {}\nlinks: [${"1,".repeat(300_000)}]\n`)).toEqual([
      { path: "", message: "too large for a topology: more than 500000 YAML tokens by here", line: 3 },
    ]);
  });

  it("refuses a value or key past a size no field takes before it is resolved (one 10 MB quoted command cost 440 MB), naming where", () => {
    const big = "x".repeat(10 << 20);
    const message = `is longer than ${1 << 20} characters, more than any field takes: too large for a topology`;
    // Double-quoted (JSON's only kind) is what costs: the yaml package builds it a character at a time.
    for (const [value, line] of [
      [`"${big}"`, 5],
      [`'${big}'`, 5],
      [big, 5],
      [`|\n        ${big}`, 6],
    ] as const)
      expect(problemsOf(`name: x\nnodes:\n  h1:\n    exec:\n      - ${value}\n`)).toEqual([{ path: "nodes.h1.exec[0]", message, line }]);
    expect(problemsOf(`name: x\nnodes:\n  h1: { sysctls: { "a": 1, "net.ipv4.ip_forward": "${big}" } }\n`)).toEqual([
      { path: 'nodes.h1.sysctls["net.ipv4.ip_forward"]', message, line: 3 },
    ]);
    expect(problemsOf(`{"name": "x", "nodes": {"h1": {"exec": ["a", ["${big}"]]}}}`)).toEqual([
      { path: "nodes.h1.exec[1][0]", message, line: 1 },
    ]);
    // A key is not yet a field: the map holding it is named.
    expect(problemsOf(`name: x\nnodes:\n  h1: {}\n  "${big}": {}\n`)).toEqual([
      {
        path: "nodes",
        message: `has a key longer than ${1 << 20} characters, more than any field takes: too large for a topology`,
        line: 4,
      },
    ]);
    // After a key with no value (empty or not), of a map it opens, or of one it returns to: where it stands, not the key before.
    const keyOf = (path: string, line: number) => [{ path, message: `has a key ${message.slice("is ".length)}`, line }];
    expect(problemsOf(`name: x\nnodes:\n  "":\n  "${big}": {}\n`)).toEqual(keyOf("nodes", 4));
    expect(problemsOf(`name: x\nnodes:\n  :\n  ${big}: {}\n`)).toEqual(keyOf("nodes", 4));
    expect(problemsOf(`name: x\nnodes:\n  h1:\n    "${big}" : {}\n`)).toEqual(keyOf("nodes.h1", 4));
    expect(problemsOf(`nodes:\n  h1:\n"${big}": x\nname: x\n`)).toEqual(keyOf("", 3));
    expect(problemsOf(`name: x\nnodes:\n  h1:\n    exec: ["${big}": 1]\n`)).toEqual(keyOf("nodes.h1.exec[0]", 4));
    // At the bound, the field's own check speaks.
    expect(problemsOf(`name: x\nnodes:\n  h1:\n    exec:\n      - "${"x".repeat((1 << 20) - 2)}"\n`)).toEqual([
      { path: "nodes.h1.exec[0]", message: "is longer than 131072 bytes", line: 5 },
    ]);
  });

  it("lets one anchor's settings serve hundreds of nodes, and refuses aliases that stand for more than a topology holds", () => {
    const nodes = (n: number, first: string, rest: string) =>
      `name: x\nnodes:\n  n0: ${first}\n${Array.from({ length: n - 1 }, (_, i) => `  n${i + 1}: ${rest}\n`).join("")}`;
    expect(load(nodes(500, "&h { ipv6: false }", "*h")).nodes.filter((n) => !n.ipv6)).toHaveLength(500);
    // 240 KB of text, 6 million commands to resolve.
    const exec = `{ exec: &e [${Array(60_000).fill("[a]").join(",")}] }`;
    // n0's list and each alias of it stand for 120,000 values: the fourth alias passes, on n4's line.
    expect(problemsOf(nodes(100, exec, "{ exec: *e }"))).toEqual([
      { path: "", message: "*e: more than 500000 values once the aliases (*name) are expanded: too large for a topology", line: 7 },
    ]);
    // Thousands of aliases of one anchor stand for little: the yaml package's own count refused them, at line 1.
    const many = `name: x\nnodes:\n  n0: { exec: &e [[a]] }\n${Array.from({ length: 12_000 }, (_, i) => `  n${i + 1}: { exec: *e }\n`).join("")}`;
    expect(load(many).nodes).toHaveLength(12_001);
    // ~5 s alone; the unit suites of three packages share CI's two cores, where it once took 23.
  }, 60_000);

  it("refuses a billion laughs at the alias where its copies pass the limit, with its column", () => {
    const rows = Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`);
    const text = ["name: x", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]", ...rows, "nodes: {}", ""].join("\n");
    const message = "*a4: more than 500000 values once the aliases (*name) are expanded: too large for a topology";
    expect(() => load(text)).toThrow(`:7:25: (file): ${message}`);
  });

  it("refuses aliases whose text, expanded, passes what a topology file may hold, at the alias where it does", () => {
    // 122 KB of file standing for 200 MB of commands: planned, it took 5 s, 1.2 GB and printed 200 MB.
    const big = "e".repeat(100_000);
    const file = `name: x\nnodes:\n  a:\n    exec:\n      - &s [echo, ${big}]\n${"      - *s\n".repeat(2000)}`;
    // Each alias stands for the 100,004 bytes of its list's strings: the 335th passes twice 16 MB, on line 5 + 335.
    expect(problemsOf(file)).toEqual([
      {
        path: "",
        message: `*s: more than ${32 << 20} bytes of text once the aliases (*name) are expanded: too large for a topology`,
        line: 340,
      },
    ]);
    // The keys of a map count too: 13 MB (keys of 1 MB each, the most a value may be), twice aliased.
    const k = (i: number) => `${i}${"k".repeat(1_000_000)}: []`;
    const keys = `name: x\nnodes:\n  a: &a { addresses: { ${Array.from({ length: 13 }, (_, i) => k(i)).join(", ")} } }\n  b: *a\n  c: *a\n`;
    expect(problemsOf(keys)).toEqual([expect.objectContaining({ message: expect.stringMatching(/^\*a: more than/), line: 5 })]);
    // Under the bound, the aliases stand for their copies: the anchor and 300 aliases.
    const under = file
      .split("\n")
      .slice(0, 5 + 300)
      .join("\n");
    expect(load(under).nodes[0]?.exec).toHaveLength(301);
  });

  it("reports an address given twice for an interface at the second entry, naming the first", () => {
    const file = (addresses: string, end: string) =>
      `name: x\nnodes:\n  a: {}\n  b:\n    bridges: [br0]\n    addresses:\n${addresses}links:\n  - endpoints: [a:eth0, ${end}]\n`;
    // Were at links[0].endpoints[1] (for a bridge, nodes.b.bridges[0]), on the line that declares the interface.
    const twice = (iface: string) => `      ${iface}:\n        - 10.0.0.2/24\n        - 10.0.0.3/24\n        - 10.0.0.2/24\n`;
    const message = (iface: string, first: string) => `address 10.0.0.2/24 is given twice for "${iface}" (first at ${first})`;
    expect(problemsOf(file(twice("eth0"), "b:eth0"))).toEqual([
      { path: "nodes.b.addresses.eth0[2]", message: message("eth0", "nodes.b.addresses.eth0[0]"), line: 10 },
    ]);
    expect(problemsOf(file(twice("br0"), "b:eth0"))).toEqual([
      { path: "nodes.b.addresses.br0[2]", message: message("br0", "nodes.b.addresses.br0[0]"), line: 10 },
    ]);
    // Once on the link's end, once in the node's addresses: at the node's, which is read after the links.
    const end = "{ node: b, interface: eth0, addresses: [10.0.0.2/24] }";
    expect(problemsOf(file("      eth0: [10.0.0.2/24]\n", end))).toEqual([
      { path: "nodes.b.addresses.eth0[0]", message: message("eth0", "links[0].endpoints[1].addresses[0]"), line: 7 },
    ]);
  });

  it("finds an address given twice by its value, and an IPv6 address given with a second prefix length, which the kernel refuses", () => {
    const file = (list: string) =>
      `name: x\nnodes:\n  a:\n    addresses:\n      eth0: [${list}]\n  b: {}\nlinks:\n  - endpoints: [a:eth0, b:eth0]\n`;
    // The same address in three spellings: were merged in silence.
    expect(problemsOf(file('"fd00:3::1/64", "fd00:3:0::0001/64", "FD00:3::1/64"'))).toEqual(
      [1, 2].map((i) => ({
        path: `nodes.a.addresses.eth0[${i}]`,
        message: `address ${["fd00:3:0::0001/64", "FD00:3::1/64"][i - 1]} is given twice for "eth0" (first at nodes.a.addresses.eth0[0])`,
        line: 5,
      })),
    );
    // Was applied as a change the kernel never made (it keeps the /64): every apply and plan showed it again.
    expect(problemsOf(file('"fd00:4::1/64", "fd00:4::1/80"'))).toEqual([
      {
        path: "nodes.a.addresses.eth0[1]",
        message:
          'address fd00:4::1/80 is fd00:4::1 again, given for "eth0" with another prefix length at nodes.a.addresses.eth0[0]: the kernel keeps one IPv6 address per interface, whatever its prefix length',
        line: 5,
      },
    ]);
    // IPv4 is another matter: the kernel keeps 10.0.0.1/24 and 10.0.0.1/16 as two addresses.
    expect(load(file("10.0.0.1/24, 10.0.0.1/16")).nodes.find((n) => n.name === "a")?.interfaces[0]?.addresses).toEqual([
      "10.0.0.1/24",
      "10.0.0.1/16",
    ]);
  });

  it("shows a long value in a problem cut to its start and its size, in the message and the path", () => {
    // Half a megabyte: a longer value is refused before it is read (MAX_SCALAR_CHARS).
    const long = "i".repeat(1 << 19);
    const cut = `"${"i".repeat(64)}"… (${1 << 19} bytes)`;
    // Were 10 MB each (20 MB as JSON): the value whole, in the problem and again in the error's message.
    const file = (node: string, link = "[a:eth0, b:eth0]") => `name: x\nnodes:\n  a: {}\n  b: ${node}\nlinks:\n  - endpoints: ${link}\n`;
    expect(problemsOf(file("{}", `["a:${long}", b:eth0]`))).toEqual([
      { path: "links[0].endpoints[0]", message: `${cut} is longer than 15 bytes`, line: 6 },
    ]);
    const many = [
      file("{}", `["${long}:eth0", b:eth0]`),
      file(`{ addresses: { ${long}: [10.0.0.1/24] } }`),
      file(`{ routes: [{ to: default, dev: ${long} }] }`),
      file(`{ interfaces: { m: { kind: macvlan, parent: ${long} } } }`),
      file(`{ ${long}: 1 }`),
      file("{}", `[{ node: a, interface: eth0, master: ${long} }, b:eth0]`),
      file("{}", `[{ node: a, interface: eth0, mac: "${long}" }, b:eth0]`),
      `name: x\nnodes: !${long} {}\n`,
      `name: x\nnodes: *${long}\n`,
    ];
    for (const text of many) {
      let err: unknown;
      try {
        load(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TopologyError);
      expect(JSON.stringify(err).length).toBeLessThan(4096);
      expect((err as TopologyError).message).not.toContain("i".repeat(1024));
    }
  });

  it("places an alias with no anchor before it, and one inside its own anchor, at the alias", () => {
    expect(() => load("name: x\nnodes: {}\nlinks: *nope\n")).toThrow(":3:8: (file): *nope: no anchor &nope comes before it");
    expect(() => load("name: x\nnodes: {}\nlinks: &l [1, *l]\n")).toThrow(
      ":3:15: (file): *l: is inside its own anchor &l, so it stands for endless copies",
    );
  });

  it("refuses a file with too many mistakes to collect with its first, not with a stack overflow", () => {
    // The validator spreads a list's errors into one call's arguments: 150,000 of them overflowed the stack.
    expect(problemsOf({ name: "x", nodes: {}, links: Array(150_000).fill(1) })).toEqual([
      { path: "", message: "has more mistakes than can be listed: the first is shown, fix it and check again" },
      { path: "links[0]", message: "must be object" },
    ]);
  });

  it("says what YAML 1.1's boolean words mean here, and refuses one as a sysctl's value before the kernel does at apply", () => {
    const file = 'name: x\nnodes:\n  a: { ipv6: no, sysctls: { net.ipv4.ip_forward: yes, net.ipv4.conf.all.rp_filter: "Off" } }\n';
    expect(problemsOf(file)).toEqual([
      { path: "nodes.a.ipv6", message: 'must be boolean: "no" is text in YAML 1.2 (YAML 1.1 read it as a boolean): write false', line: 3 },
      {
        path: 'nodes.a.sysctls["net.ipv4.ip_forward"]',
        message: '"yes" is text in YAML 1.2 (YAML 1.1 read it as a boolean): write 1',
        line: 3,
      },
      {
        path: 'nodes.a.sysctls["net.ipv4.conf.all.rp_filter"]',
        message: '"Off" is text in YAML 1.2 (YAML 1.1 read it as a boolean): write 0',
        line: 3,
      },
    ]);
    expect(
      load("name: x\nnodes:\n  a: { sysctls: { net.ipv4.ip_forward: true, net.ipv4.tcp_congestion_control: cubic } }\n").nodes[0]?.sysctls,
    ).toEqual({
      "net.ipv4.ip_forward": "1",
      "net.ipv4.tcp_congestion_control": "cubic",
    });
  });

  it("refuses a sysctl value that is not one line, at its line, and takes the blanks of one of several numbers", () => {
    const file = 'name: x\nnodes:\n  a:\n    sysctls:\n      net.ipv4.ip_forward: "1\\n0"\n      net.ipv4.conf.all.rp_filter: "1\\e[2J"\n';
    expect(problemsOf(file)).toEqual([
      { path: 'nodes.a.sysctls["net.ipv4.ip_forward"]', message: '"1\\n0" contains U+000A: a sysctl\'s value is one line', line: 5 },
      {
        path: 'nodes.a.sysctls["net.ipv4.conf.all.rp_filter"]',
        message: '"1\\u001b[2J" contains U+001B: a sysctl\'s value is one line',
        line: 6,
      },
    ]);
    expect(load('name: x\nnodes:\n  a: { sysctls: { net.ipv4.ip_local_port_range: "1024\\t65000" } }\n').nodes[0]?.sysctls).toEqual({
      "net.ipv4.ip_local_port_range": "1024\t65000",
    });
  });

  it("says a file with nothing in it is empty", () => {
    for (const text of ["\n", "# a lab, one day\n\n"]) {
      expect(problemsOf(text)).toEqual([
        { path: "", message: "is empty (nothing but blanks and comments): a topology needs name and nodes" },
      ]);
    }
    writeFileSync(`${dir}/empty.yaml`, "");
    expect(problemsOf(`${dir}/empty.yaml`)).toEqual([{ path: "", message: expect.stringMatching(/^is empty/) }]);
  });

  it("says a JSONC comment is not one, where YAML reads it as part of the next key", () => {
    expect(problemsOf('{\n  // the lab\n  "name": "x",\n  "nodes": {}\n}\n')).toEqual([
      { path: "name", message: "is required", line: 1 },
      {
        path: '["// the lab \\"name\\""]',
        message: expect.stringMatching(/^is not a known field .*: JSON has no comments, and YAML reads this one as part of the key/),
        line: 2,
      },
    ]);
  });

  it("says a merge key (<<: *defaults, as in docker-compose files) is YAML 1.1's, read as a plain key here", () => {
    const text = ["name: lab", "nodes:", "  h1: &base { sysctls: { net.ipv4.ip_forward: 1 } }", "  h2: { <<: *base }", ""].join("\n");
    expect(problemsOf(text)).toEqual([
      {
        path: 'nodes.h2["<<"]',
        message: expect.stringMatching(/^is not a known field .*: "<<" merges only in YAML 1\.1; this file is YAML 1\.2/),
        line: 4,
      },
    ]);
  });

  it("says how YAML writes the list or map it wanted, and keeps a node written empty (h2:) as a node for the links to it", () => {
    const text = [
      "name: lab",
      "nodes:",
      "  h1:",
      "    bridges: br0",
      "    processes: { srv: sleep 100 }",
      "    addresses: { eth0: }",
      "  h2:",
      "links:",
      '  - endpoints: ["h1:eth0", "h2:eth0"]',
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { path: "nodes.h1.bridges", message: 'must be array: a list of one is written bridges: ["br0"]', line: 4 },
      {
        path: "nodes.h1.processes",
        message: 'must be array: it is a map (key: value); a list has one "- item" line per item, or is written [a, b]',
        line: 5,
      },
      {
        path: "nodes.h1.addresses.eth0",
        message: 'must be array: it is empty ("eth0:" with nothing after it is null); an empty list is eth0: []',
        line: 6,
      },
      {
        path: "nodes.h2",
        message: 'must be object: it is empty ("h2:" with nothing after it is null); one with nothing to set is h2: {}',
        line: 7,
      },
    ]);
    expect(problemsOf("name: lab\nnodes:\n  - h1\n")).toEqual([
      {
        path: "nodes",
        message: 'must be object: it is a list (- item); a map has one "key: value" line per entry, or is written { key: value }',
        line: 2,
      },
    ]);
  });

  it("quotes a long value or key in a hint as every message does: its start and its size", () => {
    const long = "x".repeat(200);
    const cut = `"${"x".repeat(64)}"… (200 bytes)`;
    expect(problemsOf(`name: lab\nnodes:\n  h1:\n    bridges: ${long}\n`)).toEqual([
      { path: "nodes.h1.bridges", message: `must be array: a list of one is written bridges: [${cut}]`, line: 4 },
    ]);
    expect(problemsOf(`name: lab\nnodes:\n  h1:\n    addresses: { ${long}: }\n`)).toEqual([
      expect.objectContaining({
        message: `must be array: it is empty (${cut}: with nothing after it is null); an empty list is ${cut}: []`,
        line: 4,
      }),
    ]);
  });

  it("reads a file whose name starts like JSON as a file", () => {
    writeFileSync(`${dir}/{lab}.yaml`, "name: braces\nnodes: {}\n");
    expect(load("{lab}.yaml", { cwd: dir }).name).toBe("braces");
    expect(load(' {"name": "inline", "nodes": {}}').name).toBe("inline");
  });

  it("refuses a tag or a directive it does not know rather than reading the value without it", () => {
    expect(problemsOf("name: x\nnodes: !!python/object:os.system { a: {} }\n")).toEqual([
      { path: "", message: "Unresolved tag: tag:yaml.org,2002:python/object:os.system", line: 2 },
    ]);
    expect(problemsOf("%YAML 1.3\n---\nname: x\nnodes: {}\n")).toEqual([{ path: "", message: "Unsupported YAML version 1.3", line: 1 }]);
  });

  it("refuses what is not a regular file without blocking: a FIFO, a directory, a missing file; and names the line that is not UTF-8", () => {
    execFileSync("mkfifo", [`${dir}/fifo`]);
    for (const path of [`${dir}/fifo`, dir, `${dir}/missing.yaml`]) {
      expect(() => load(path)).toThrow(ValidationError);
    }
    writeFileSync(`${dir}/bad-utf8.yaml`, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0x0a]));
    writeFileSync(`${dir}/latin1.yaml`, Buffer.from("name: x\nnodes:\n  caf\xe9: {}\n", "latin1"));
    writeFileSync(`${dir}/utf16.yaml`, Buffer.from("\ufeffname: x\nnodes: {}\n", "utf16le"));
    expect([`${dir}/bad-utf8.yaml`, `${dir}/latin1.yaml`, `${dir}/utf16.yaml`].map(problemsOf)).toEqual([
      [{ path: "", message: "is not UTF-8 text (binary, or saved as Latin-1?): save it as UTF-8", line: 1 }],
      [{ path: "", message: "is not UTF-8 text (binary, or saved as Latin-1?): save it as UTF-8", line: 3 }],
      [{ path: "", message: "is UTF-16 text: save it as UTF-8", line: 1 }],
    ]);
  });
});

function yamlAsObject() {
  return {
    name: "demo",
    nodes: {
      sw: { bridges: ["br0"] },
      r1: { sysctls: { "net.ipv4.ip_forward": 1 } },
      h1: { addresses: { eth0: ["10.0.1.1/24"] }, routes: [{ to: "default", via: "10.0.1.254" }] },
      h2: { netns: "lab-h2" },
    },
    links: [
      { endpoints: ["h1:eth0", "r1:eth1"] },
      {
        endpoints: [
          { node: "h2", interface: "eth0", addresses: ["10.0.2.1/24", "fd00:2::1/64"], mac: "02:00:00:00:02:01" },
          { node: "sw", interface: "p2", master: "br0" },
        ],
        mtu: 9000,
      },
    ],
  };
}
