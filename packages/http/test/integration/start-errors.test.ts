/** A bin that cannot start says why, naming what the user gave: the flag, the address, the host. */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, binTest, startBin } from "./bin-process.js";

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

  it("reads the token from standard input with --token-file -: a pipe, a socket, or a file only its owner may read", async () => {
    const fifo = join(files.dir, "stdin-fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    // The shell opens the pipe as the bin's standard input; its writer writes the token and is gone.
    const writeAndRedirect = [`(printf '%s\\n' ${files.token} > ${fifo} &)`, `exec 0<${fifo}`];
    const throughPipe = await startBin(["--token-file", "-", "--port", "0"], { shell: writeAndRedirect });
    const res = await fetch(`${throughPipe.where}/v1/namespaces/none/links`, { headers: { authorization: `Bearer ${files.token}` } });
    expect(res.status).toBe(404);
    await startBin(["--token-file", "-", "--port", "0"], { input: `${files.token}\n` });
    await startBin(["--token-file", "-", "--port", "0"], { shell: [`exec 0<${files.tokenFile}`] });
    const open = join(files.dir, "stdin-open");
    writeFileSync(open, files.token, { mode: 0o644 });
    chmodSync(open, 0o644);
    await expect(startBin(["--token-file", "-", "--port", "0"], { shell: [`exec 0<${open}`] })).rejects.toThrow(
      /exited \(2\)[\s\S]*ERR_INVALID_ARGUMENT: --token-file: - \(standard input\) is open to group or others \(mode 0644\)/,
    );
    await expect(startBin(["--token-file", "-", "--port", "0"])).rejects.toThrow(
      "--token-file: - (standard input) is neither a pipe nor a file; pipe the token in: pass show neslink | neslink-http --token-file -",
    );
    // A terminal: what is typed there is echoed, and the start would wait on it.
    const atTerminal = spawnSync("script", ["-qec", `${process.execPath} ${BIN} --token-file - --port 0`, "/dev/null"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(atTerminal.status).toBe(2);
    expect(atTerminal.stdout).toContain("--token-file: - (standard input) is a terminal; pipe the token in:");
    await expect(startBin(["--token-file", "-", "--port", "0"], { input: "\n \n" })).rejects.toThrow(
      "--token-file: standard input holds only whitespace: it should hold the token",
    );
  });

  it("reads a pipe handed over as a path of its descriptor (/dev/fd/N, as bash's <(...) gives); refuses a FIFO by path", async () => {
    const fifo = join(files.dir, "token-fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    const writeOnFd3 = [`(printf '%s\\n' ${files.token} > ${fifo} &)`, `exec 3<${fifo}`];
    const throughFd = await startBin(["--token-file", "/dev/fd/3", "--port", "0"], { shell: writeOnFd3 });
    const res = await fetch(`${throughFd.where}/v1/namespaces/none/links`, { headers: { authorization: `Bearer ${files.token}` } });
    expect(res.status).toBe(404);
    const open = join(files.dir, "fd-open");
    writeFileSync(open, files.token, { mode: 0o644 });
    chmodSync(open, 0o644);
    await expect(startBin(["--token-file", "/dev/fd/3", "--port", "0"], { shell: [`exec 3<${open}`] })).rejects.toThrow(
      "--token-file: /dev/fd/3 (descriptor 3) is open to group or others (mode 0644)",
    );
    // A FIFO, written to or not, would hold the start until its writer was done, and anyone may write one they can open.
    await expect(startBin(["--token-file", fifo, "--port", "0"])).rejects.toThrow(
      `exited (2) before listening:\nneslink-http: ERR_INVALID_ARGUMENT: --token-file: ${fifo} is a pipe, not a regular file; give it as` +
        ` standard input: neslink-http --token-file - < ${fifo}`,
    );
  });

  it("refuses a token file in a directory others may write to (not sticky) or another user owns, naming the directory", async () => {
    const shared = join(files.dir, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const inShared = join(shared, "token");
    writeFileSync(inShared, files.token, { mode: 0o600 });
    await expect(startBin(["--token-file", inShared, "--port", "0"])).rejects.toThrow(
      `exited (2) before listening:\nneslink-http: ERR_INVALID_ARGUMENT: --token-file: ${inShared}: its directory ${shared} is writable by group` +
        " or others without the sticky bit (mode 0777), who may put another file in the token's place;",
    );
    chmodSync(shared, 0o1777);
    await startBin(["--token-file", inShared, "--port", "0"]);
    chownSync(shared, 65534, 65534);
    chmodSync(shared, 0o755);
    await expect(startBin(["--token-file", inShared, "--port", "0"])).rejects.toThrow(
      `--token-file: ${inShared}: its directory ${shared} is owned by uid 65534, neither root nor the server's user`,
    );
  });

  it("names --token-file when the file is missing or is a directory", async () => {
    await expect(startBin(["--token-file", join(files.dir, "no-such-token"), "--port", "0"])).rejects.toThrow(
      /exited \(2\)[\s\S]*ERR_INVALID_ARGUMENT: --token-file: cannot open [^\n]*no-such-token: no such file/,
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
