/**
 * Options objects of the public API take their own fields only: a misspelt one
 * (`loalias`, `sise`, `group`, `stdoi`) is refused naming it, not dropped (which
 * would silently do something other than asked: no marker, the default size,
 * every group, pipes instead of the terminal). Refused before anything starts.
 */
import { describe, expect, it } from "vitest";
import { addAddr, set } from "../actions/link-actions.js";
import { deleteNamed, links, script } from "../actions/ns-actions.js";
import { addRoute, routes } from "../actions/route-actions.js";
import { watch } from "../events/watch.js";
import { spawn } from "../exec.js";
import { byName, newBridge, newGretap, newLink, newVeth, newVxlan } from "../links/providers.js";
import { createNamed, now } from "../namespace/providers.js";
import { Pool } from "../pool/pool.js";
import { runOptions, splitOptions } from "../pool/run-options.js";

const refusedAs = (field: string) => expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field });

describe("options objects", () => {
  it("ns.createNamed", () => {
    expect(() => createNamed("lab", "/run/netns", { loalias: "neslink:lab:a" } as never)).toThrow(refusedAs("options.loalias"));
    expect(() => createNamed("lab", "/run/netns", null as never)).toThrow(refusedAs("options"));
    expect(createNamed("lab", "/run/netns", { loAlias: "neslink:lab:a" })).toMatchObject({ kind: "newNamed", loAlias: "neslink:lab:a" });
  });

  it("new Pool", () => {
    expect(() => new Pool({ sise: 2 } as never)).toThrow(refusedAs("options.sise"));
    expect(() => new Pool(7 as never)).toThrow(refusedAs("options"));
  });

  it("watch", () => {
    expect(() => watch(now(), { group: ["link"] } as never)).toThrow(refusedAs("options.group"));
    expect(() => watch(now(), null as never)).toThrow(refusedAs("options"));
  });

  it("spawn", async () => {
    await expect(spawn(now(), ["true"], { stdoi: "inherit" } as never)).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.stdoi",
    });
  });

  it("la.addAddr", () => {
    expect(() => addAddr("10.0.0.1/24", { replce: true } as never)).toThrow(refusedAs("options.replce"));
    expect(() => addAddr("10.0.0.1/24", null as never)).toThrow(refusedAs("options"));
    expect(addAddr("10.0.0.1/24", { replace: true })).toMatchObject({ kind: "addAddr", replace: true });
  });
});

/**
 * What a getter or a Proxy trap of the caller's value throws is refused as
 * that value (a ValidationError naming it, "could not be read"), as exec's and
 * watch's options and the providers already were, not let out as the caller's
 * own error from inside neslink.
 */
describe("values whose getters or Proxy traps throw", () => {
  const getter = (key: string) =>
    Object.defineProperty({}, key, {
      enumerable: true,
      get() {
        throw new Error("trap");
      },
    });
  const trapped = () =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
        get() {
          throw new Error("trap");
        },
        has() {
          throw new Error("trap");
        },
      },
    );
  const cases: [string, string, string, (value: never) => unknown][] = [
    ["ns.createNamed", "loAlias", "options", (o) => createNamed("lab", "/run/netns", o)],
    ["na.deleteNamed", "loAliasPrefix", "options", (o) => deleteNamed("lab", "/run/netns", o)],
    ["na.addRoute", "to", "value", (o) => addRoute(o)],
    ["na.routes", "table", "filter", (o) => routes(4, o)],
    ["na.script", "x", "vars.x", (o) => script("echo {{x}}", o)],
    ["la.set", "mtu", "value", (o) => set(o)],
    ["la.addAddr", "replace", "options", (o) => addAddr("10.0.0.1/24", o)],
    ["lp.bridge", "mtu", "options", (o) => newBridge("br0", o)],
    ["lp.veth", "name", "veth.peer", (o) => newVeth("v0", o)],
    ["lp.gretap", "local", "gretap", (o) => newGretap("g0", o)],
    ["lp.vxlan", "id", "options", (o) => newVxlan("vx0", o)],
    ["lp.new", "type", "value", (o) => newLink(o)],
    ["new Pool", "size", "options", (o) => new Pool(o)],
    ["nsDo's options", "timeoutMs", "options", (o) => runOptions(o)],
    ["nsDo's actions", "kind", "actions[1]", (o) => splitOptions([links(), o, links()])],
  ];

  it.each(cases)("%s", (_, key, field, call) => {
    expect(() => call(getter(key) as never)).toThrow(refusedAs(field));
    expect(() => call(getter(key) as never)).toThrow(`${field}: could not be read: trap`);
    // A Proxy whose every trap throws: its keys, its fields, `in`. (A script's vars are only read by key.)
    if (key !== "x") expect(() => call(trapped() as never)).toThrow(`${field}: could not be read: trap`);
  });

  it("spawn", async () => {
    await expect(spawn(now(), ["true"], getter("stdio") as never)).rejects.toThrow("options: could not be read: trap");
  });

  it("keeps neslink's own refusals as they are", () => {
    expect(() => newVeth("v0", { name: "a/b" }, { master: byName("br0") })).toThrow(refusedAs("veth.peer.name"));
  });
});
