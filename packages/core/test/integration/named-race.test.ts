// Creators racing for the same names, some of them stale entries a killed
// process left: each name gets exactly one namespace mounted, exactly one
// creator succeeds, the others get ERR_NS_EXISTS. Both ways of creating: a
// pool worker unsharing itself, and addNamed's brief unshare of the calling
// thread. Then deleters racing for the same names, both ways: every name
// goes, exactly one delete succeeds, and a delete that another beat finds it
// missing (ERR_NS_NOT_FOUND), never a raw errno of the step it was at nor a
// success of its own. In a private mount dir.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closeDefaultPool, na, ns, nsDo } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { endGroup, FAIL_AFTER_MS, uniquePrefix } from "./kernel.js";
import { mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("nr");
const dir = privateMountDir(prefix);
const CREATORS = 3;
const WAYS = [
  { way: "worker", count: 60 },
  { way: "here", count: 20 },
];
const SCRIPT = fileURLToPath(new URL("../fixtures/named-race.mjs", import.meta.url));

afterAll(async () => {
  await closeDefaultPool();
  removeMountDir(dir);
});

/** The dir made and prepared as neslink makes it (a test run alone comes first). */
const prepareDir = () => nsDo(ns.now(), na.createNamed(`${prefix}setup`, dir), na.deleteNamed(`${prefix}setup`, dir));

interface Outcome {
  created: string[];
  failed: Record<string, string>;
}

function creator(
  way: string,
  names: string,
  count: number,
): { ready: Promise<void>; go: () => void; start: () => void; done: Promise<Outcome> } {
  const child = spawn(process.execPath, [SCRIPT, dir, names, String(count), way], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  const ready = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  const done = new Promise<Outcome>((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.split("\n")[1] as string)) : reject(new Error(`creator exited ${code}`)),
    ),
  );
  // go: the line, and the end of its input; start: the line alone (a prune goes on until its input ends).
  return { ready, go: () => child.stdin.end("go\n"), start: () => child.stdin.write("go\n"), done };
}

/** `count` names under `own`, every other one given a stale entry (an empty file, as a creator killed early leaves it). */
function halfStale(own: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `${own}${i}`);
  for (const name of names.filter((_, i) => i % 2 === 0)) writeFileSync(`${dir}/${name}`, "", { mode: 0o444 });
  return names;
}

/** Each name made by one creator, refused to the others, and one namespace mounted on it: none stacked on another's. */
function expectEachMadeOnce(own: string, names: readonly string[], outcomes: readonly Outcome[]): void {
  for (const name of names) {
    const winners = outcomes.filter((o) => o.created.includes(name)).length;
    const losers = outcomes.map((o) => o.failed[name]).filter((code) => code !== undefined);
    expect({ name, winners, losers }).toEqual({ name, winners: 1, losers: Array(CREATORS - 1).fill("ERR_NS_EXISTS") });
  }
  const mounts = mountsUnder(dir).filter((m) => m.point.startsWith(`${dir}/${own}`));
  expect(mounts.map((m) => m.point).sort()).toEqual(names.map((n) => `${dir}/${n}`).sort());
  expect(new Set(mounts.map((m) => m.fstype))).toEqual(new Set(["nsfs"]));
}

it.each(WAYS)(
  `${CREATORS} processes ($way) creating the same $count names, half of them stale entries: one namespace and one winner per name`,
  async ({ way, count }) => {
    // The dir exists and is prepared as neslink makes it; then every other name gets a stale entry.
    await prepareDir();
    const own = `${prefix}${way}`;
    const names = halfStale(own, count);

    const creators = Array.from({ length: CREATORS }, () => creator(way, own, count));
    await Promise.all(creators.map((c) => c.ready));
    for (const c of creators) c.go();
    expectEachMadeOnce(own, names, await Promise.all(creators.map((c) => c.done)));
  },
);

// A creator's entry is, until its namespace is mounted on it, an empty file as a creator killed at that point leaves it:
// what a prune removes. Prunes in a loop while creators make the same names never remove a namespace once made, nor
// leave a creator that says it made one without it; the entries they take from a creator before it locks them, it
// makes again.
it(`prunes in a loop while ${CREATORS} processes create the same 60 names, half of them stale entries: every name made once and kept`, async () => {
  await prepareDir();
  const own = `${prefix}prune`;
  const names = halfStale(own, 60);
  const pruners = Array.from({ length: 2 }, () => creator("prune", own, 0));
  const creators = Array.from({ length: CREATORS }, () => creator("worker", own, names.length));
  await Promise.all([...pruners, ...creators].map((c) => c.ready));
  for (const p of pruners) p.start();
  for (const c of creators) c.go();
  const outcomes = await Promise.all(creators.map((c) => c.done));
  for (const p of pruners) p.go();
  await Promise.all(pruners.map((p) => p.done));

  expectEachMadeOnce(own, names, outcomes);
  expect(
    readdirSync(dir)
      .filter((e) => e.startsWith(own))
      .sort(),
  ).toEqual([...names].sort());
});

const DELETE_WAYS = [
  { way: "delete", from: "their calling thread" },
  { way: "delete-worker", from: "pool workers" },
];

it.each(DELETE_WAYS)(
  `${CREATORS} processes deleting the same 120 names from $from: one delete per name, the others ERR_NS_NOT_FOUND`,
  async ({ way }) => {
    const own = `${prefix}${way}`;
    // Many names: each loser meets the winner's unmount or unlink at a different point.
    const names = Array.from({ length: 120 }, (_, i) => `${own}${i}`);
    await nsDo(ns.now(), ...names.map((n) => na.createNamed(n, dir)));
    const deleters = Array.from({ length: CREATORS }, () => creator(way, own, names.length));
    await Promise.all(deleters.map((c) => c.ready));
    for (const c of deleters) c.go();
    const outcomes = await Promise.all(deleters.map((c) => c.done));
    for (const name of names) {
      // A delete that finds the namespace gone meanwhile (unmounted or unlinked by another) lost: it did not delete it.
      const winners = outcomes.filter((o) => o.created.includes(name)).length;
      const losers = outcomes.map((o) => o.failed[name]).filter((code) => code !== undefined);
      expect({ name, winners, losers }).toEqual({ name, winners: 1, losers: Array(CREATORS - 1).fill("ERR_NS_NOT_FOUND") });
    }
    expect(mountsUnder(dir).filter((m) => m.point.startsWith(`${dir}/${own}`))).toEqual([]);
    expect(readdirSync(dir).filter((e) => e.startsWith(own))).toEqual([]);
  },
);

it("a delete gives up on an entry whose lock another process keeps (EBUSY, naming it), rather than blocking its thread", async () => {
  const name = `${prefix}held`;
  await prepareDir();
  writeFileSync(`${dir}/${name}`, "", { mode: 0o444 });
  // util-linux's flock keeps the entry locked as a create or a delete does for one step, but for a minute.
  // Its own process group: the kill reaches flock's sleep too, which holds the lock as well.
  const holder = spawn("flock", [`${dir}/${name}`, "sleep", "60"], { stdio: "ignore", detached: true });
  try {
    // Until it holds the lock, however long its start takes (1.7 s was seen on a loaded 2-core machine): the delete
    // would otherwise find the entry free and remove it.
    while (spawnSync("flock", ["-n", `${dir}/${name}`, "true"]).status === 0) await new Promise((r) => setTimeout(r, 10));
    await expect(nsDo(ns.now(), na.deleteNamed(name, dir))).rejects.toMatchObject({
      code: "EBUSY",
      message: expect.stringContaining(`locked by pid ${holder.pid}`),
    });
    // Left as it was: the holder's.
    expect(existsSync(`${dir}/${name}`)).toBe(true);
  } finally {
    await endGroup(holder, "SIGTERM");
  }
}, 30_000);

// A prune (or anyone removing a stale entry) can come between a guarded delete's unmount and its unlink: it finds the
// entry empty and unmounted, as a crash leaves it. The delete, a lab's destroy, did delete the namespace, and says so.
it("a guarded delete whose entry is removed between its unmount and its unlink (a prune) deleted it, and says so", async () => {
  const name = `${prefix}pruned`;
  const path = `${dir}/${name}`;
  await prepareDir();
  writeFileSync(path, "", { mode: 0o444 });
  // Opened before the namespace is mounted on it: the entry's own file, which the delete finds once it has unmounted.
  const holder = spawn("sh", ["-c", 'exec 9<"$0"; echo opened; read go; flock 9; echo locked; exec sleep 60', path], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  const said = (line: string) =>
    new Promise((resolve) => holder.stdout.on("data", (chunk) => chunk.toString().includes(line) && resolve(line)));
  try {
    await said("opened");
    await nsDo(ns.now(), na.createNamed(name, dir));
    execFileSync("nsenter", [`--net=${path}`, "ip", "link", "set", "lo", "alias", `${prefix}:node`]);
    // Locked as a prune locks it: the delete, unmounted, waits for the lock before its unlink.
    const locked = said("locked");
    holder.stdin.write("go\n");
    await locked;
    const deleting = nsDo(ns.now(), na.deleteNamed(name, dir, { loAliasPrefix: `${prefix}:` }));
    for (const end = Date.now() + FAIL_AFTER_MS; mountsUnder(path).length > 0 && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 10));
    expect(mountsUnder(path)).toEqual([]);
    unlinkSync(path);
    holder.kill();
    const { results } = await deleting;
    expect(results[0]).toMatchObject({ name, path, loAlias: `${prefix}:node` });
    expect(existsSync(path)).toBe(false);
  } finally {
    holder.kill();
  }
}, 30_000);
