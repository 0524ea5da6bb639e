/**
 * What a client's FIN means. A client may half-close its socket once its
 * request is sent (shutdown(SHUT_WR): `nc -N`, some curl uses) and still read
 * the answer; but a client that has gone away entirely (killed, closed) sends
 * the same FIN, and the two look alike until the server writes to it. Most
 * requests end by themselves and are answered, so for them the FIN means
 * "no more requests" (the server is made half-open, server.ts). A program
 * run by exec may never end by itself: there the FIN means gone, and the
 * program is hung up on, so that no client that went away leaves its
 * program running inside a namespace.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Calls `hangUp` when the client's side of the connection ends before the response to `req` is done. */
export function hangUpAtClientEnd(req: IncomingMessage, res: ServerResponse, hangUp: () => void): void {
  const { socket } = req;
  if (socket.readableEnded) {
    hangUp();
    return;
  }
  socket.once("end", hangUp);
  // The connection may carry later requests (keep-alive): this one's listener goes with its response.
  res.once("close", () => socket.off("end", hangUp));
}
