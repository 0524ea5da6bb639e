// A custom action module: code that runs on a worker thread *inside* a
// network namespace. Sockets are bound to the namespace of the thread that
// creates them, so a server opened here listens in that namespace, and a
// client opened here connects from it.
//
//   import { nsDo, ns, na } from "@neslink/core";
//   const echo = new URL("./tcp-echo.mjs", import.meta.url).href;
//   await nsDo(ns.name("server"), na.custom(echo, "listen", { host: "10.0.0.1", port: 7000 }));
//   const { results: [reply] } =
//     await nsDo(ns.name("client"), na.custom(echo, "request", { host: "10.0.0.1", port: 7000, message: "hi" }));
import net from "node:net";

const servers = new Map();

/** Starts an echo server inside the namespace; it keeps running until `close` is called. */
export function listen({ host, port }) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.pipe(socket));
    server.once("error", reject);
    // listen() with an IP literal creates the socket synchronously, on this thread, in this namespace.
    server.listen(port, host, () => {
      const address = server.address();
      servers.set(`${address.address}:${address.port}`, server);
      resolve(address);
    });
  });
}

/** Stops a server started by `listen` on this worker. */
export function close({ host, port }) {
  const key = `${host}:${port}`;
  const server = servers.get(key);
  servers.delete(key);
  return new Promise((resolve) => (server ? server.close(() => resolve(true)) : resolve(false)));
}

/** Connects from inside the namespace, sends `message`, and returns what came back. */
export function request({ host, port, message }) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    // The connecting socket is created synchronously here, inside the namespace.
    const socket = net.connect({ host, port }, () => socket.end(message));
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("timed out")));
  });
}
