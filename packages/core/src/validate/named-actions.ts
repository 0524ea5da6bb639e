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
  emptyFirst: v.boolean,
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
  const r = record(f, x, ["kind", "name", "dir", "loAliasPrefix", "keepGroup", "emptyFirst", "ownId", "foreignId", "ownUnlessPeered"]);
  for (const key of ["keepGroup", "emptyFirst", "ownId", "foreignId", "ownUnlessPeered"] as const)
    if (r[key] !== undefined && r.loAliasPrefix === undefined)
      throw new ValidationError(at(f, key), "is only for a guarded deletion: give loAliasPrefix too");
  if (r.emptyFirst !== undefined && r.keepGroup !== undefined)
    throw new ValidationError(at(f, "emptyFirst"), "deletes every link, keepGroup's too: give one of them");
  return fields<DeleteNamedAction>(f, r, GUARD, { kind: "deleteNamed", ...place(f, r) });
};
