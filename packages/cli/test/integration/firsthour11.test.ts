/** A lab engineer's first hour with the built bin, eleventh pass. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { exampleAs } from "./example.js";
import { asNobody, BIN, neslink } from "./run.js";

const prefix = uniquePrefix("f11");
const dir = mkdtempSync(`${tmpdir()}/neslink-f11-`);
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A reader that leaves once the pipe is full (FIONREAD: 64 KiB waiting), without reading: the bin's write has then
 * met EAGAIN and the rest waits in Node's stream, which meets the reader's departure as an 'error' event.
 */
const LEAVES_WHEN_FULL =
  "import fcntl,termios,struct,time\n" +
  "while struct.unpack('i', fcntl.ioctl(0, termios.FIONREAD, b'\\0\\0\\0\\0'))[0] < 65536: time.sleep(0.01)";

describe("output piped into a reader that leaves before the end", () => {
  it.each([[[]], [["--json"]]])(
    "plan %j of the 500-node star: no stack trace, exit 141 as SIGPIPE would (the pool's workers made stdout a stream, which meets the reader's leaving after the command ended)",
    (flags) => {
      const file = exampleAs("star-500.yaml", prefix, `${dir}/star.yaml`);
      const r = spawnSync(
        "bash",
        [
          "-c",
          `"$0" "$1" plan "$2" "\${@:4}" | python3 -c "$3"; echo "\${PIPESTATUS[0]}" >&2`,
          process.execPath,
          BIN,
          file,
          LEAVES_WHEN_FULL,
          ...flags,
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      // Whichever write finds the reader gone (one straight to the pipe, or the stream's after the command ended): 141,
      // as `ip` would end; it was 0 when the stream found it, 141 when a write did, from run to run.
      expect(r.stderr).toBe("141\n");
    },
  );
});

describe("monitor all without root", () => {
  it("says what it needs and exits 1, instead of running on and hearing nothing", () => {
    // A named namespace there, refused when found.
    ip("netns", "add", `${prefix}m`);
    const r = asNobody("monitor", "all");
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^neslink: EPERM: .*CAP_NET_BROADCAST.*\n.*run it with sudo/);
    expect(r.status).toBe(1);
  });

  it("with no named namespace yet, says so at its start too, instead of waiting for one it could not hear", () => {
    // A mount namespace of its own with an empty /run: whatever the host's /run/netns holds, this one holds nothing.
    const r = spawnSync(
      "unshare",
      [
        "--mount",
        "--propagation=private",
        "sh",
        "-c",
        'mount -t tmpfs none /run && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"',
        "sh",
        process.execPath,
        BIN,
        "monitor",
        "all",
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^neslink: EPERM: .*CAP_NET_BROADCAST.*\n.*run it with sudo/);
    expect(r.status).toBe(1);
  });
});

describe("a mistyped command", () => {
  it("is named alone, not with the arguments after it", () => {
    const r = neslink("exe", `${prefix}:h1`, "--", "ping", "-c1", "10.0.2.1");
    expect(r.stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: command: unknown command "exe"; did you mean "exec"?\nRun "neslink --help" for usage.\n',
    );
    expect(r.status).toBe(2);
    // Not `ns ad`: ip's abbreviation of add, which neslink reads as ip does.
    expect(neslink("ns", "ax", `${prefix}a`).stderr).toContain('unknown command "ns ax"\nRun "neslink ns --help" for usage.');
  });
});

describe("apply --json ended by a signal", () => {
  it("prints its error as JSON on stdout, as --json promises of every error, then dies of the signal", async () => {
    const lab = `${prefix}s`;
    const file = exampleAs("star-500.yaml", lab, `${dir}/interrupted.yaml`);
    const cli = spawn(process.execPath, [BIN, "apply", file, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    cli.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      cli.on("exit", (code, signal) => resolve([code, signal])),
    );
    // Part-way: once its first namespaces are there.
    for (let i = 0; i < 600 && !netnsList(`${lab}-`).length; i++) await new Promise((r) => setTimeout(r, 50));
    cli.kill("SIGTERM");
    expect(await exited).toEqual([null, "SIGTERM"]);
    const { error } = JSON.parse(stdout);
    expect(error.code).toBe("ERR_ABORTED");
    expect(error.message).toContain(`SIGTERM: ${lab} is partly applied`);
    expect(neslink("destroy", lab, "--yes").status).toBe(0);
  });
});
