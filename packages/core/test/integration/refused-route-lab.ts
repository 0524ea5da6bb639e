import { execFileSync } from "node:child_process";
import type { topology } from "@neslink/core";

/**
 * A lab whose node a's routes are one the kernel makes, one it refuses, and two after that one: the apply's failure
 * stops a's task at the refused route. Refused for what plan cannot foresee: IPv6 turned off in a by hand (ipv6OffByHand)
 * before its link is made (a file's own sysctls doing so are refused at load), and the kernel refuses an IPv6 route
 * there (EACCES).
 */
export function refusedRouteLab(name: string): string {
  return [
    `name: ${name}`,
    "nodes:",
    "  a:",
    "    addresses: { eth0: [10.61.0.1/24] }",
    "    routes:",
    "      - { to: 10.70.0.0/16, via: 10.61.0.254 }",
    REFUSED_LINE,
    "      - { to: 10.64.0.0/16, via: 10.61.0.254 }",
    "      - { to: 10.65.0.0/16, via: 10.61.0.253 }",
    "  b: {}",
    'links: [{ endpoints: ["a:eth0", "b:eth0"] }]',
    "",
  ].join("\n");
}

/** The refused route's line in the file (line 7, its entry at column 9). */
export const REFUSED_LINE = '      - { to: "fd00:62::/64", via: "fe80::1", dev: eth0 }';

/** The route made, the one refused and those never tried, as describeChange writes them, and their destinations. */
export const MADE = { text: "+ route 10.70.0.0/16 via 10.61.0.254 in a", dst: "10.70.0.0/16" };
export const REFUSED = { text: "+ route fd00:62::/64 via fe80::1 dev eth0 in a", dst: "fd00:62::/64", at: "7:9" };
export const UNTRIED = [
  { text: "+ route 10.64.0.0/16 via 10.61.0.254 in a", dst: "10.64.0.0/16" },
  { text: "+ route 10.65.0.0/16 via 10.61.0.253 in a", dst: "10.65.0.0/16" },
];

/**
 * `lab` (refusedRouteLab's) with node a given work of the phases after its routes: an exec command and a program,
 * each leaving a trace ip can read (a dummy link in a; a process in a's namespace), neither started when a's
 * configuration fails.
 */
export function withLaterPhases(lab: string): string {
  return lab.replace(
    "\n  a:\n",
    `\n  a:\n    exec: [[ip, link, add, ${LATER.link}, type, dummy]]\n    processes: [{ name: s, command: [sleep, "1002"] }]\n`,
  );
}

/** The changes withLaterPhases adds, as describeChange writes them, and the link its exec command makes. */
export const LATER = {
  link: "ran0",
  texts: ["+ exec in a: ip link add ran0 type dummy", "+ process a:s (sleep 1002)"],
};

/**
 * Turns IPv6 off by hand in `netns` for the links made in it from then on (default's disable_ipv6, which a new link
 * starts with; lo and the links it has keep theirs): no file says so, so no plan can foresee the kernel's refusal.
 */
export function ipv6OffByHand(netns: string): void {
  execFileSync("ip", ["netns", "exec", netns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"]);
}

/**
 * An onProgress that turns IPv6 off by hand (ipv6OffByHand) in node `node`'s namespace of lab `name` once apply made it,
 * before any of its links (made in a later phase), then hands each event on to `then`.
 */
export function offOnceMade(name: string, then: (e: topology.ApplyEvent) => void = () => {}, node = "a") {
  return (e: topology.ApplyEvent) => {
    if (e.type === "change" && e.change.object === "netns" && e.change.op === "create" && e.change.node === node)
      ipv6OffByHand(`${name}-${node}`);
    then(e);
  };
}
