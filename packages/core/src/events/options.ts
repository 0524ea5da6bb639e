/**
 * watch()'s options, read once into plain data before anything is opened or
 * started: a getter or a Proxy trap may throw, or answer differently a second
 * time, and a refusal after the listener thread started would leave it behind.
 */
import { ValidationError } from "../errors.js";
import { readError, record } from "../validate/shape.js";
import { boolean, integer } from "../validate/validate.js";
import { checkGroups } from "./targets.js";
import type { WatchGroup } from "./types.js";

const DEFAULT_RECEIVE_BUFFER = 8 << 20;
const DEFAULT_MAX_QUEUED = 100_000;

export interface CheckedWatchOptions {
  groups: WatchGroup[];
  listExisting: boolean;
  signal: AbortSignal | undefined;
  receiveBuffer: number;
  maxQueued: number;
}

export function watchOptions(options: unknown): CheckedWatchOptions {
  try {
    const r = record("options", options, ["groups", "listExisting", "signal", "receiveBuffer", "maxQueued"]);
    const { groups, listExisting, signal, receiveBuffer, maxQueued } = r;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ValidationError("options.signal", "must be an AbortSignal");
    return {
      groups: checkGroups(groups),
      listExisting: listExisting === undefined ? false : boolean("options.listExisting", listExisting),
      signal,
      receiveBuffer: integer("options.receiveBuffer", receiveBuffer ?? DEFAULT_RECEIVE_BUFFER, 4096, 1 << 30),
      maxQueued: integer("options.maxQueued", maxQueued ?? DEFAULT_MAX_QUEUED, 1024, 100_000_000),
    };
  } catch (err) {
    // neslink's own refusals as they are; what a getter or trap threw, as a refusal of options.
    throw readError("options", err);
  }
}
