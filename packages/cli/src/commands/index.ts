import type { Command } from "../command.js";
import { exec } from "./exec.js";
import { linkShow } from "./link-show.js";
import { links } from "./links.js";
import { nsAdd } from "./ns-add.js";
import { nsDel } from "./ns-del.js";
import { nsList } from "./ns-list.js";
import { nsPrune } from "./ns-prune.js";

/** Every command, in the order `neslink --help` lists them. */
export const commands: readonly Command[] = [nsList, nsAdd, nsDel, nsPrune, links, linkShow, exec];
