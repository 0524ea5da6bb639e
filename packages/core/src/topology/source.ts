/**
 * Reading a topology from a file or from text: YAML (JSON is YAML too), with
 * the position of every value kept, so a problem found later can name its
 * line and column. Files are checked before they are read: a FIFO or a device
 * would block or never end, and a huge file is not a topology.
 */
import { isUtf8 } from "node:buffer";
import type { Node } from "yaml";
import { readRegularFile } from "../files/regular.js";
import { type Path, TopologyError } from "./problems.js";
import {
  ambiguities,
  composeDocument,
  inlineAliases,
  isAliasKeyError,
  MAX_DEPTH,
  MAX_TOKENS,
  MAX_TOPOLOGY_BYTES,
  yamlLib,
} from "./yaml-doc.js";

export { MAX_TOPOLOGY_BYTES };

export interface Source {
  /** The parsed value (undefined when the text does not parse). */
  value: unknown;
  /** Syntax errors, with their positions; those of a value (a key given twice), with its path. */
  syntaxErrors: { message: string; line: number; column: number; path?: Path }[];
  /** Values read but refused where they are (a number with a leading 0): the file's other mistakes are still looked for. */
  valueErrors: { message: string; line: number; column: number; path: Path }[];
  /** Line and column of the value at `path`, or of its nearest ancestor that exists. */
  locate(path: Path): { line: number; column: number } | undefined;
}

/**
 * Reads a regular file, refusing anything that is not one (without blocking on a FIFO) or is too large
 * (ValidationErrors); text that is not UTF-8 is a TopologyError at its line. A relative `path` is taken
 * from `cwd` when given; messages name `path` as given.
 */
export function readTopologyFile(path: string, cwd?: string): string {
  // A pipe (`neslink plan <(gen-lab)`) is read until its writer is done: a generator may take a while.
  return utf8Text(
    readRegularFile("file", path, { maxBytes: MAX_TOPOLOGY_BYTES, pipeWaitMs: 60_000, ...(cwd !== undefined && { cwd }) }),
    path,
  );
}

/**
 * A file's bytes as text, or a TopologyError at the first line that is not
 * UTF-8 (a file saved as Latin-1 or UTF-16 is a mistake in the file, with a
 * line to look at, like any other).
 */
export function utf8Text(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // A newline is never part of a multi-byte character: the lines can be checked one by one.
    let line = 1;
    let start = 0;
    for (let end = bytes.indexOf(0x0a); end !== -1 && isUtf8(bytes.subarray(start, end)); end = bytes.indexOf(0x0a, start)) {
      start = end + 1;
      line++;
    }
    const end = bytes.indexOf(0x0a, start);
    const text = new TextDecoder("utf-8").decode(bytes.subarray(start, end === -1 ? bytes.length : end));
    // UTF-16's byte order marks: what an editor on Windows may save.
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const message = `${utf16 ? "is UTF-16 text" : "is not UTF-8 text (binary, or saved as Latin-1?)"}: save it as UTF-8`;
    throw new TopologyError([{ path: "", message, line, column: text.indexOf("\uFFFD") + 1 }], path);
  }
}

/** The node at `path` in the document, or its nearest ancestor that exists; and its key, where it is a map's value. */
function nodeAt(root: Node | null, path: Path): { node: Node | null; key?: Node } {
  const { isMap, isScalar, isSeq } = yamlLib();
  let node = root;
  let key: Node | undefined;
  for (const step of path) {
    let next: unknown;
    key = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      next = pair?.value;
      key = pair?.key as Node | undefined;
    } else if (isSeq(node) && typeof step === "number") next = node.items[step];
    if (!next || typeof next !== "object") break;
    node = next as Node;
  }
  return { node, ...(key && { key }) };
}

/** Parses YAML or JSON text, keeping positions. */
export function parseSource(text: string): Source {
  const { LineCounter } = yamlLib();
  const lineCounter = new LineCounter();
  const { doc, problems } = composeDocument(text, lineCounter);
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxErrors: Source["syntaxErrors"] = problems.map(({ message, offset, path }) => ({
    message,
    ...position(offset),
    ...(path && { path }),
  }));
  // Warnings too: a tag the loader does not know (`!!python/object`, `!custom`) would be dropped, its value read as untagged.
  for (const e of [...(doc?.errors ?? []), ...(doc?.warnings ?? [])])
    if (!isAliasKeyError(text, e)) syntaxErrors.push({ message: e.message.split("\n")[0] as string, ...position(e.pos[0]) });
  const valueErrors: Source["valueErrors"] = [];
  if (doc && syntaxErrors.length === 0)
    for (const { message, offset, path, valueOnly } of ambiguities(doc, lineCounter))
      if (valueOnly && path) valueErrors.push({ message, ...position(offset), path });
      else syntaxErrors.push({ message, ...position(offset), ...(path && { path }) });
  const aliases = doc && syntaxErrors.length === 0 ? inlineAliases(doc) : undefined;
  if (aliases) syntaxErrors.push({ message: aliases.message, ...position(aliases.offset) });
  let value: unknown;
  if (doc && syntaxErrors.length === 0) {
    try {
      // No alias is left (inlineAliases put each one's anchor in its place, having bounded what they stand for). The
      // yaml package's own count (off: -1) refused mere thousands of aliases of one anchor, at no place.
      value = doc.toJS({ maxAliasCount: -1 });
    } catch (err) {
      syntaxErrors.push({ message: (err as Error).message.split("\n")[0] as string, line: 1, column: 1 });
    }
  }
  const locate = (path: Path) => {
    const { node, key } = nodeAt((doc?.contents ?? null) as Node | null, path);
    const value = node?.range ? position(node.range[0]) : undefined;
    // A block under its key starts lines below it: the key is where the field is (a misspelt one is found there).
    const field = key?.range ? position(key.range[0]) : undefined;
    return field && (value === undefined || value.line !== field.line) ? field : value;
  };
  const odd = syntaxErrors.length === 0 ? plainData(value, false) : undefined;
  if (odd !== undefined && "message" in odd)
    syntaxErrors.push({
      message: odd.message,
      ...(locate(odd.path) ?? { line: 1, column: 1 }),
      ...(odd.path.length > 0 && { path: odd.path }),
    });
  return { value: syntaxErrors.length > 0 ? undefined : value, syntaxErrors, valueErrors, locate };
}

/** Where a value stops being plain JSON data, and why. */
export interface NotPlain {
  path: Path;
  message: string;
}

/** A value being walked: where it sits (its parent and key, for a path only made when one is needed) and, when copying, where it goes. */
interface Step {
  value: unknown;
  depth: number;
  parent: Step | undefined;
  key: string | number;
  into: Record<string, unknown> | unknown[] | undefined;
}

function pathOf(step: Step): Path {
  const path: (string | number)[] = [];
  for (let s: Step | undefined = step; s?.parent !== undefined; s = s.parent) path.push(s.key);
  return path.reverse();
}

const PLAIN = "a topology holds strings, numbers, booleans, null, lists and maps";

/** Why a value that is not an object is not JSON data, or undefined when it is. */
function notPlainScalar(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? undefined : `is ${v} (.nan or .inf in YAML): a number here is finite`;
  if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") return `a ${typeof v} value: ${PLAIN}`;
  return v === undefined ? `is undefined: ${PLAIN}` : undefined;
}

/**
 * Where a value is not plain JSON data (YAML's !!set, !!omap, !!binary and
 * timestamps become a Set, a Map, bytes or a Date, which the schema would
 * read as empty objects; .nan and .inf, numbers no field takes; from code, a
 * function, a BigInt, a getter or Proxy trap that throws), or, when it is,
 * the value: with `copy`, a copy made of what was read once, with a field set
 * to undefined left out (as JSON leaves it out), so that the checks and the
 * work after see what was checked. Walked without recursion.
 */
export function plainData(value: unknown, copy: boolean): { value: unknown } | NotPlain {
  const root: Step = { value, depth: 0, parent: undefined, key: "", into: undefined };
  let made: unknown = value;
  const stack: Step[] = [root];
  // Counted as the checks after this one will see them, each alias (*name) as a copy of its anchor's value: YAML
  // shares it, so a small file can stand for billions (100 nodes naming one 60,000-command exec list were still loading after 20 s).
  let values = 1;
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const { value: v, depth, into } = step;
    let out: unknown = v;
    if (v === null || typeof v !== "object") {
      const why = notPlainScalar(v);
      if (why !== undefined) return { path: pathOf(step), message: why };
    } else {
      if (depth > MAX_DEPTH) return { path: [], message: `nested deeper than ${MAX_DEPTH} levels` };
      let keys: string[] | undefined;
      let proto: unknown;
      try {
        // Keys read once: a Proxy's ownKeys trap runs here, and each getter below once.
        proto = Object.getPrototypeOf(v);
        keys = Array.isArray(v) ? undefined : Object.keys(v);
      } catch (err) {
        return { path: pathOf(step), message: `could not be read: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (!Array.isArray(v) && proto !== Object.prototype && proto !== null)
        return {
          path: pathOf(step),
          message: `a ${(v as object).constructor?.name ?? "non-plain"} value (YAML !!set, !!omap, !!binary or a timestamp): use plain mappings, sequences and strings`,
        };
      const length = keys === undefined ? (v as unknown[]).length : keys.length;
      values += length;
      if (values > MAX_TOKENS)
        return { path: [], message: `more than ${MAX_TOKENS} values once its aliases (*name) are expanded: too large for a topology` };
      const container: Record<string, unknown> | unknown[] | undefined = copy ? (keys === undefined ? new Array(length) : {}) : undefined;
      out = container;
      // Last first: popped in order, so that the copy's fields are in the value's order.
      for (let i = length - 1; i >= 0; i--) {
        const key = keys === undefined ? i : (keys[i] as string);
        let item: unknown;
        try {
          item = (v as Record<string | number, unknown>)[key];
        } catch (err) {
          return { path: [...pathOf(step), key], message: `could not be read: ${err instanceof Error ? err.message : String(err)}` };
        }
        // A field set to undefined is one not given; a list's item is a value.
        if (item === undefined && keys !== undefined) continue;
        stack.push({ value: item, depth: depth + 1, parent: step, key, into: container });
      }
    }
    if (!copy) continue;
    if (into === undefined) made = out;
    // Defined, not assigned: a key "__proto__" (a node or sysctl so named) would otherwise set the copy's prototype.
    else if (Array.isArray(into)) into[step.key as number] = out;
    else Object.defineProperty(into, step.key, { value: out, enumerable: true, writable: true, configurable: true });
  }
  return { value: copy ? made : value };
}
