import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

const implementation = () => import("./run/addr.js");

export const addrList: Command = {
  name: "addr list",
  summary: "list addresses (as `ip addr`), optionally of one link",
  synopsis: "addr list [[dev] NAME] [-4|-6] [-n NS]",
  args: [],
  rest: { name: "dev", required: false },
  options: ["ns", "inet", "inet6"],
  details:
    'As `ip addr show [dev] NAME`, the link\'s name may come without `dev`. --json: an array of { dev, family ("inet"|"inet6"), address, prefixLen, cidr, scope }, family and scope named as `ip -j addr` names them ("global", "link", "host", ...).',
  run: lazyRun(implementation, (m) => m.addrList),
};

function addrChange(op: "add" | "del"): Command {
  return {
    name: `addr ${op}`,
    summary: op === "add" ? "add an address to a link (as `ip addr add CIDR dev NAME`)" : "remove an address from a link",
    synopsis: `addr ${op} CIDR dev NAME [-n NS]`,
    args: ["CIDR"],
    rest: { name: "dev", required: true },
    options: ["ns"],
    details: "--json: { dev, family, address, prefixLen, cidr }: the address as given, as addr list shows one.",
    run: lazyRun(implementation, (m) => m.addrChange(op)),
  };
}

export const addrAdd = addrChange("add");
export const addrDel = addrChange("del");
