import { describe, expect, it } from "vitest";
import { checkTopology } from "./check.js";
import { load } from "./load.js";
import { TopologyError } from "./problems.js";

describe("checkTopology and keys named like Object.prototype's", () => {
  // JSON.parse makes "__proto__" an own key, as a YAML file does; an object literal's would set the prototype instead.
  const file = JSON.parse(`{
    "name": "protolab",
    "nodes": { "a": { "addresses": { "__proto__": ["10.0.1.1/24"] } }, "b": {} },
    "links": [{ "endpoints": ["a:__proto__", "b:eth0"] }]
  }`);

  it("takes a copy of a loaded topology whose interface is named __proto__ (a valid Linux name)", () => {
    const loaded = load(file);
    expect(loaded.nodes[0]?.interfaces[0]).toMatchObject({ name: "__proto__", addresses: ["10.0.1.1/24"] });
    expect(checkTopology("topology", JSON.parse(JSON.stringify(loaded)))).toEqual(loaded);
  });

  it("names a node or sysctl called __proto__ built by hand, as load names it in a file", () => {
    const loaded = load(file);
    const problemsOf = (t: unknown) => {
      try {
        checkTopology("topology", t);
      } catch (err) {
        expect(err).toBeInstanceOf(TopologyError);
        return (err as TopologyError).problems.map((p) => p.path);
      }
      throw new Error("expected a refusal");
    };
    const node = JSON.parse(JSON.stringify(loaded));
    node.nodes[1].name = "__proto__";
    node.nodes[0].interfaces[0].peer.node = "__proto__";
    node.links[0].endpoints[1].node = "__proto__";
    expect(problemsOf(node)).toContain("nodes.__proto__");
    const sysctl = JSON.parse(JSON.stringify(loaded));
    sysctl.nodes[0].sysctls = JSON.parse('{"__proto__": "1"}');
    expect(problemsOf(sysctl)).toEqual(["nodes.a.sysctls.__proto__"]);
  });
});

describe("checkTopology and a topology written as a file", () => {
  it("says a file's shape (nodes by name) goes through topology.load, which reads it as it is", () => {
    const file = { name: "filelab", nodes: { a: {}, b: {} }, links: [{ endpoints: ["a:eth0", "b:eth0"] }] };
    expect(() => checkTopology("topology", file)).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARGUMENT",
        field: "topology.nodes",
        message: expect.stringContaining("nodes by name are a file's shape; give the object to topology.load first"),
      }),
    );
    expect(checkTopology("topology", load(file)).nodes.map((n) => n.name)).toEqual(["a", "b"]);
  });
});
