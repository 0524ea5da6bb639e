import { describe, expect, it } from "vitest";
import { commands } from "./commands/index.js";
import { helpText } from "./help.js";

/** Every topic `--help` answers: the whole list, each group, each command. */
const topics = [
  "",
  ...new Set(commands.flatMap((c) => (c.name.includes(" ") ? [c.name.split(" ")[0] as string] : []))),
  ...commands.map((c) => c.name),
];

describe("helpText", () => {
  it("keeps every line of every help text within 80 columns", async () => {
    const long: string[] = [];
    for (const topic of topics)
      for (const line of (await helpText(topic, commands)).split("\n")) if (line.length > 80) long.push(`neslink ${topic} --help: ${line}`);
    expect(long).toEqual([]);
  });

  it("puts a synopsis too long for its column on a line of its own, its description on the next, at the column", async () => {
    const lines = (await helpText("", commands)).split("\n");
    const column = lines.find((l) => l.startsWith("  ns list "))?.indexOf("list named") ?? -1;
    expect(column).toBeGreaterThan(10);
    const row = lines.findIndex((l) => l.startsWith("  route add TO [via IP] "));
    expect(row).toBeGreaterThan(0);
    expect(lines.slice(row + 1).find((l) => l.includes("add a route"))).toBe(`${" ".repeat(column)}add a route (as \`ip route add\`)`);
  });
});
