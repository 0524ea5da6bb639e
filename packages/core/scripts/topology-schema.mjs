// Writes topology.schema.json, the topology file format's JSON Schema, from
// the one definition in src/topology/schema.ts (as built in dist/). Core
// validates files with this JSON file; editors and other tools read it too.
import { writeFileSync } from "node:fs";
import { TopologyFileSchema } from "../dist/topology/schema.js";

writeFileSync(new URL("../topology.schema.json", import.meta.url), `${JSON.stringify(TopologyFileSchema, null, 2)}\n`);
