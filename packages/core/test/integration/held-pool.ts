/**
 * A pool that holds back its tasks on one named namespace until the test lets
 * them go: what a plan or an apply reads of that namespace then comes after
 * whatever the test does meanwhile, with every other read of it done or under
 * way. The tasks themselves run as any pool's, on the real kernel.
 */
import { type NsProvider, Pool } from "@neslink/core";

export interface Hold {
  /** Resolves when the first task on the namespace has come and waits. */
  reached: Promise<void>;
  /** Lets the waiting tasks (and any later one) go. */
  release(): void;
}

export class HeldPool extends Pool {
  #held = new Map<string, { reached: () => void; gate: Promise<void> }>();

  /** Holds the tasks on the named namespace `netns` (of /run/netns) from now on, until released. */
  hold(netns: string): Hold {
    let reached = () => {};
    let release = () => {};
    const hold: Hold = {
      reached: new Promise((resolve) => {
        reached = resolve;
      }),
      release: () => release(),
    };
    const gate = new Promise<void>((resolve) => {
      release = () => {
        this.#held.delete(netns);
        resolve();
      };
    });
    this.#held.set(netns, { reached, gate });
    return hold;
  }

  override run(provider: NsProvider, ...rest: Parameters<Pool["run"]> extends [NsProvider, ...infer R] ? R : never) {
    const held = provider.kind === "name" ? this.#held.get(provider.name) : undefined;
    if (held === undefined) return super.run(provider, ...rest);
    held.reached();
    return held.gate.then(() => super.run(provider, ...rest));
  }
}
