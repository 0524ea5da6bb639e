import { execFileSync } from "node:child_process";
import { lp, na, ns, nsDo, closeDefaultPool } from "@neslink/core";
const ip = (...a) => execFileSync("ip", a, { encoding: "utf8" });
const P = "s2t" + Math.random().toString(16).slice(2, 6);
const N = Number(process.argv[2] ?? 70);
ip("netns", "add", P + "s"); ip("netns", "add", P + "d");
ip("-n", P + "s", "link", "add", "pp", "type", "bridge");
const mk = (i, x) => na.link(lp.macvlan(`m${x}${i}`, lp.name("pp"), "bridge", { ns: ns.name(P + "d"), group: 9 }));
const settle = () => new Promise((r) => setTimeout(r, 300));
try {
  await nsDo(ns.name(P + "s"), na.links());
  for (let round = 0; round < 4; round++) {
    let u = process.cpuUsage();
    let t = performance.now();
    await nsDo(ns.name(P + "s"), ...Array.from({ length: N }, (_, i) => mk(i, "a")));
    const a = performance.now() - t;
    const ua = process.cpuUsage(u);
    ip("-n", P + "d", "link", "del", "group", "9"); await settle();
    u = process.cpuUsage();
    t = performance.now();
    for (let i = 0; i < N; i++) await nsDo(ns.name(P + "s"), mk(i, "b"));
    const b = performance.now() - t;
    const ub = process.cpuUsage(u);
    ip("-n", P + "d", "link", "del", "group", "9"); await settle();
    u = process.cpuUsage();
    t = performance.now();
    await Promise.all(Array.from({ length: N }, (_, i) => nsDo(ns.name(P + "s"), mk(i, "c"))));
    const c = performance.now() - t;
    const uc = process.cpuUsage(u);
    ip("-n", P + "d", "link", "del", "group", "9"); await settle();
    const f = (x) => `${((x.user) / 1000).toFixed(0)}u+${(x.system / 1000).toFixed(0)}s`;
    console.log(`batched ${a.toFixed(0)} (${f(ua)})  sequential ${b.toFixed(0)} (${f(ub)})  parallel ${c.toFixed(0)} (${f(uc)})`);
  }
} finally { ip("netns", "del", P + "s"); ip("netns", "del", P + "d"); await closeDefaultPool(); }
