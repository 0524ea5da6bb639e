/**
 * What ships: each package packed as npm would publish it, its file list
 * checked, then all four installed from their tarballs into an empty project
 * and used from there as a user would.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const PACKAGES = ["codec-wasm", "core", "cli", "http"] as const;
/** What each tarball must hold besides package.json, README.md and LICENSE. */
const REQUIRED: Record<(typeof PACKAGES)[number], string[]> = {
  "codec-wasm": ["index.js", "index.d.ts", "pkg/codec_bg.wasm", "pkg/codec.js"],
  core: [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/worker/main.js",
    "examples/tcp-echo.mjs",
    "examples/topologies/router.yaml",
    "topology.schema.json",
  ],
  cli: ["bin/neslink.cjs", "dist/bin.cjs"],
  http: ["bin/neslink-http.js", "dist/bin.js", "dist/index.js"],
};
/** Nothing a user does not need: sources of the TS packages, tests, fixtures, build caches. */
const FORBIDDEN = /(^|\/)(test|tests|fixtures|src|target|\.turbo|node_modules)\/|\.test\.|vitest\.config|tsconfig|Cargo\./;

interface Packed {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

const work = mkdtempSync(`${tmpdir()}/neslink-packed-`);
const packed = new Map<string, Packed>();

beforeAll(() => {
  for (const pkg of PACKAGES) {
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work, "-w", `packages/${pkg}`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const [info] = JSON.parse(out) as Packed[];
    packed.set(pkg, info as Packed);
  }
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm pack", () => {
  it.each(PACKAGES)("@neslink/%s ships its README, LICENSE, engines and build, and no tests or sources", (pkg) => {
    const info = packed.get(pkg) as Packed;
    const files = info.files.map((f) => f.path);
    for (const file of ["package.json", "README.md", "LICENSE", ...REQUIRED[pkg]]) expect(files).toContain(file);
    expect(files.filter((f) => FORBIDDEN.test(f))).toEqual([]);
    console.log(`${info.filename}: ${files.length} files, ${info.size} bytes packed, ${info.unpackedSize} unpacked`);
  });
});

describe("installed from the tarballs", () => {
  const app = `${work}/app`;
  beforeAll(() => {
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(`${app}/package.json`, JSON.stringify({ name: "app", private: true, type: "module" }));
    const tarballs = PACKAGES.map((pkg) => `${work}/${(packed.get(pkg) as Packed).filename}`);
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs], { cwd: app, encoding: "utf8" });
  }, 180_000);

  it("declares engines in every package.json", () => {
    for (const pkg of PACKAGES) {
      const manifest = JSON.parse(execFileSync("cat", [`${app}/node_modules/@neslink/${pkg}/package.json`], { encoding: "utf8" }));
      expect(manifest.engines?.node, pkg).toMatch(/^>=\d+/);
    }
  });

  it("runs the neslink bin and a script that imports core and its shipped example", () => {
    const version = spawnSync(`${app}/node_modules/.bin/neslink`, ["--version"], { encoding: "utf8" });
    expect(version).toMatchObject({ status: 0, stdout: "0.0.0\n" });
    const http = spawnSync(`${app}/node_modules/.bin/neslink-http`, ["--help"], { encoding: "utf8" });
    expect(http).toMatchObject({ status: 0, stdout: expect.stringContaining("Usage: neslink-http --token-file FILE") });

    writeFileSync(
      `${app}/links.mjs`,
      [
        'import { na, ns, nsDo } from "@neslink/core";',
        'const echo = "@neslink/core/examples/tcp-echo.mjs";',
        "const { results: [links, address] } = await nsDo(ns.create(), na.links(), na.custom(echo, 'listen', { host: '127.0.0.1', port: 0 }));",
        "console.log(JSON.stringify({ links: links.map((l) => l.name), port: address.port > 0 }));",
      ].join("\n"),
    );
    const run = spawnSync(process.execPath, [`${app}/links.mjs`], { cwd: app, encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ links: ["lo"], port: true });
  });
});
