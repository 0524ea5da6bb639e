/**
 * listNamed tells namespaces by the mount table: what the mount table could
 * get wrong is checked against what opening each entry says (the kernel's
 * own answer, `ip netns exec`), in a private mount dir: another kind of
 * namespace mounted there, a file bound over a namespace, a namespace
 * hidden under a bind mount of the dir, names mountinfo escapes, names
 * that are not UTF-8, the dir reached through a symlink, or from a chroot.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listNamed, na, ns, nsDo } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("lm");
const dir = privateMountDir(prefix);
const link = `${dir}-link`;
const at = (name: string) => `${dir}/${name}`;
/** Whether iproute2 can enter the entry as a network namespace (it opens it and setns's, as neslink's own checks do). */
const enterable = (name: string) => spawnSync("nsenter", [`--net=${at(name)}`, "true"]).status === 0;
const mount = (...args: string[]) => execFileSync("mount", args);

const [net, uts, covered, odd] = [`${prefix}net`, `${prefix}uts`, `${prefix}covered`, `${prefix} a\tb\\c`];

beforeAll(async () => {
  await nsDo(ns.now(), na.createNamed(net, dir), na.createNamed(covered, dir));
  // A name neslink would refuse to make, but lists (as `ip netns list` would): the same namespace bound there.
  writeFileSync(at(odd), "");
  mount("--bind", at(net), at(odd));
  // An nsfs mount of another kind of namespace: this process's UTS namespace.
  writeFileSync(at(uts), "");
  mount("--bind", "/proc/self/ns/uts", at(uts));
  // A plain file bound over a network namespace's mount: the file is what the entry is now.
  const file = `${dir}-file`;
  writeFileSync(file, "");
  mount("--bind", file, at(covered));
  symlinkSync(dir, link);
});

afterAll(() => {
  removeMountDir(dir);
  rmSync(`${dir}-file`, { force: true });
  rmSync(link, { force: true });
});

describe("listNamed, from the mount table", () => {
  it("lists what can be entered as a network namespace, and nothing else", () => {
    expect(enterable(net)).toBe(true);
    expect(enterable(odd)).toBe(true);
    expect(enterable(uts)).toBe(false);
    expect(enterable(covered)).toBe(false);
    expect(listNamed(dir)).toEqual([odd, net].sort());
  });

  it("the same through a symlink to the dir", () => {
    expect(listNamed(link)).toEqual([odd, net].sort());
  });

  it("namespaces hidden under a bind mount of the dir itself are not listed: their entries are plain files there now", () => {
    const hidden = `${dir}/sub`;
    mkdirSync(hidden);
    const inside = `${prefix}in`;
    writeFileSync(`${hidden}/${inside}`, "");
    mount("--bind", `/proc/self/ns/net`, `${hidden}/${inside}`);
    try {
      expect(listNamed(hidden)).toEqual([inside]);
      // Not recursive: the new mount of sub has none of the mounts under it, so the namespace's entry is its empty file.
      mount("--bind", hidden, hidden);
      try {
        expect(spawnSync("nsenter", [`--net=${hidden}/${inside}`, "true"]).status).not.toBe(0);
        expect(listNamed(hidden)).toEqual([]);
      } finally {
        execFileSync("umount", [hidden]);
      }
      expect(listNamed(hidden)).toEqual([inside]);
    } finally {
      execFileSync("umount", [`${hidden}/${inside}`]);
    }
  });

  it("names that are not UTF-8 are not listed: as strings they name other files, or each other", () => {
    // b\xff is a namespace and b\xfe a plain file, both "b\ufffd" as strings; c\xff is a namespace, "c\ufffd" (valid UTF-8) a plain file.
    const script =
      'cd "$1" && for n in b c; do : > "$(printf "$n\\377")"; mount --bind /proc/self/ns/net "$(printf "$n\\377")"; done; : > "$(printf "b\\376")"; : > "$(printf "c\\357\\277\\275")"';
    execFileSync("sh", ["-c", script, "sh", dir]);
    try {
      expect(spawnSync("sh", ["-c", 'nsenter --net="$(printf "$1/b\\377")" true', "sh", dir]).status).toBe(0);
      expect(listNamed(dir)).toEqual([odd, net].sort());
    } finally {
      execFileSync("sh", [
        "-c",
        'cd "$1" && umount "$(printf "b\\377")" "$(printf "c\\377")"; rm "$(printf "b\\377")" "$(printf "c\\377")" "$(printf "b\\376")" "$(printf "c\\357\\277\\275")"',
        "sh",
        dir,
      ]);
    }
  });

  it("the same from a chroot into a dir that is no mount point (the kernel lists no mount on its /)", () => {
    const root = mkdtempSync(`/tmp/${prefix}-root-`);
    // What node and core's dist need, bound at the same paths inside; all of it goes with the mount namespace.
    const core = fileURLToPath(new URL("../..", import.meta.url));
    const binds = ["/usr", "/proc", "/dev", dir, fileURLToPath(new URL("../../../..", import.meta.url))];
    const script = [
      'r="$1"; shift',
      'for p in "$@"; do mkdir -p "$r$p"; mount --rbind "$p" "$r$p"; done',
      'for l in bin lib lib64; do ln -s usr/$l "$r/$l"; done',
      `exec chroot "$r" node --input-type=module -e 'import { listNamed } from "${core}/dist/list.js"; console.log(JSON.stringify(listNamed(process.argv[1])))' "${dir}"`,
    ].join("\n");
    try {
      const listed = execFileSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh", root, ...binds], {
        encoding: "utf8",
        env: { ...process.env, NODE_EXTRA_CA_CERTS: "" },
      });
      expect(JSON.parse(listed)).toEqual([odd, net].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a dir that does not exist lists nothing", () => {
    expect(listNamed(`${dir}-missing`)).toEqual([]);
  });
});
