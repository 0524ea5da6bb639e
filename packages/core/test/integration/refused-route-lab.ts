/**
 * A lab whose node a's routes are one the kernel makes, one it refuses (its gateway is on none of a's subnets:
 * ENETUNREACH), and two after that one: the apply's failure stops a's task at the refused route.
 */
export function refusedRouteLab(name: string): string {
  return [
    `name: ${name}`,
    "nodes:",
    "  a:",
    "    addresses: { eth0: [10.61.0.1/24] }",
    "    routes:",
    "      - { to: 10.70.0.0/16, via: 10.61.0.254 }",
    "      - { to: 10.62.0.0/16, via: 10.63.0.1 }",
    "      - { to: 10.64.0.0/16, via: 10.61.0.254 }",
    "      - { to: 10.65.0.0/16, dev: eth0 }",
    "  b: {}",
    'links: [{ endpoints: ["a:eth0", "b:eth0"] }]',
    "",
  ].join("\n");
}

/** The route made, the one refused and those never tried, as describeChange writes them, and their destinations. */
export const MADE = { text: "+ route 10.70.0.0/16 via 10.61.0.254 in a", dst: "10.70.0.0/16" };
export const REFUSED = { text: "+ route 10.62.0.0/16 via 10.63.0.1 in a", dst: "10.62.0.0/16" };
export const UNTRIED = [
  { text: "+ route 10.64.0.0/16 via 10.61.0.254 in a", dst: "10.64.0.0/16" },
  { text: "+ route 10.65.0.0/16 dev eth0 in a", dst: "10.65.0.0/16" },
];
