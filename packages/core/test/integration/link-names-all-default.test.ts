/**
 * A link may not be named "all" or "default": those name the directories of
 * /proc/sys/net/ipv{4,6}/conf that hold every link's and new links' settings,
 * and the kernel refuses a device of either name (include/net/ip.h's
 * sysctl_dev_name_is_allowed, checked as IPv4 and IPv6 register the device's
 * sysctls: EINVAL, on creation and on rename alike; dev_valid_name, which
 * refuses "." and "..", lets them through). Shown with iproute2 in a scratch
 * namespace; then core refuses them before the kernel is asked, and a
 * topology file naming one is refused at load, at its line, where it used to
 * fail its apply mid-way with "apply again to continue", which never could.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { la, lp, type NsAction, ns, nsDo, TopologyError, topology, ValidationError } from "@neslink/core";
import { afterEach, beforeEach, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

let prefix: string;
let scratch: string;
let dir: string;

beforeEach(() => {
  prefix = uniquePrefix("zl3");
  scratch = `${prefix}-s`;
  dir = mkdtempSync(`${tmpdir()}/${prefix}-`);
  ip("netns", "add", scratch);
});

afterEach(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

const ipIn = (...args: string[]) => {
  const r = spawnSync("ip", ["-n", scratch, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr.trim() };
};
const linkNames = () => ipJson<{ ifname: string }[]>("-n", scratch, "link", "show").map((l) => l.ifname);
const refused = { status: 2, stderr: "RTNETLINK answers: Invalid argument" };

it('the kernel refuses a link named "all" or "default", made or renamed, as it takes "All" and "defaults"', () => {
  expect(ipIn("link", "add", "all", "type", "bridge")).toEqual(refused);
  expect(ipIn("link", "add", "default", "type", "bridge")).toEqual(refused);
  expect(ipIn("link", "add", "v0", "type", "veth", "peer", "name", "all")).toEqual(refused);
  expect(ipIn("link", "add", "b0", "type", "bridge")).toEqual({ status: 0, stderr: "" });
  expect(ipIn("link", "set", "b0", "name", "default")).toEqual(refused);
  expect(ipIn("link", "add", "All", "type", "bridge")).toEqual({ status: 0, stderr: "" });
  expect(ipIn("link", "add", "defaults", "type", "bridge")).toEqual({ status: 0, stderr: "" });
  expect(linkNames().sort()).toEqual(["All", "b0", "defaults", "lo"]);
});

it("core refuses them before the kernel is asked, naming the field, made, renamed or as a veth's peer", async () => {
  ip("-n", scratch, "link", "add", "b0", "type", "bridge");
  for (const make of [() => lp.bridge("all"), () => lp.veth("v0", { name: "default" }), () => la.setName("all")]) {
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/conf\/\{all,default\}.*EINVAL/);
  }
  // Built by hand, as a caller without types sends it: refused by the worker's own check.
  const byHand = { kind: "link", link: { kind: "new", spec: { name: "default", type: "bridge" } }, actions: [] };
  const err = await nsDo(ns.name(scratch), byHand as unknown as NsAction).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).field).toBe("actions[0].link.spec.name");
  expect(linkNames().sort()).toEqual(["b0", "lo"]);
});

it("a topology file naming a bridge or a link's end so is refused at load, at its line, before anything is made", () => {
  const file = `${dir}/lab.yaml`;
  writeFileSync(
    file,
    [
      `name: ${prefix}`,
      "nodes:",
      "  a:",
      "    bridges: [br0, default]",
      "  b: {}",
      "links:",
      '  - endpoints: ["a:all", "b:e0"]',
      "  - endpoints: [a:e1, { node: b, interface: default }]",
      "",
    ].join("\n"),
  );
  const err = (() => {
    try {
      topology.load(file);
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(TopologyError);
  const why = (name: string) =>
    `"${name}" names /proc/sys/net/ipv{4,6}/conf/${name}, the settings of ${name === "all" ? "every link" : "links to come"}: the kernel refuses a link of that name (conf/{all,default}; EINVAL)`;
  expect((err as TopologyError).message.split("\n").slice(1)).toEqual([
    `  ${file}:4:20: nodes.a.bridges[1]: ${why("default")}`,
    `  ${file}:7:17: links[0].endpoints[0]: ${why("all")}`,
    `  ${file}:8:45: links[1].endpoints[1].interface: ${why("default")}`,
  ]);
  expect(netnsList(prefix)).toEqual([scratch]);
});
