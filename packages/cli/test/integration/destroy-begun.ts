/**
 * A lab whose destroy an interrupt is to meet once its changes have begun, and what is left of it after, as iproute2
 * and /proc show it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ipNetnsJson, netnsList } from "../../../core/test/integration/kernel.js";
import { starLab } from "./star-lab.js";

export const HOSTS = 60;

/**
 * starLab of HOSTS hosts whose hub runs a program that outlives SIGTERM (it touches `termed` then): its destroy is
 * held by the program's 2 s grace, under way when the interrupt comes however fast the machine is.
 */
export function stubbornStar(path: string, lab: string, net: number, termed: string): string {
  return starLab(path, lab, HOSTS, net, `trap 'touch ${termed}' TERM; while :; do sleep 0.1; done`);
}

/** Resolves once the lab's destroy has made its first change: one of its namespaces gone. */
export async function destroyBegun(lab: string): Promise<void> {
  while (netnsList(`${lab}-`).length === HOSTS + 1) await new Promise((r) => setTimeout(r, 2));
}

/** What is left of the lab: its namespaces (`ip -j netns list`), its entries, its record, its program. */
export function leftOf(lab: string, termed: string) {
  return {
    namespaces: ipNetnsJson(`${lab}-`).map((n) => n.name),
    entries: netnsList(`${lab}-`),
    record: existsSync(`/run/neslink/topologies/${lab}`),
    program: spawnSync("pgrep", ["-f", termed]).status === 0,
  };
}

/** leftOf a lab destroyed whole. */
export const NOTHING_LEFT = { namespaces: [], entries: [], record: false, program: false };
