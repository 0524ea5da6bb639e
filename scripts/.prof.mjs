import { closeDefaultPool, la, listNamed, lp, na, ns, nsDo } from "@neslink/core";
const n = 500, prefix = "bpz" + Math.random().toString(16).slice(2, 6);
const hub = `${prefix}hub`, nsName = (i) => `${prefix}n${i}`, range = Array.from({ length: n }, (_, i) => i + 1);
const off = [na.sysctl("net.ipv6.conf.all.disable_ipv6", 1)];
let t = performance.now();
const lap = (l) => { const x = performance.now(); console.log(l, (x - t).toFixed(1)); t = x; };
try {
  await nsDo(ns.createNamed(hub), ...off, na.link(lp.name("lo"), la.up()), na.link(lp.bridge("br0"), la.up())); lap("hub");
  await Promise.all(range.map((i) => nsDo(ns.createNamed(nsName(i)), ...off, na.link(lp.name("lo"), la.up())))); lap("ns");
  await nsDo(ns.name(hub), ...range.map((i) => na.link(lp.veth(`${prefix}v${i}`, { name: "eth0", ns: ns.name(nsName(i)) }, { master: lp.name("br0"), up: true })))); lap("veth");
  await Promise.all(range.map((i) => nsDo(ns.name(nsName(i)), na.link(lp.name("eth0"), la.addAddr(`10.200.${i >> 8}.${i & 255}/16`), la.up())))); lap("addr");
  await Promise.all([hub, ...range.map(nsName)].map((x) => nsDo(ns.name(x), na.links(), na.addrs()))); lap("inv");
} finally {
  await nsDo(ns.now(), ...listNamed().filter((x) => x.startsWith(prefix)).map((x) => na.deleteNamed(x))); lap("teardown");
  await closeDefaultPool();
}
