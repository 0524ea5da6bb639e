import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, inodeOf, linksIn, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, json, neslink, neslinkWith } from "./run.js";

const prefix = uniquePrefix("nc");

afterAll(() => cleanup(prefix));

describe("neslink (built bin)", () => {
  it("runs as `npx neslink` runs it in this repository: through node_modules/.bin, by its shebang", () => {
    const npxBin = new URL("../../../../node_modules/.bin/neslink", import.meta.url).pathname;
    expect(readlinkSync(npxBin)).toMatch(/cli\/bin\/neslink\.cjs$/);
    const r = spawnSync(npxBin, ["--version"], { encoding: "utf8", timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });

  it("adds a namespace, lists its links as iproute2 sees them, and deletes it", () => {
    const name = `${prefix}a`;
    expect(json("ns", "add", name)).toEqual({ status: 0, body: { name, path: `/run/netns/${name}` } });
    expect(netnsList()).toContain(name);
    // Other test files add and delete namespaces meanwhile: compare this file's own, and the order.
    const listed = (json("ns", "list").body as { name: string }[]).map((n) => n.name);
    expect(listed).toEqual([...listed].sort());
    expect(listed.filter((n) => n.startsWith(prefix))).toEqual(
      netnsList()
        .filter((n) => n.startsWith(prefix))
        .sort(),
    );

    const links = json("links", "--ns", name);
    expect(links.status).toBe(0);
    const fromIp = linksIn(name);
    expect(links.body.map((l: { index: number; name: string; mtu: number }) => [l.index, l.name, l.mtu])).toEqual(
      fromIp.map((l) => [l.ifindex, l.ifname, l.mtu]),
    );

    const lo = json("link", "show", "lo", "--ns", name);
    expect(lo).toMatchObject({ status: 0, body: { name: "lo", index: fromIp.find((l) => l.ifname === "lo")?.ifindex } });

    const table = neslink("links", "-n", name);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^INDEX\s+NAME\s+KIND/);
    expect(table.stdout).toMatch(/\n1\s+lo\s+/);

    const again = json("ns", "add", name);
    expect(again.status).toBe(1);
    expect(again.body.error).toMatchObject({ code: "ERR_NS_EXISTS", actionIndex: 0, action: "newNamed" });
    expect(neslink("ns", "add", name).stderr).toMatch(new RegExp(`^neslink: ERR_NS_EXISTS: .*"${name}".* \\(newNamed\\)\n$`));

    expect(neslink("ns", "del", name)).toMatchObject({ status: 0, stdout: `deleted namespace ${name}\n` });
    expect(netnsList()).not.toContain(name);
  });

  it("runs a program inside the namespace and passes its failure on", () => {
    const name = `${prefix}b`;
    expect(neslink("ns", "add", name)).toMatchObject({ status: 0 });
    const inside = neslink("exec", "--ns", name, "--", "ip", "-j", "link", "show");
    expect(inside.status).toBe(0);
    expect(JSON.parse(inside.stdout).map((l: { ifname: string }) => l.ifname)).toEqual(linksIn(name).map((l) => l.ifname));

    const failing = json("exec", "--ns", name, "--", "sh", "-c", "echo oops >&2; exit 3");
    expect(failing).toMatchObject({ status: 3, body: { status: 3, stderr: "oops\n" } });
    expect(neslink("ns", "del", name)).toMatchObject({ status: 0 });
  });

  it("reports a missing namespace or link as a runtime error naming the code", () => {
    const missing = neslink("links", "--ns", `${prefix}missing`);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^neslink: ERR_NS_NOT_FOUND: /);

    const name = `${prefix}c`;
    expect(neslink("ns", "add", name)).toMatchObject({ status: 0 });
    const noLink = json("link", "show", "nope0", "--ns", name);
    expect(noLink.status).toBe(1);
    expect(noLink.body.error.code).toBe("ERR_LINK_NOT_FOUND");
    expect(neslink("ns", "del", name)).toMatchObject({ status: 0 });
    expect(json("ns", "del", name).body.error.code).toBe("ERR_NS_NOT_FOUND");
    // LAB:NODE, which the other commands take: told how a lab's node goes instead.
    // Only for that shape: "lab:" is no node.
    expect(neslink("ns", "del", `${prefix}lab:`).stderr).not.toContain("LAB:NODE");
    const node = neslink("ns", "del", `${prefix}lab:h1`);
    expect(node.status).toBe(1);
    expect(node.stderr).toBe(
      `neslink: ERR_NS_NOT_FOUND: no namespace at /run/netns/${prefix}lab:h1 (deleteNamed) (ns del takes a namespace's name, not LAB:NODE; a lab's nodes go with "neslink destroy LAB", or by leaving them out of its file and applying it)\n`,
    );
  });

  it("refuses a bad name with a usage error, touching nothing", () => {
    const before = netnsList(prefix);
    const bad = json("ns", "add", `${prefix}/../x`);
    expect(bad.status).toBe(2);
    expect(bad.body.error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "name" });
    expect(netnsList(prefix)).toEqual(before);
  });
});

describe("neslink exec (built bin) behaves like ip netns exec", () => {
  const name = `${prefix}x`;

  it("forwards stdin, passes the exit status through, says 127 for a missing program", () => {
    expect(neslink("ns", "add", name)).toMatchObject({ status: 0 });
    expect(neslinkWith("hi\n", "exec", "-n", name, "--", "cat")).toEqual({ status: 0, stdout: "hi\n", stderr: "" });
    expect(neslink("exec", "-n", name, "--", "sh", "-c", "echo out; echo err >&2; exit 3")).toEqual({
      status: 3,
      stdout: "out\n",
      stderr: "err\n",
    });
    // The program takes neslink's place, as with ip netns exec: a signal that ends it ends "neslink" (a shell says 143).
    const killed = spawnSync(process.execPath, [BIN, "exec", "-n", name, "--", "sh", "-c", "kill -TERM $$"]);
    const viaIp = spawnSync("ip", ["netns", "exec", name, "sh", "-c", "kill -TERM $$"]);
    expect([killed.status, killed.signal]).toEqual([null, "SIGTERM"]);
    expect([killed.status, killed.signal]).toEqual([viaIp.status, viaIp.signal]);
    const missing = neslink("exec", "-n", name, "--", `${prefix}-no-such-program`);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toBe(`neslink: ${prefix}-no-such-program: command not found\n`);
    expect(neslink("--json", "exec", "-n", name, "--", `${prefix}-no-such-program`).status).toBe(127);
    // The program sees the namespace's network, not the host's.
    expect(neslink("exec", "-n", name, "--", "readlink", "/proc/self/ns/net").stdout).toBe(`net:[${inodeOf(`/run/netns/${name}`)}]\n`);
  });

  it("the program takes neslink's place as with ip netns exec: its pid, no descriptor of neslink's, a new process's signals, the environment", () => {
    // What a program sees of the process it runs in: descriptors, ignored and blocked signals, an environment variable, its namespace.
    const probe = 'ls /proc/self/fd | tr "\\n" " "; grep -E "^Sig(Ign|Blk)" /proc/self/status; echo "$PROBE"; readlink /proc/self/ns/net';
    const env = { ...process.env, PROBE: "given" };
    const ours = spawnSync(process.execPath, [BIN, "exec", "-n", name, "--", "sh", "-c", `echo $$; ${probe}`], { encoding: "utf8", env });
    const ips = spawnSync("ip", ["netns", "exec", name, "sh", "-c", `echo $$; ${probe}`], { encoding: "utf8", env });
    expect([ours.status, ours.stderr]).toEqual([0, ""]);
    const [pid, ...seen] = ours.stdout.split("\n");
    expect(Number(pid)).toBe(ours.pid);
    expect(seen.join("\n")).toBe(ips.stdout.split("\n").slice(1).join("\n"));
    expect(seen).toContain("given");
  });

  it("on a terminal the program has the terminal: an interactive program works (util-linux's script gives the pty)", () => {
    const inside = `net:[${inodeOf(`/run/netns/${name}`)}]`;
    // -e: script exits with the command's status.
    const r = spawnSync(
      "script",
      [
        "-eqc",
        `"${process.execPath}" "${BIN}" exec -n ${name} -- sh -c 'test -t 0 && test -t 1 && test -t 2 && readlink /proc/self/ns/net; exit 4'`,
        "/dev/null",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(r.status).toBe(4);
    expect(r.stdout.replace(/\r/g, "")).toBe(`${inside}\n`);
  });

  it("when its reader leaves, the program gets SIGPIPE, as in a shell pipeline", () => {
    const r = spawnSync(
      "bash",
      ["-c", `"$0" "$1" exec -n "$2" -- yes | head -1; echo "\${PIPESTATUS[0]}" >&2`, process.execPath, BIN, name],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(r.stdout).toBe("y\n");
    expect(r.stderr).toBe(`${128 + 13}\n`);
  });

  it("prints output as it comes and ends the program on SIGINT", async () => {
    const cli = spawn(process.execPath, [BIN, "exec", "-n", name, "--", "sh", "-c", "echo $$; exec sleep 100"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const exited = new Promise<[number | null, string | null]>((resolve) => cli.on("exit", (code, signal) => resolve([code, signal])));
    // The pid is printed while the program still runs: output is not held until it ends.
    const pid = await new Promise<number>((resolve) => cli.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
    try {
      expect(readlinkSync(`/proc/${pid}/ns/net`)).toBe(`net:[${inodeOf(`/run/netns/${name}`)}]`);
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(-3)).toEqual(["sleep", "100", ""]);
      // The program is the process neslink started (it took its place), and the signal ends it.
      expect(pid).toBe(cli.pid);
      cli.kill("SIGINT");
      expect(await exited).toEqual([null, "SIGINT"]);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
    } finally {
      if (existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL");
    }
  });
});

describe("without /proc (a chroot or container made without it)", () => {
  it("says that /proc is not mounted, after the error naming the file", () => {
    const name = `${prefix}p`;
    expect(neslink("ns", "add", name)).toMatchObject({ status: 0 });
    // A mount namespace of the test's own, where /proc is unmounted: the machine's stays as it is.
    const script = `umount -l /proc && for c in "ns list" "link list -n ${name}"; do "$0" "$1" $c; echo "status=$?"; done`;
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script, process.execPath, BIN], { encoding: "utf8" });
    const hint = "neslink: /proc is not mounted here, and neslink reads it (mount -t proc proc /proc).\n";
    expect(r.stdout).toBe("status=1\nstatus=1\n");
    expect(r.stderr.split(hint)).toHaveLength(3);
    expect(r.stderr).toMatch(/^neslink: ENOENT: .*\/proc\//);
    expect(neslink("ns", "del", name)).toMatchObject({ status: 0 });
  });
});
