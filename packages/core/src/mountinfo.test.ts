import { describe, expect, it } from "vitest";
import { parseMountinfo } from "./mountinfo.js";

// Lines this machine's kernel (6.18) wrote: the root, a namespace bound at a path with a space and a backslash, and a
// mount with an optional field (shared:N) before the separator.
const TEXT = [
  "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534",
  "125 27 0:4 net:[4026531833] /tmp/mq\\040dir/a\\040b\\134c rw - nsfs nsfs rw",
  "43 42 0:4 net:[4026532177] /run/netns/miq1 rw shared:2 - nsfs nsfs rw",
  "",
].join("\n");

describe("parseMountinfo", () => {
  it("each mount's ids, root, unescaped mount point and type, optional fields or not", () => {
    expect(parseMountinfo(TEXT)).toEqual([
      { id: "27", parent: "1", root: "/", at: "/", fstype: "ext4", shared: false },
      { id: "125", parent: "27", root: "net:[4026531833]", at: "/tmp/mq dir/a b\\c", fstype: "nsfs", shared: false },
      { id: "43", parent: "42", root: "net:[4026532177]", at: "/run/netns/miq1", fstype: "nsfs", shared: true },
    ]);
  });

  it("skips what is no mount line", () => {
    expect(parseMountinfo("")).toEqual([]);
    expect(parseMountinfo("garbage\n1 2 3\n")).toEqual([]);
  });

  it("shared only by its own optional field, not by a master: (a slave) nor a path that says shared", () => {
    const lines = ["50 27 0:30 / /mnt/a rw master:3 - tmpfs t rw", "51 27 0:31 / /mnt/shared:1 rw - tmpfs t rw"].join("\n");
    expect(parseMountinfo(lines).map((m) => m.shared)).toEqual([false, false]);
  });
});
