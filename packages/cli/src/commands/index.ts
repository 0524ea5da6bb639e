import type { Command } from "../command.js";
import { addrAdd, addrDel, addrList } from "./addr.js";
import { agent } from "./agent.js";
import { apply } from "./apply.js";
import { completion } from "./completion.js";
import { destroy } from "./destroy.js";
import { exec, nsExec } from "./exec.js";
import { graph } from "./graph.js";
import { inspect } from "./inspect.js";
import { linkAdd } from "./link-add.js";
import { linkDel } from "./link-del.js";
import { linkList, links } from "./link-list.js";
import { linkSet } from "./link-set.js";
import { linkShow } from "./link-show.js";
import { monitor } from "./monitor.js";
import { nsAdd } from "./ns-add.js";
import { nsDel } from "./ns-del.js";
import { nsList } from "./ns-list.js";
import { nsPrune } from "./ns-prune.js";
import { plan } from "./plan.js";
import { routeAdd, routeDel, routeList, routeReplace } from "./route.js";
import { shell } from "./shell.js";

/**
 * Every command, in the order `neslink --help` lists them. These modules hold
 * only what parsing, help and completion read: each command's implementation
 * (run/), and @neslink/core with it, is loaded when that command runs.
 */
export const commands: readonly Command[] = [
  nsList,
  nsAdd,
  nsDel,
  nsExec,
  nsPrune,
  linkList,
  linkShow,
  linkAdd,
  linkSet,
  linkDel,
  addrList,
  addrAdd,
  addrDel,
  routeList,
  routeAdd,
  routeReplace,
  routeDel,
  exec,
  monitor,
  apply,
  plan,
  destroy,
  inspect,
  graph,
  shell,
  agent,
  completion(() => commands),
  links,
];
