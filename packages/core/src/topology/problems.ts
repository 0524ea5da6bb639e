/**
 * What is wrong with a topology file: every problem found, each with the
 * path of the value at fault (`links[3].endpoints[1].interface`) and, when
 * the file's text is known, its line and column. One file with many mistakes
 * reports all of them.
 */
import { boundedMessage, NeslinkError, SHOWN_CHARS, shown, ValidationError } from "../errors.js";

/** A path into the parsed file: object keys and array indexes. */
export type Path = readonly (string | number)[];

export interface Problem {
  /** Where, as `nodes.r1.routes[0].via`. */
  path: string;
  message: string;
  /** 1-based, when the problem comes from a file or text. */
  line?: number;
  column?: number;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `["links", 3, "endpoints"]` as `links[3].endpoints`; keys that are not plain words are quoted:
 * `sysctls["net.ipv4.ip_forward"]`, and long ones cut as shown() cuts a value.
 */
export function formatPath(path: Path): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (part.length <= SHOWN_CHARS && PLAIN_KEY.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${shown(part)}]`;
  }
  return out;
}

/** Collects problems as a file is checked; `locate` adds line and column when the text is known. */
export class Problems {
  readonly list: Problem[] = [];
  readonly #locate: (path: Path) => { line: number; column: number } | undefined;

  constructor(locate: (path: Path) => { line: number; column: number } | undefined = () => undefined) {
    this.#locate = locate;
  }

  add(path: Path, message: string): void {
    this.list.push({ path: formatPath(path), message, ...this.#locate(path) });
  }

  /** Runs a check that throws a ValidationError and records its message at `path`; returns the check's value, or undefined. */
  check<T>(path: Path, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      // The validator names its own field first ("name: ..."): the path says where instead.
      this.add(path, err.reason);
      return undefined;
    }
  }
}

/** Problems in the order of the file (by line, then column); those with no place in it (no text known) keep theirs, after. */
const inFileOrder = (problems: readonly Problem[]) =>
  [...problems].sort(
    (a, b) => (a.line ?? Number.POSITIVE_INFINITY) - (b.line ?? Number.POSITIVE_INFINITY) || (a.column ?? 0) - (b.column ?? 0),
  );

/** A topology that cannot be used as written; `problems` lists every mistake found, in the file's order. */
export class TopologyError extends NeslinkError {
  readonly problems: Problem[];
  readonly source: string | undefined;

  constructor(found: Problem[], source?: string) {
    const problems = inFileOrder(found).map((p) => ({ ...p, path: boundedMessage(p.path), message: boundedMessage(p.message) }));
    const where = (p: Problem) => `${source ?? "topology"}${p.line !== undefined ? `:${p.line}:${p.column}` : ""}`;
    const lines = problems.map((p) => `  ${where(p)}: ${p.path || "(file)"}: ${p.message}`);
    super(
      "ERR_TOPOLOGY_INVALID",
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${source ?? "the topology"}:\n${lines.join("\n")}`,
    );
    this.problems = problems;
    this.source = source;
  }

  override toJSON() {
    return { ...super.toJSON(), problems: this.problems, ...(this.source !== undefined && { source: this.source }) };
  }
}
