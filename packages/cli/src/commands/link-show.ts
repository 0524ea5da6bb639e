import type { Command } from "../command.js";
import { linker, nsDoOnce } from "../core.js";
import { fields } from "../output.js";
import { target } from "../target.js";

export const linkShow: Command = {
  name: "link show",
  summary: "show one link, by name (without one, every link: link list)",
  synopsis: "link show [[dev] NAME] [-n NS]",
  args: ["NAME"],
  options: ["ns"],
  details:
    "--json: core's Link object. As with `ip link show [dev] NAME`, `dev` may come before NAME, and `link list NAME` is the same. Without NAME, as `ip link show`: every link (link list).",
  async run({ args: [name], ns }) {
    const { lp, na } = await linker();
    const {
      results: [link],
    } = await nsDoOnce(await target(ns), na.getLink(lp.name(name as string)));
    return { data: link, text: fields(link) };
  },
};
