// Preloaded (node --import) into the built bin by tests that bound what a command costs: writes, as it exits, the
// process's peak memory (maxRSS, kB) and its CPU time (µs) on stderr, as the last line.
import { writeSync } from "node:fs";

process.on("exit", () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  writeSync(2, `probe: ${JSON.stringify({ maxRSS, cpuTime: userCPUTime + systemCPUTime })}\n`);
});
