import type { Run } from "../../command.js";
import { linker, nsDoOnce } from "../../core.js";
import { linkOutcome } from "../../link-outcome.js";
import { target } from "../../target.js";

export const linkShow: Run = async ({ args: [name], ns }) => {
  const { lp, na } = await linker();
  const {
    results: [link],
  } = await nsDoOnce(await target(ns), na.getLink(lp.name(name as string)));
  return linkOutcome(link);
};
