import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const linkAdd: Command = {
  name: "link add",
  summary: "create a link of any kind core makes (as `ip link add NAME type KIND ...`)",
  synopsis: "link add KIND NAME [KEYWORD VALUE]... [-n NS]",
  args: ["KIND", "NAME"],
  rest: { name: "KEYWORD", required: false },
  options: ["ns"],
  completes: () => import("@neslink/core/kinds").then((m) => m.LINK_KINDS),
  // The kinds and each one's keywords, from the implementation's shapes: loaded for `link add --help` only.
  details: () => import("./run/link-kinds.js").then((m) => m.details()),
  run: lazyRun(
    () => import("./run/link-add.js"),
    (m) => m.linkAdd,
  ),
};
