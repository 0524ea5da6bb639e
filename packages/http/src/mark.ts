/**
 * The mark a listening server holds (core's HTTP_SERVER_MARK, one file for
 * every HTTP server): a lab's lock its process takes is then known, by the
 * CLI user or program that meets it, to be an HTTP server's, named with
 * where it listens, rather than "another process". Held from the moment it
 * listens (before its first connection) until it closes (every connection
 * ended, so no request is left to hold a lock), and let go by the kernel
 * however the process ends.
 */
import type { Server } from "node:net";
import { HTTP_SERVER_MARK, markSelf } from "@neslink/core";

export function markWhileListening(server: Server): void {
  let release: (() => void) | undefined;
  server.on("listening", () => {
    release ??= markSelf(HTTP_SERVER_MARK);
  });
  server.on("close", () => {
    release?.();
    release = undefined;
  });
}
