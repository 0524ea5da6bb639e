// The codec's contract cases (packages/codec-wasm/contract/fields.json) through core's validators: the same verdict
// the codec gives (packages/codec-wasm/tests/contract.rs), and a refusal names the field. So what core lets through,
// the codec encodes; nothing reaches the worker to be refused there (netlink/encoded.ts).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { linkChanges, routeSpec } from "./actions.js";
import * as net from "./net.js";
import { linkRef, newLinkSpec } from "./providers.js";

interface Case {
  field: string;
  value: unknown;
  valid: boolean;
}

const { cases } = JSON.parse(readFileSync(new URL("../../../codec-wasm/contract/fields.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

/** For each field a case may name: core's parser for a value there, and the path a refusal must name. */
const checks: Record<string, { path: string; parse: (value: unknown) => unknown }> = {
  linkName: { path: "spec.name", parse: (value) => newLinkSpec("spec", { name: value, type: "bridge" }) },
  alias: { path: "changes.alias", parse: (value) => linkChanges("changes", { alias: value }) },
  mtu: { path: "changes.mtu", parse: (value) => linkChanges("changes", { mtu: value }) },
  index: { path: "link.index", parse: (value) => linkRef("link", { kind: "index", index: value }) },
  mac: { path: "changes.mac", parse: (value) => linkChanges("changes", { mac: value }) },
  ip: { path: "cidr", parse: (value) => net.cidr("cidr", `${String(value)}/0`) },
  prefixLenV4: { path: "cidr", parse: (value) => net.cidr("cidr", `10.0.0.1/${String(value)}`) },
  prefixLenV6: { path: "cidr", parse: (value) => net.cidr("cidr", `2001:db8::1/${String(value)}`) },
  vxlanId: { path: "spec.vxlan.id", parse: (value) => newLinkSpec("spec", { name: "x", type: "vxlan", vxlan: { id: value } }) },
  vxlanPort: {
    path: "spec.vxlan.port",
    parse: (value) => newLinkSpec("spec", { name: "x", type: "vxlan", vxlan: { id: 1, port: value } }),
  },
  vxlanGroup: {
    path: "spec.vxlan.group",
    parse: (value) => newLinkSpec("spec", { name: "x", type: "vxlan", vxlan: { id: 1, group: value } }),
  },
  vxlanRemote: {
    path: "spec.vxlan.remote",
    parse: (value) => newLinkSpec("spec", { name: "x", type: "vxlan", vxlan: { id: 1, remote: value } }),
  },
  vxlanRemoteOfV4Local: {
    path: "spec.vxlan.remote",
    parse: (value) => newLinkSpec("spec", { name: "x", type: "vxlan", vxlan: { id: 1, local: "10.0.0.1", remote: value } }),
  },
  greLocal: {
    path: "spec.gretap.local",
    parse: (value) => newLinkSpec("spec", { name: "x", type: "gretap", gretap: { local: value } }),
  },
  routeTable: {
    path: "route.table",
    parse: (value) => routeSpec("route", { family: 2, dev: { kind: "index", index: 1 }, table: value }, "add"),
  },
};

/** The field core's refusal names, or null when it accepts. */
function refusedField({ field, value }: Case): string | null {
  const check = checks[field];
  if (!check) throw new Error(`contract/fields.json names an unknown field ${field}`);
  try {
    check.parse(value);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.field;
  }
}

describe("core's validators and the codec agree", () => {
  it("on enough cases", () => {
    expect(cases.length).toBeGreaterThan(50);
    expect(new Set(cases.map((c) => c.field))).toEqual(new Set(Object.keys(checks)));
  });

  it.each(cases)("$field $value: valid $valid", (c) => {
    expect(refusedField(c)).toBe(c.valid ? null : checks[c.field]?.path);
  });
});
