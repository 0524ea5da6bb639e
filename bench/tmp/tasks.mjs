// CPU per task kind: T1 = 500 createNamed (+lo up), T2 = 500 tasks on existing namespaces (lo up + addr), T3 = delete
import { defaultPool, closeDefaultPool, la, lp, na, ns, nsDo } from "@neslink/core";
const N = 500, P = `tk${process.pid}`;
const cpu = async (f) => { const c = process.cpuUsage(); const t = performance.now(); await f(); const d = process.cpuUsage(c); return `${((d.user + d.system) / 1000).toFixed(0)}/${(performance.now() - t).toFixed(0)}`; };
await defaultPool().ready();
const r = Array.from({ length: N }, (_, i) => i);
const t1 = await cpu(() => Promise.all(r.map((i) => nsDo(ns.createNamed(`${P}${i}`), na.link(lp.name("lo"), la.up())))));
const t2 = await cpu(() => Promise.all(r.map((i) => nsDo(ns.name(`${P}${i}`), na.link(lp.name("lo"), la.addAddr(`10.1.${i >> 8}.${i & 255}/32`))))));
const t3 = await cpu(() => Promise.all(r.map((i) => nsDo(ns.name(`${P}${i}`), na.links()))));
const t4 = await cpu(() => nsDo(ns.now(), ...r.map((i) => na.deleteNamed(`${P}${i}`))));
console.log(`create ${t1} task ${t2} read ${t3} delete ${t4}  (cpu/wall ms)`);
await closeDefaultPool();
