import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const linkShow: Command = {
  name: "link show",
  summary: "show one link, by name (without one, every link: link list)",
  synopsis: "link show [[dev] NAME] [-n NS]",
  args: ["NAME"],
  options: ["ns"],
  details:
    "--json: the link, as link list shows one. As with `ip link show [dev] NAME`, `dev` may come before NAME, and `link list NAME` is the same. Without NAME, as `ip link show`: every link (link list).",
  run: lazyRun(
    () => import("./run/link-show.js"),
    (m) => m.linkShow,
  ),
};
