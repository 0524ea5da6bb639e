import { readFileSync } from "node:fs";

// Read at run time: package.json is outside rootDir, and this path holds from both src/ and dist/.
export const version: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
