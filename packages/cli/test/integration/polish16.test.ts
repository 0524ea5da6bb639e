/** First-hour rough edges of the built bin, polished: an empty alias clears, usage lines name what is missing. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const prefix = uniquePrefix("pl16");
const ns = `${prefix}a`;

beforeAll(() => {
  ip("netns", "add", ns);
  ip("-n", ns, "link", "add", "br0", "type", "bridge");
});
afterAll(() => cleanup(prefix));

describe("link set alias", () => {
  it('"" clears the alias, as ip link set NAME alias "" does', () => {
    const alias = () => ipJson<{ ifalias?: string }[]>("-n", ns, "link", "show", "br0")[0]?.ifalias;
    expect(neslink("link", "set", "br0", "alias", "uplink", "-n", ns).status).toBe(0);
    expect(alias()).toBe("uplink");
    const r = neslink("--json", "link", "set", "br0", "alias", "", "-n", ns);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).alias).toBeNull();
    expect(alias()).toBeUndefined();
  });
});
