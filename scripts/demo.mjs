// The README's demo: create a named namespace, list its links through the
// codec, remove it. Uses the built @neslink/core, as a user would.
import { closeDefaultPool, na, ns, nsDo } from "@neslink/core";

const name = `neslink-demo-${process.pid}`;
try {
  const { results: [links] } = await nsDo(ns.createNamed(name), na.links());
  console.log(`created namespace "${name}"; its links, decoded by the wasm codec:`);
  console.log(JSON.stringify(links, null, 2));
} finally {
  await nsDo(ns.now(), na.deleteNamed(name)).catch((err) => console.error(err.message));
  console.log(`removed namespace "${name}"`);
  await closeDefaultPool();
}
