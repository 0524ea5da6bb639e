/**
 * The bins npm links are committed files, present before anything is built: npm links a workspace's bin at install
 * only if its file exists then, and without the link `npx neslink` asks the registry for a package of that name.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BINS = [
  { pkg: "cli", name: "neslink" },
  { pkg: "http", name: "neslink-http" },
] as const;
const scratch = mkdtempSync(join(tmpdir(), "neslink-bin-link-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(BINS)("the $name bin", ({ pkg, name }) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8"));
  const bin = manifest.bin[name] as string;

  it("is a committed file outside dist/, which the package ships", () => {
    expect(bin.startsWith("./dist/")).toBe(false);
    const tracked = spawnSync("git", ["ls-files", "--error-unmatch", join("packages", pkg, bin)], { cwd: ROOT });
    expect(tracked.status).toBe(0);
    expect(manifest.files).toContain(bin.split("/")[1]);
  });

  it("runs the built command, and says what to do where nothing is built", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "packages", pkg, bin), "--help"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage|USAGE|usage/);

    const unbuilt = join(scratch, pkg);
    mkdirSync(join(unbuilt, "bin"), { recursive: true });
    copyFileSync(join(ROOT, "packages", pkg, bin), join(unbuilt, bin));
    if (pkg === "http") copyFileSync(join(ROOT, "packages", pkg, "package.json"), join(unbuilt, "package.json"));
    expect(existsSync(join(unbuilt, "dist"))).toBe(false);
    const bare = spawnSync(process.execPath, [join(unbuilt, bin)], { encoding: "utf8" });
    expect(bare.status).toBe(1);
    expect(bare.stderr).toBe(
      `${name}: ${join(unbuilt, "dist", pkg === "cli" ? "bin.cjs" : "bin.js")} is not built yet: run "npm run build" (or scripts/setup.sh) first\n`,
    );
  });
});
