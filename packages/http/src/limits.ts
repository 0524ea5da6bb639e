/**
 * How many connections the server holds and how long each may take: the
 * defaults, and checking values a caller gives. An exposed root API must
 * bound both, or idle clients hold it.
 */
import { openFileLimit, ValidationError } from "@neslink/core";

export interface Limits {
  /**
   * Open connections at most (default 256, or a quarter of the open-file
   * limit if that is lower). At the cap the oldest connection with no request
   * in progress is closed to admit a new one; if every one is busy, the new
   * one gets 503.
   */
  maxConnections: number;
  /** A request's headers must arrive within this (default 10 s; else 408). A new connection that sends nothing is closed after it too. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (default 30 s; else 408). */
  requestTimeoutMs: number;
  /** A keep-alive connection idle this long is closed (default 5 s; Node adds up to 1 s). */
  keepAliveTimeoutMs: number;
  /** How long `drain()` waits by default (10 s). */
  drainTimeoutMs: number;
}

export const DEFAULT_MAX_CONNECTIONS = 256;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 86_400_000;

/**
 * Connections past the descriptor limit are not refused by the server but
 * dropped by libuv, before the cap could make room for them: stay at a
 * quarter of the limit, leaving the rest to the pool's sockets.
 */
export function defaultMaxConnections(): number {
  return Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, Math.floor(openFileLimit() / 4)));
}

/** `value` if it is an integer from `min` to `max`, `fallback` if not given; a ValidationError names `field` otherwise. */
export function whole(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The limits to use: the given ones checked, the rest defaulted. An error
 * names the field as `label` spells it (the CLI names its flags).
 */
export function limits(given: Partial<Limits>, label: (field: keyof Limits) => string = (field) => field): Limits {
  const timeout = (field: keyof Limits, fallback: number) => whole(label(field), given[field], fallback, 1, MAX_TIMEOUT_MS);
  const requestTimeoutMs = timeout("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS);
  const chosen: Limits = {
    maxConnections: whole(label("maxConnections"), given.maxConnections, defaultMaxConnections(), 1, 65_536),
    // Headers are part of the request (Node refuses a longer headers timeout): a short request timeout shortens the default.
    headersTimeoutMs: timeout("headersTimeoutMs", Math.min(DEFAULT_HEADERS_TIMEOUT_MS, requestTimeoutMs)),
    requestTimeoutMs,
    keepAliveTimeoutMs: timeout("keepAliveTimeoutMs", DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
    drainTimeoutMs: timeout("drainTimeoutMs", DEFAULT_DRAIN_TIMEOUT_MS),
  };
  if (chosen.headersTimeoutMs > requestTimeoutMs) {
    throw new ValidationError(
      label("headersTimeoutMs"),
      `must not exceed the request timeout (${chosen.headersTimeoutMs} ms > ${requestTimeoutMs} ms): headers are part of the request`,
    );
  }
  return chosen;
}
