/** Servers a test file starts in its own process, and their end. */
import type { Server } from "node:http";
import { defaultPool } from "@neslink/core";
import { cleanup } from "../../../core/test/integration/kernel.js";

/** Closes `servers` (dropping their connections), the pool they used, and everything named with `prefix`. */
export async function endAll(servers: readonly Server[], prefix: string): Promise<void> {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await defaultPool().close();
  cleanup(prefix);
}
