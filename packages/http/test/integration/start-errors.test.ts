/** A bin that cannot start says why, naming what the user gave: the flag, the address, the host. */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, constants, openSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binTest, startBin } from "./bin-process.js";

const { files } = binTest("nhl");

describe("neslink-http that cannot start", () => {
  it("refuses a token no client could send, naming where it came from", async () => {
    // What `head -c 64 /dev/urandom | base64 > token` writes: a base64 line wrapped at 76 characters.
    const wrapped = join(files.dir, "wrapped-token");
    writeFileSync(wrapped, `${"A".repeat(76)}\n${"B".repeat(12)}==\n`, { mode: 0o600 });
    await expect(startBin(["--token-file", wrapped, "--port", "0"])).rejects.toThrow(
      /exited \(2\)[\s\S]*ERR_INVALID_ARGUMENT: --token-file: must be one line/,
    );
    const short = join(files.dir, "short-token");
    writeFileSync(short, "short\n", { mode: 0o600 });
    await expect(startBin(["--token-file", short, "--port", "0"])).rejects.toThrow(/ERR_INVALID_ARGUMENT: --token-file: /);
    await expect(startBin(["--port", "0"], { env: { NESLINK_HTTP_TOKEN: "a token with spaces in it" } })).rejects.toThrow(
      /ERR_INVALID_ARGUMENT: NESLINK_HTTP_TOKEN: must be one line/,
    );
  });

  it("names the flag at fault in a usage error, not the whole argv, and says a value is missing in one line", async () => {
    const refused = async (args: string[]) => {
      const err = await startBin(args).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/exited \(2\)/);
      // A line pointing to the help, not the whole page after the error.
      expect(err?.message).toContain('Run "neslink-http --help" for usage.');
      expect(err?.message).not.toContain("Options:");
      return /neslink-http: (.*)/.exec(err?.message ?? "")?.[1];
    };
    expect(await refused(["--token-file", files.tokenFile, "--bogus"])).toBe(
      "ERR_INVALID_ARGUMENT: --bogus: is not an option of neslink-http",
    );
    expect(await refused(["--token-file", files.tokenFile, "--headers-timeout", "-1"])).toBe(
      "ERR_INVALID_ARGUMENT: --headers-timeout: needs a value (one that starts with '-' is given as --headers-timeout=VALUE)",
    );
    expect(await refused(["--token-file", "--port", "0"])).toBe(
      "ERR_INVALID_ARGUMENT: --token-file: needs a value (one that starts with '-' is given as --token-file=VALUE)",
    );
    expect(await refused(["--token-file", files.tokenFile, "--allow-exec=yes"])).toBe("ERR_INVALID_ARGUMENT: --allow-exec: takes no value");
    // parseArgs keeps the last: the server would have listened where the first flag did not say.
    expect(await refused(["--token-file", files.tokenFile, "--port", "0", "--port=7471"])).toBe(
      "ERR_INVALID_ARGUMENT: --port: is given twice; it takes one value",
    );
    expect(await refused(["--token-file", files.tokenFile, "-h=1"])).toBe("ERR_INVALID_ARGUMENT: -=: is not an option of neslink-http");
    // A bad flag is named before a missing token is: the token is looked for once every flag is checked.
    expect(await refused(["--port=abc"])).toBe('ERR_INVALID_ARGUMENT: --port: must be an integer from 0 to 65535, got "abc"');
    const short = join(files.dir, "shorter-token");
    writeFileSync(short, "short\n", { mode: 0o600 });
    expect(await refused(["--token-file", short])).toBe("ERR_INVALID_ARGUMENT: --token-file: must be at least 16 characters, not 5");
  });

  it("reads the token from a pipe (a secret handed over without a file, as bash's <(...) does)", async () => {
    const pipe = join(files.dir, "token-pipe");
    execFileSync("mkfifo", ["-m", "600", pipe]);
    // The token written and its writer gone: what a reader of the pipe gets is the token, then the end.
    const keep = openSync(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const writer = openSync(pipe, constants.O_WRONLY);
      writeSync(writer, `${files.token}\n`);
      closeSync(writer);
      const bin = await startBin(["--token-file", pipe, "--port", "0"]);
      const res = await fetch(`${bin.where}/v1/namespaces/none/links`, { headers: { authorization: `Bearer ${files.token}` } });
      expect(res.status).toBe(404);
    } finally {
      closeSync(keep);
    }
  });

  it("names --token-file when the file is missing, or is a FIFO or directory, and does not wait on a FIFO", async () => {
    await expect(startBin(["--token-file", join(files.dir, "no-such-token"), "--port", "0"])).rejects.toThrow(
      /exited \(2\)[\s\S]*ERR_INVALID_ARGUMENT: --token-file: cannot open [^\n]*no-such-token: no such file/,
    );
    // Read as a file, a FIFO would hold the start until someone wrote to it: no one does, which is said at once.
    const fifo = join(files.dir, "token-fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    await expect(startBin(["--token-file", fifo, "--port", "0"])).rejects.toThrow(
      /exited \(2\)[\s\S]*ERR_INVALID_ARGUMENT: --token-file: [^\n]*token-fifo is a pipe, and nothing was written to it/,
    );
    await expect(startBin(["--token-file", files.dir, "--port", "0"])).rejects.toThrow(/--token-file: [^\n]* is not a regular file/);
  });

  it("refuses a token file others may read or write, a symlink, or one another user owns, as ssh does a key", async () => {
    const open = join(files.dir, "open-token");
    writeFileSync(open, files.token, { mode: 0o644 });
    chmodSync(open, 0o644);
    await expect(startBin(["--token-file", open, "--port", "0"])).rejects.toThrow(
      `neslink-http: ERR_INVALID_ARGUMENT: --token-file: ${open} is open to group or others (mode 0644); the token gives root` +
        ` control of the network (and exec with --allow-exec): chmod 600 ${open}`,
    );
    const link = join(files.dir, "token-link");
    symlinkSync(files.tokenFile, link);
    await expect(startBin(["--token-file", link, "--port", "0"])).rejects.toThrow(
      `--token-file: ${link} is a symlink; give the file itself (mode 600)`,
    );
    const theirs = join(files.dir, "their-token");
    writeFileSync(theirs, files.token, { mode: 0o600 });
    chownSync(theirs, 65534, 65534);
    const me = process.geteuid?.();
    await expect(startBin(["--token-file", theirs, "--port", "0"])).rejects.toThrow(
      `--token-file: ${theirs} is owned by uid 65534, not by the server's user (uid ${me}): chown ${me} ${theirs} && chmod 600 ${theirs}`,
    );
  });

  it("says a --socket's directory is missing or is no directory (libuv reports either as EACCES, even to root)", async () => {
    const missing = join(files.dir, "no-such-dir", "a.sock");
    await expect(startBin(["--token-file", files.tokenFile, "--socket", missing])).rejects.toThrow(
      /exited \(2\)[\s\S]*ERR_INVALID_ARGUMENT: socket: cannot listen at [^\n]*no-such-dir\/a\.sock: its directory [^\n]*no-such-dir does not exist/,
    );
    const file = join(files.dir, "a-file");
    writeFileSync(file, "");
    await expect(startBin(["--token-file", files.tokenFile, "--socket", join(file, "a.sock")])).rejects.toThrow(
      /ERR_INVALID_ARGUMENT: socket: cannot listen at [^\n]*a-file\/a\.sock: its directory [^\n]*a-file is not a directory/,
    );
  });

  it("names the address already in use, and a host that does not resolve", async () => {
    const first = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    await expect(startBin(["--token-file", files.tokenFile, "--port", String(first.port)])).rejects.toThrow(
      new RegExp(`exited \\(1\\)[^]*EADDRINUSE: listen failed: EADDRINUSE \\(127\\.0\\.0\\.1:${first.port}\\)`),
    );
    await expect(startBin(["--token-file", files.tokenFile, "--host", "no-such-host.invalid", "--port", "0"])).rejects.toThrow(
      /exited \(1\)[\s\S]*ENOTFOUND: [^\n]*no-such-host\.invalid/,
    );
  });
});
