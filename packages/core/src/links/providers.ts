/** Link providers: how an action finds the link it works on. Plain data. */
import * as v from "../validate/validate.js";

export type LinkProvider =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "alias"; readonly alias: string }
  | { readonly kind: "index"; readonly index: number };

export function byName(linkName: string): LinkProvider {
  return { kind: "name", name: v.linkName("link.name", linkName) };
}

export function byAlias(alias: string): LinkProvider {
  return { kind: "alias", alias: v.text("link.alias", alias, 127) };
}

export function byIndex(index: number): LinkProvider {
  return { kind: "index", index: v.linkIndex("link.index", index) };
}

export function describe(p: LinkProvider): string {
  switch (p.kind) {
    case "name":
      return `name "${p.name}"`;
    case "alias":
      return `alias "${p.alias}"`;
    case "index":
      return `index ${p.index}`;
  }
}
