import { NotFoundError, ValidationError } from "@neslink/core/errors";
import type { Invocation, Run } from "../../command.js";
import { linkDoOnce, linker, reader } from "../../core.js";
import { keywords, stringOf } from "../../keywords.js";
import { table } from "../../output.js";
import { addressGiven, linkNames, toAddressJSON } from "@neslink/core/shapes";
import { target } from "../../target.js";

/** -4 / -6 as core's family argument. */
export function familyOf(options: Invocation["options"]): 4 | 6 | "all" {
  if (options.inet && options.inet6) throw new ValidationError("-4", "and -6 cannot both be given");
  return options.inet ? 4 : options.inet6 ? 6 : "all";
}

export const addrList: Run = async ({ args, ns, options }) => {
  const dev = stringOf(keywords(args, { dev: "value" }, "addr list"), "dev");
  // Read from here, with no worker to start (see @neslink/core/read).
  const { readAddrs, readLinks } = await reader();
  const provider = await target(ns, reader);
  const addresses = await readAddrs(provider, familyOf(options));
  const links = await readLinks(provider);
  // As `ip addr show dev NAME`: a link that is not there is an error, not an empty list.
  if (dev !== undefined && !links.some((l) => l.name === dev)) throw new NotFoundError("link", `no link with name "${dev}"`);
  const nameOf = linkNames(links);
  const rows = addresses.map((a) => toAddressJSON(a, nameOf)).filter((r) => dev === undefined || r.dev === dev);
  return {
    data: rows,
    text: table(
      rows.map((r) => [r.dev, r.family, r.cidr]),
      ["DEV", "FAMILY", "ADDRESS"],
    ),
  };
};

export function addrChange(op: "add" | "del"): Run {
  return async ({ args: [cidr, ...rest], ns }) => {
    const dev = stringOf(keywords(rest, { dev: "value" }, `addr ${op}`), "dev");
    if (dev === undefined) throw new ValidationError("dev", "is required: the link the address is on");
    const { la, lp } = await linker();
    const action = op === "add" ? la.addAddr(cidr as string) : la.delAddr(cidr as string);
    await linkDoOnce(await target(ns), lp.name(dev), action);
    const { family, address, prefixLen } = action.cidr;
    return {
      // As addr list shows it (without the scope, which the kernel chose).
      data: addressGiven(dev, family, address, prefixLen),
      text: `${op === "add" ? "added" : "deleted"} ${cidr} ${op === "add" ? "to" : "from"} ${dev}\n`,
    };
  };
}
