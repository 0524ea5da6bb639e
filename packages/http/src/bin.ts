#!/usr/bin/env node
/** neslink-http: serve the API until SIGINT or SIGTERM. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { defaultPool, toErrorJSON, ValidationError } from "@neslink/core";
import { createServer, listen } from "./server.js";

const USAGE = `Usage: neslink-http --token-file FILE [--host HOST] [--port PORT] [--socket PATH] [--allow-exec]

Serves the neslink HTTP API (OpenAPI document at GET /v1/openapi.json).

Options:
  --token-file FILE  read the bearer token from FILE (else from $NESLINK_HTTP_TOKEN)
  --host HOST        address to listen on (default 127.0.0.1)
  --port PORT        TCP port (default 7470; 0 picks a free one)
  --socket PATH      listen on a unix socket (mode 0600) instead of TCP
  --allow-exec       enable POST /v1/namespaces/{name}/exec (runs programs as this user)
  -h, --help         show this help
`;

function options() {
  try {
    return parseArgs({
      options: {
        "token-file": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        socket: { type: "string" },
        "allow-exec": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new ValidationError("argv", (err as Error).message);
  }
}

function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) throw new ValidationError("--port", `must be an integer from 0 to 65535, got "${text}"`);
  return value;
}

function token(file: string | undefined): string {
  const value = file !== undefined ? readFileSync(file, "utf8").trim() : process.env.NESLINK_HTTP_TOKEN;
  if (!value) throw new ValidationError("--token-file", "a token is required: give --token-file FILE or set NESLINK_HTTP_TOKEN");
  return value;
}

async function main(): Promise<void> {
  const values = options();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.socket !== undefined && (values.host !== undefined || values.port !== undefined)) {
    throw new ValidationError("--socket", "cannot be combined with --host or --port");
  }
  const server = createServer({ token: token(values["token-file"]), allowExec: values["allow-exec"] ?? false });
  const where = await listen(server, { host: values.host, port: port(values.port), socket: values.socket });
  process.stderr.write(`neslink-http listening on ${where}${values["allow-exec"] ? " (exec allowed)" : ""}\n`);

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void defaultPool().close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  const error = toErrorJSON(err);
  process.stderr.write(`neslink-http: ${error.code}: ${error.message}\n`);
  if (error.code === "ERR_INVALID_ARGUMENT") process.stderr.write(USAGE);
  process.exitCode = error.code === "ERR_INVALID_ARGUMENT" ? 2 : 1;
});
