/**
 * A new veth's far end is brought up by its node's configuration task (the kernel cannot make a peer up), after the
 * link phase told the veth made. When that task fails, the veth is told once: made, when its far end was brought up
 * before the failure (an address after it refused), or failed, and not made, when it was not (its far end renamed by
 * hand, so it is not found). Every planned change is in exactly one of done, a failure's changes or notAttempted, or
 * the error's notAttempted; ip -j shows the far end's state.
 */
import { execFileSync } from "node:child_process";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";
import { offOnceMade } from "./refused-route-lab.js";

const prefix = uniquePrefix("zv6");
let lab = 0;

afterEach(() => cleanup(prefix));
afterAll(() => closeDefaultPool());

const VETH = "+ link veth a:e1 <-> b:e1";

/** Lab `name`: a and b joined a:e1 - b:e1, b's end given an IPv6 address. */
const file = (name: string) =>
  topology.load({
    name,
    nodes: { a: {}, b: {} },
    links: [{ endpoints: ["a:e1", { node: "b", interface: "e1", addresses: ["fd00:41::2/64"] }] }],
  });

/** Applies `t` with `onProgress`; its error and the planned changes, described. */
async function failedApply(t: ReturnType<typeof topology.load>, onProgress: (e: topology.ApplyEvent) => void) {
  let planned: string[] = [];
  const error = await topology
    .apply(t, {
      onProgress: (e) => {
        if (e.type === "planned") planned = e.plan.changes.map(topology.describeChange);
        onProgress(e);
      },
    })
    .catch((err: unknown) => err);
  expect(error).toBeInstanceOf(topology.TopologyApplyError);
  return { error: error as topology.TopologyApplyError, planned };
}

/** Every change `error` tells, described, in one list: each planned change once. */
const told = (error: topology.TopologyApplyError) =>
  [
    ...error.done.map(topology.describeChange),
    ...error.failures.flatMap((f) => [...f.changes, ...f.notAttempted]),
    ...error.notAttempted,
  ].sort();

it("a far end not found (renamed by hand once made): the veth is failed, not also done", async () => {
  const name = `${prefix}${lab++}`;
  const { error, planned } = await failedApply(file(name), (e) => {
    // Once the link phase made the pair, before b's configuration brings its end up.
    if (e.type === "change" && topology.describeChange(e.change).startsWith("+ link veth"))
      execFileSync("ip", ["-n", `${name}-b`, "link", "set", "e1", "name", "zz"]);
  });
  expect(planned).toContain(VETH);
  expect(told(error)).toEqual([...planned].sort());
  expect(error.done.map(topology.describeChange)).not.toContain(VETH);
  expect(error.failures.flatMap((f) => [...f.changes, ...f.notAttempted])).toContain(VETH);
  expect(error.message).toContain(`(${error.done.length} changes made; `);
  const [far] = ipJson<{ ifname: string; operstate: string; flags: string[] }[]>("-n", `${name}-b`, "link", "show", "zz");
  expect(far?.flags).not.toContain("UP");
});

it("a far end brought up, then its address refused (IPv6 off there by hand): the veth is done, the address alone failed", async () => {
  const name = `${prefix}${lab++}`;
  const { error, planned } = await failedApply(
    file(name),
    offOnceMade(name, () => {}, "b"),
  );
  expect(told(error)).toEqual([...planned].sort());
  expect(error.done.map(topology.describeChange)).toContain(VETH);
  expect(error.failures.map((f) => [f.changes, f.notAttempted])).toEqual([[["+ address fd00:41::2/64 on b:e1"], []]]);
  const [far] = ipJson<{ flags: string[]; addr_info: { scope: string }[] }[]>("-n", `${name}-b`, "address", "show", "e1");
  expect(far?.flags).toContain("UP");
  expect(far?.addr_info.filter((a) => a.scope === "global")).toEqual([]);
});
