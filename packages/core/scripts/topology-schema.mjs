// Writes topology.schema.json, the topology file format's JSON Schema, from
// the one definition in src/topology/schema.ts (as built in dist/). Editors
// and other tools read the file; core validates with the same object.
import { writeFileSync } from "node:fs";
import { schema } from "../dist/topology/index.js";

writeFileSync(new URL("../topology.schema.json", import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
