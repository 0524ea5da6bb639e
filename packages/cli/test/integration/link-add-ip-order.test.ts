/** `link add` in iproute2's orders (`dev NAME`, `name NAME`, a bare NAME, before `type KIND`), from the built bin. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const prefix = uniquePrefix("t26g");
const ns = `${prefix}a`;

beforeAll(() => ip("netns", "add", ns));
afterAll(() => cleanup(prefix));

type IpLink = { ifname: string; mtu: number; linkinfo?: { info_kind: string } };
const ipLink = (name: string) => ipJson<IpLink[]>("-n", ns, "-d", "link", "show").find((l) => l.ifname === name);
const names = () => ipJson<IpLink[]>("-n", ns, "link", "show").map((l) => l.ifname);

describe("link add as ip takes it", () => {
  it.each([
    ["dev", ["dev", "b0", "type", "bridge"]],
    ["name", ["name", "b1", "mtu", "1400", "type", "bridge"]],
    ["a bare name", ["b2", "type", "bridge"]],
  ])("%s before type creates the named link", (_, words) => {
    const name = words.find((w) => /^b\d$/.test(w)) as string;
    const r = neslink("-n", ns, "link", "add", ...words);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(ipLink(name)?.linkinfo?.info_kind).toBe("bridge");
    if (words.includes("mtu")) expect(ipLink(name)?.mtu).toBe(1400);
  });

  it("dev with no name after it is a usage error naming dev, and creates nothing", () => {
    const before = names();
    const r = neslink("-n", ns, "link", "add", "dev", "type", "bridge");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`dev: needs the link's name: "link add dev NAME type KIND"`);
    expect(names()).toEqual(before);
    expect(ipLink("dev")).toBeUndefined();
  });
});
