import { Worker } from "node:worker_threads";
import { readFileSync, readdirSync } from "node:fs";
const W = Number(process.argv[2]);
const src = `
  const { parentPort } = require("node:worker_threads");
  import("@neslink/codec-wasm").then(({ decodeMessages, encodeRequests }) => {
    const bytes = require("node:fs").readFileSync("/tmp/nb3/dump.bin");
    for (let i = 0; i < 3000; i++) { decodeMessages(bytes); encodeRequests([{ type: "getLinkDump", extMask: 1, seq: i }]); }
    parentPort.postMessage("done");
  });`;
const cpu = () => { let o = 0; for (const t of readdirSync("/proc/self/task")) { const st = readFileSync(`/proc/self/task/${t}/stat`, "utf8"); const f = st.slice(st.lastIndexOf(")") + 2).split(" "); o += +f[11] + +f[12]; } return o * 10; };
const t0 = performance.now();
await Promise.all(Array.from({ length: W }, () => new Promise((r) => { const w = new Worker(src, { eval: true }); w.on("message", () => { r(); }); })));
console.log(`${W} workers: ${(performance.now() - t0).toFixed(0)} ms wall, process cpu ${cpu()} ms`);
process.exit(0);
