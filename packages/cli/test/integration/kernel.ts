/**
 * Asking the kernel through iproute2, and cleaning up. Everything a test makes
 * starts with its own unique prefix; cleanup touches nothing else.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/** `tag` + 6 random hex characters. */
export function uniquePrefix(tag: string): string {
  return `${tag}${randomBytes(3).toString("hex")}`;
}

export function ipJson<T = Record<string, unknown>[]>(...args: string[]): T {
  return JSON.parse(execFileSync("ip", ["-j", ...args], { encoding: "utf8" }) || "[]") as T;
}

/** Names from `ip netns list`, only those starting with `prefix` when given (other tests may run alongside). */
export function netnsList(prefix = ""): string[] {
  return ipJson<{ name: string }[]>("netns", "list")
    .map((n) => n.name)
    .filter((name) => name.startsWith(prefix));
}

/** Links of a named namespace as iproute2 reports them. */
export function linksIn(nsName: string): { ifindex: number; ifname: string; mtu: number; address?: string }[] {
  return ipJson("-n", nsName, "link", "show");
}

/** Deletes every named namespace whose name starts with `prefix`. */
export function cleanup(prefix: string): void {
  for (const name of netnsList()) if (name.startsWith(prefix)) execFileSync("ip", ["netns", "del", name]);
}
