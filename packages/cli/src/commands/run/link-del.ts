import type { Run } from "../../command.js";
import { linkDoOnce, linker } from "../../core.js";
import { target } from "../../target.js";
import { toLinkJSON } from "@neslink/core/shapes";

export const linkDel: Run = async ({ args: [name], ns }) => {
  const { la, lp } = await linker();
  const { link } = await linkDoOnce(await target(ns), lp.name(name as string), la.delete());
  return { data: toLinkJSON(link), text: `deleted link ${link.name}\n` };
};
