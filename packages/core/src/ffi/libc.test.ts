// SIOCGIFINDEX in the test's own namespace: any Linux user may ask, and it changes nothing.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { SystemCallError } from "../errors.js";
import * as libc from "./libc.js";

const fd = libc.socket(libc.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, libc.NETLINK_ROUTE);
afterAll(() => libc.close(fd));

describe("ifIndex", () => {
  it("gives the index the kernel lists for each link of the socket's namespace", () => {
    const names = readFileSync("/proc/net/dev", "utf8")
      .split("\n")
      .slice(2)
      .flatMap((line) => (line.includes(":") ? [line.split(":")[0]?.trim() as string] : []));
    expect(names).toContain("lo");
    for (const name of names) {
      expect(libc.ifIndex(fd, name)).toBe(Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8")));
    }
  });

  it("fails with ENODEV for a name no link has, and refuses a name longer than IFNAMSIZ allows", () => {
    const missing = (() => {
      try {
        return libc.ifIndex(fd, "nosuchlink0");
      } catch (err) {
        return err;
      }
    })();
    expect(missing).toBeInstanceOf(SystemCallError);
    expect((missing as SystemCallError).code).toBe("ENODEV");
    expect(() => libc.ifIndex(fd, "a".repeat(16))).toThrow(/longer than 15 bytes/);
  });
});
