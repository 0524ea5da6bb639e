/**
 * topology.load: a file, YAML/JSON text, or an already parsed object to a
 * validated Topology, or a TopologyError listing every problem found (schema,
 * then what needs the whole file), each with its path and, from text, its
 * line and column. Nothing here touches the kernel.
 */
import { Value } from "typebox/value";
import type { Topology } from "./model.js";
import { type Path, Problems, pointerToPath, TopologyError } from "./problems.js";
import { resolve } from "./resolve.js";
import { type TopologyFile, TopologyFileSchema } from "./schema.js";
import { parseSource, readTopologyFile, type Source } from "./source.js";

interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** The schema at a `#/a/b` pointer, for its description. */
function schemaAt(pointer: string): { description?: string } | undefined {
  let node: unknown = TopologyFileSchema;
  for (const part of pointerToPath(pointer.replace(/^#/, ""))) node = (node as Record<string | number, unknown> | undefined)?.[part];
  return node as { description?: string } | undefined;
}

/** Lower-cases a description's first letter, so it reads after "must be". */
function asPhrase(description: string | undefined): string {
  if (description === undefined) return "one of the allowed forms";
  return (description.charAt(0).toLowerCase() + description.slice(1)).replace(/\.$/, "");
}

/**
 * Schema errors as problems, each once. A union reports each branch's
 * complaint; only the union's own is kept, with its description. An unknown
 * field, or a key a record's pattern refuses, is named.
 */
function schemaProblems(errors: readonly SchemaError[], problems: Problems): void {
  const unions = errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath);
  for (const e of errors) {
    const path: Path = pointerToPath(e.instancePath);
    if (e.keyword === "boolean") continue; // reported as additionalProperties, with the field's name
    if (e.keyword !== "anyOf" && unions.some((u) => e.instancePath === u || e.instancePath.startsWith(`${u}/`))) continue;
    if (e.keyword === "additionalProperties") {
      const patterns = Object.keys((schemaAt(e.schemaPath) as { patternProperties?: object } | undefined)?.patternProperties ?? {});
      const why = patterns.length > 0 ? `is not a valid key here (must match ${patterns.join(" or ")})` : "is not a known field";
      for (const key of e.params.additionalProperties as string[]) problems.add([...path, key], why);
    } else if (e.keyword === "anyOf") {
      problems.add(path, `must be ${asPhrase(schemaAt(e.schemaPath)?.description)}`);
    } else if (e.keyword === "pattern" && schemaAt(e.schemaPath)?.description !== undefined) {
      problems.add(path, `must be ${asPhrase(schemaAt(e.schemaPath)?.description)}`);
    } else {
      problems.add(path, e.message);
    }
  }
}

/**
 * A copy of a file with what the schema refused taken out, so that the
 * checks needing the whole file still run and a file with many mistakes
 * reports all of them: a link with an error is dropped (its index kept), a
 * node keeps its name and loses the field at fault, a bad topology name is
 * replaced. Undefined when too little is left to check.
 */
function salvage(value: unknown, errors: readonly SchemaError[]): TopologyFile | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const file = structuredClone(value) as Record<string, unknown>;
  const paths = errors.flatMap((e) =>
    e.keyword === "additionalProperties"
      ? (e.params.additionalProperties as string[]).map((key) => [...pointerToPath(e.instancePath), key])
      : [pointerToPath(e.instancePath)],
  );
  for (const [top, key, field] of paths) {
    if (top === "name") file.name = "x";
    else if (top === "links" && Array.isArray(file.links) && typeof key === "number") delete file.links[key];
    else if (top === "nodes" && typeof key === "string" && typeof file.nodes === "object" && file.nodes !== null) {
      const nodes = file.nodes as Record<string, unknown>;
      const node = nodes[key];
      if (field === undefined || typeof node !== "object" || node === null) delete nodes[key];
      else delete (node as Record<string, unknown>)[field];
    } else if (typeof top === "string" && top !== "nodes" && top !== "links") delete file[top];
    else return undefined;
  }
  return Value.Check(TopologyFileSchema, file) || (Array.isArray(file.links) && checksWithoutHoles(file))
    ? (file as TopologyFile)
    : undefined;
}

/** Whether a salvaged file is valid once the holes left by dropped links are ignored. */
function checksWithoutHoles(file: Record<string, unknown>): boolean {
  return Value.Check(TopologyFileSchema, { ...file, links: (file.links as unknown[]).filter((l) => l !== undefined) });
}

/** A string is text when it has a newline or starts like JSON; otherwise it is a file's path. */
function isText(input: string): boolean {
  return input.includes("\n") || input.trimStart().startsWith("{");
}

function fail(problems: Problems, source: string | undefined): never {
  throw new TopologyError(problems.list, source);
}

/**
 * Loads and validates a topology: a path to a YAML or JSON file, YAML/JSON
 * text, or a parsed object. Throws a TopologyError (ERR_TOPOLOGY_INVALID)
 * naming every problem, or a ValidationError for a file that cannot be read.
 */
export function load(input: string | object): Topology {
  let source: Source | undefined;
  let label: string | undefined;
  let value: unknown = input;
  if (typeof input === "string") {
    label = isText(input) ? undefined : input;
    source = parseSource(label === undefined ? input : readTopologyFile(label));
    value = source.value;
  }
  const problems = new Problems(source?.locate);
  for (const e of source?.syntaxErrors ?? []) problems.list.push({ path: "", message: e.message, line: e.line, column: e.column });
  if (problems.list.length > 0) fail(problems, label);
  const errors = [...Value.Errors(TopologyFileSchema, value)] as SchemaError[];
  schemaProblems(errors, problems);
  const file = errors.length === 0 ? (value as TopologyFile) : salvage(value, errors);
  if (file === undefined) fail(problems, label);
  const topology = resolve(file, problems);
  if (problems.list.length > 0) fail(problems, label);
  return topology;
}
