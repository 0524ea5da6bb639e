import { closeDefaultPool, na, ns, nsDo, defaultPool } from "@neslink/core";
import { execFileSync } from "node:child_process";
const name = "bpzmicro"; execFileSync("ip", ["netns", "add", name]);
try {
  await defaultPool().ready();
  const time = async (label, fn, n = 2000) => { const t = performance.now(); for (let i = 0; i < n; i++) await fn(); console.log(label, ((performance.now() - t) / n * 1000).toFixed(1), "us/op"); };
  await time("empty nsDo", () => nsDo(ns.name(name)));
  await time("links", () => nsDo(ns.name(name), na.links()));
  await time("links+addrs", () => nsDo(ns.name(name), na.links(), na.addrs()));
  const t = performance.now(); await Promise.all(Array.from({ length: 2000 }, () => nsDo(ns.name(name), na.links(), na.addrs()))); console.log("parallel links+addrs", ((performance.now() - t) / 2000 * 1000).toFixed(1), "us/op");
} finally { execFileSync("ip", ["netns", "del", name]); await closeDefaultPool(); }
