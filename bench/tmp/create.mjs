import { defaultPool, closeDefaultPool, la, lp, na, ns, nsDo } from "@neslink/core";
const N = 500, P = `tc${process.pid}`;
await defaultPool().ready();
const r = Array.from({ length: N }, (_, i) => i);
await Promise.all(r.map((i) => nsDo(ns.createNamed(`${P}${i}`), na.link(lp.name("lo"), la.up()))));
await nsDo(ns.now(), ...r.map((i) => na.deleteNamed(`${P}${i}`)));
await closeDefaultPool();
