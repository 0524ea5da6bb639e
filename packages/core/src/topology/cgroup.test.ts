import { describe, expect, it } from "vitest";
import { cgroup2MountIn } from "./cgroup.js";

// Lines of /proc/self/mountinfo: the hybrid layout is this CI machine's (cgroup v1 controllers, v2 at /unified); the unified
// layout is the one systemd hosts have (Debian 12, Fedora), with the optional "shared:N" field; fields per proc_pid_mountinfo(5).
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const UNIFIED =
  "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

describe("cgroup2MountIn", () => {
  it("finds where cgroup v2 is mounted, unified or beside v1 controllers", () => {
    expect(cgroup2MountIn(UNIFIED)).toBe("/sys/fs/cgroup");
    expect(cgroup2MountIn(HYBRID)).toBe("/sys/fs/cgroup/unified");
  });

  it("undoes the kernel's octal escapes in the mount point, and says null when there is no cgroup v2", () => {
    expect(cgroup2MountIn("50 24 0:40 / /mnt/my\\040cgroups rw - cgroup2 none rw\n")).toBe("/mnt/my cgroups");
    expect(cgroup2MountIn(HYBRID.split("\n").slice(0, 2).join("\n"))).toBeNull();
    expect(cgroup2MountIn("")).toBeNull();
  });
});
