const { Pool } = await import("../core/dist/pool/pool.js");
if (process.argv[2] === "start") { const p = new Pool({ size: 1 }); await p.ready(); await p.close(); }
