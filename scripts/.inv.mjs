import { closeDefaultPool, defaultPool, la, listNamed, lp, na, ns, nsDo } from "@neslink/core";
const n = 500, prefix = "bpz" + Math.random().toString(16).slice(2, 6);
const hub = `${prefix}hub`, nsName = (i) => `${prefix}n${i}`, range = Array.from({ length: n }, (_, i) => i + 1);
try {
  await nsDo(ns.createNamed(hub), na.link(lp.bridge("br0"), la.up()));
  await Promise.all(range.map((i) => nsDo(ns.createNamed(nsName(i)), na.sysctl("net.ipv6.conf.all.disable_ipv6", 1))));
  await nsDo(ns.name(hub), ...range.map((i) => na.link(lp.veth(`${prefix}v${i}`, { name: "eth0", ns: ns.name(nsName(i)) }, { master: lp.name("br0"), up: true }))));
  await Promise.all(range.map((i) => nsDo(ns.name(nsName(i)), na.link(lp.name("eth0"), la.addAddr(`10.200.${i >> 8}.${i & 255}/16`), la.up()))));
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await Promise.all([hub, ...range.map(nsName)].map((x) => nsDo(ns.name(x), na.links(), na.addrs())));
    console.log("inv", (performance.now() - t).toFixed(1));
  }
  let t = performance.now();
  await nsDo(ns.name(hub), na.links(), na.addrs()); console.log("hub only", (performance.now() - t).toFixed(1));
  t = performance.now();
  await Promise.all(range.map(nsName).map((x) => nsDo(ns.name(x)))); console.log("empty x500", (performance.now() - t).toFixed(1));
} finally {
  await nsDo(ns.now(), ...listNamed().filter((x) => x.startsWith(prefix)).map((x) => na.deleteNamed(x)));
  await closeDefaultPool();
}
