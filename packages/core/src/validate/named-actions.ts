/**
 * The named-namespace actions' parsers (na.createNamed's newNamed and
 * na.deleteNamed), apart from the other actions' so that `addNamed` /
 * `removeNamed` (the CLI's `ns add|del`) check their input without loading
 * every action's rules.
 */
import type { NsActionSpec } from "../actions/ns-actions.js";
import { ValidationError } from "../errors.js";
import { at, type FieldParsers, fields, type Parser, record } from "./shape.js";
import * as v from "./validate.js";

type DeleteNamedAction = Extract<NsActionSpec, { kind: "deleteNamed" }>;
/** A guarded deletion's fields (see na.deleteNamed). */
const GUARD: FieldParsers<DeleteNamedAction> = {
  loAliasPrefix: v.alias,
  keepGroup: v.u32,
  ownId: v.nsId,
  foreignId: v.nsId,
  ownUnlessPeered: v.boolean,
};

/** Where a named namespace is (or goes): its name and mount dir. */
const place = (f: string, r: Record<string, unknown>) => ({
  name: v.namespaceName(at(f, "name"), r.name),
  dir: v.absolutePath(at(f, "dir"), r.dir),
});

export const newNamed: Parser<Extract<NsActionSpec, { kind: "newNamed" }>> = (f, x) => ({
  kind: "newNamed",
  ...place(f, record(f, x, ["kind", "name", "dir"])),
});

export const deleteNamed: Parser<DeleteNamedAction> = (f, x) => {
  const r = record(f, x, ["kind", "name", "dir", "loAliasPrefix", "keepGroup", "ownId", "foreignId", "ownUnlessPeered"]);
  for (const key of ["keepGroup", "ownId", "foreignId", "ownUnlessPeered"] as const)
    if (r[key] !== undefined && r.loAliasPrefix === undefined)
      throw new ValidationError(at(f, key), "is only for a guarded deletion: give loAliasPrefix too");
  return fields<DeleteNamedAction>(f, r, GUARD, { kind: "deleteNamed", ...place(f, r) });
};
