import type { Run } from "../../command.js";
import { linker, nsDoOnce } from "../../core.js";
import { toLinkJSON } from "@neslink/core/shapes";
import { fields } from "../../output.js";
import { target } from "../../target.js";

export const linkShow: Run = async ({ args: [name], ns }) => {
  const { lp, na } = await linker();
  const {
    results: [link],
  } = await nsDoOnce(await target(ns), na.getLink(lp.name(name as string)));
  const shown = toLinkJSON(link);
  return { data: shown, text: fields(shown) };
};
