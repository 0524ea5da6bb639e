/**
 * plan through the built bin on files with the mistakes an outsider found
 * reported late, at the wrong place, or not at all: each is now at its own
 * FILE:LINE:COLUMN, all of a file's at once, with exit 3 and nothing made.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

// Also the labs' name: no namespace of it may appear.
const lab = uniquePrefix("tm");
const dir = mkdtempSync(`${tmpdir()}/${lab}-`);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanup(lab);
});

/** plan's status and its problem lines, each as FILE:LINE:COLUMN: PATH: MESSAGE with the file's dir taken out. */
function plan(name: string, lines: string[]) {
  const file = `${dir}/${name}`;
  writeFileSync(file, [`name: ${lab}`, ...lines, ""].join("\n"));
  const r = neslink("plan", file);
  return {
    status: r.status,
    problems: r.stderr
      .split("\n")
      .slice(1, -1)
      .map((l) => l.trim().replace(`${dir}/`, "")),
  };
}

it("reports a route's missing dev at that route, not at the one an invalid route before it left", () => {
  expect(
    plan("route.yaml", [
      "nodes:",
      "  a:",
      "    routes:",
      "      - { to: 10.0.0.0/33, dev: lo }",
      "      - { to: 10.9.0.0/16, dev: nosuch }",
    ]),
  ).toEqual({
    status: 3,
    problems: [
      'route.yaml:5:15: nodes.a.routes[0].to: prefix length "33" must be 0..32',
      'route.yaml:6:33: nodes.a.routes[1].dev: node "a" has no interface "nosuch"',
    ],
  });
});

it("refuses what the kernel would refuse or drop at apply: a zero MAC, 0.0.0.0, a link-local gateway without dev, sysctls", () => {
  expect(
    plan("kernel.yaml", [
      "nodes:",
      "  a:",
      "    addresses: { e0: [0.0.0.0/0] }",
      '    routes: [{ to: default, via: "fe80::1" }]',
      "    sysctls:",
      "      net.ipv4.conf.all.forwarding: 99999999999999999999",
      "      net.ipv4.conf.eth9.rp_filter: 1",
      "      net.ipv4.nosuch: 1",
      "      net.core.somaxconn: -5",
      "  b: {}",
      'links: [{ endpoints: [{ node: a, interface: e0, mac: "00:00:00:00:00:00" }, "b:e0"] }]',
    ]),
  ).toEqual({
    status: 3,
    problems: [
      "kernel.yaml:4:23: nodes.a.addresses.e0[0]: 0.0.0.0 is the unspecified address, not an interface's (the kernel takes it and keeps nothing)",
      "kernel.yaml:5:34: nodes.a.routes[0].via: fe80::1 is link-local: a link-local gateway needs dev, the link it is on (the kernel refuses the route without it)",
      'kernel.yaml:7:37: nodes.a.sysctls["net.ipv4.conf.all.forwarding"]: is a number past 2^53, read as 100000000000000000000 and not as written: quote it to give the kernel its digits',
      'kernel.yaml:8:37: nodes.a.sysctls["net.ipv4.conf.eth9.rp_filter"]: node "a" has no interface "eth9"',
      "kernel.yaml:12:54: links[0].endpoints[0].mac: 00:00:00:00:00:00 is the all-zero MAC, which the kernel refuses for a link",
    ],
  });
  // Once the file's own mistakes are fixed, what only the kernel knows: tried in a namespace of the plan's own.
  expect(
    plan("sysctl.yaml", [
      "nodes:",
      "  a:",
      "    sysctls:",
      "      net.ipv4.ip_forward: 1",
      "      net.ipv4.nosuch: 1",
      "      net.core.somaxconn: -5",
    ]),
  ).toEqual({
    status: 3,
    problems: [
      'sysctl.yaml:6:24: nodes.a.sysctls["net.ipv4.nosuch"]: the kernel has no such sysctl (no /proc/sys/net/ipv4/nosuch in a network namespace)',
      'sysctl.yaml:7:27: nodes.a.sysctls["net.core.somaxconn"]: the kernel refuses "-5" for it (EINVAL, tried in a new namespace)',
    ],
  });
  expect(readdirSync("/run/netns").filter((n) => n.startsWith(lab))).toEqual([]);
});

it("lists a route's mistake of shape and the whole file's mistakes of the routes after it in one pass", () => {
  expect(
    plan("all.yaml", [
      "nodes:",
      "  a:",
      "    routes:",
      "      - { to: 10.5.0.0/16, via: 10.0.0.1, metric: -1 }",
      "      - { to: default }",
      "    addresses: { lo: [10.0.0.2/24] }",
    ]),
  ).toEqual({
    status: 3,
    problems: [
      "all.yaml:5:51: nodes.a.routes[0].metric: must be at least 0",
      "all.yaml:6:9: nodes.a.routes[1]: a route needs a gateway (via) or a device (dev)",
    ],
  });
});
