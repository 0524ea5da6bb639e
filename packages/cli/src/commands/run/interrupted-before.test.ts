/**
 * apply and destroy interrupted while core's call of theirs runs, with core played by the test: what is said, and
 * when. Said at once before core's first change, the process ended of the signal while core still held the lab's
 * lock, and left its file (taken for a lab then: destroy asked to confirm destroying a lab that had nothing); and a
 * destroy core stopped before its first change was said to be "partly destroyed".
 */
import type { PassThrough } from "node:stream";
import { AbortedError } from "@neslink/core/errors";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Session } from "../../command.js";
import { Interrupted } from "../../interrupt.js";
import { signalTerminal } from "../../signal-terminal.fixture.js";

/** Core's apply or destroy as the test plays it: called with its options, settled when the test says. */
interface Call {
  options: { signal?: AbortSignal; onProgress?: (event: unknown) => void };
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const calls: Call[] = [];
const played = (_lab: unknown, options: Call["options"]) =>
  new Promise((resolve, reject) => {
    calls.push({ options, resolve, reject });
  });

vi.mock("../../core.js", () => ({
  topology: async () => ({
    commandLine: (words: string[]) => words.join(" "),
    load: () => ({ name: "lab", nodes: [] }),
    plan: async () => ({ topology: "lab", changes: [] }),
    describeChange: () => "",
    apply: played,
    destroy: played,
    TopologyConflictError: class extends Error {},
    TopologyAbortedError: class extends Error {},
    TopologyApplyError: class extends Error {},
  }),
}));
vi.mock("../../lab.js", async (actual) => ({
  ...(await actual<typeof import("../../lab.js")>()),
  loadFile: async () => ({ name: "lab", nodes: [] }),
  planText: async () => "",
}));

const { apply } = await import("./apply.js");
const { destroy } = await import("./destroy.js");

/** A text session whose signals the test sends; its raise does not end the process. */
function fakeSession() {
  const { terminal, raised, send } = signalTerminal();
  let stderr = "";
  (terminal.stderr as PassThrough).on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const session: Session = { json: false, print: () => {}, terminal };
  return { session, raised, send, stderr: () => stderr };
}

/** Resolves once core's call has been made. */
async function called(): Promise<Call> {
  await vi.waitFor(() => expect(calls).toHaveLength(1));
  return calls[0] as Call;
}

const ticks = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(() => {
  calls.length = 0;
});

describe("interrupted before core's first change", () => {
  it.each([
    ["apply", apply, "lab.yaml", "SIGINT: lab was not applied; nothing was changed."],
    ["destroy", destroy, "lab", "SIGINT: lab was not destroyed; nothing was changed."],
  ] as const)("%s waits for core to stop (its lock let go) and says nothing was changed", async (_, run, arg, words) => {
    const { session, raised, send, stderr } = fakeSession();
    const running = run({ args: [arg], options: { yes: true } } as never, session);
    const core = await called();
    send("SIGINT");
    expect(core.options.signal?.aborted).toBe(true);
    // Core still holds the lab's lock: nothing said, the process not ended of the signal. Ended then, it left the file.
    await ticks();
    expect({ raised, stderr: stderr() }).toEqual({ raised: [], stderr: "" });
    core.reject(new AbortedError(new Error("nothing of lab was changed")));
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect({ raised, stderr: stderr() }).toEqual({ raised: ["SIGINT"], stderr: `neslink: ${words}\n` });
  });
});

describe("destroy interrupted once core has told its phase", () => {
  it("core stopped by then with ERR_ABORTED: said not to be destroyed, nothing changed (not 'partly destroyed')", async () => {
    const { session, raised, send, stderr } = fakeSession();
    const running = destroy({ args: ["lab"], options: { yes: true } } as never, session);
    const core = await called();
    core.options.onProgress?.({ type: "phase", phase: "remove" });
    // After the phase event, before the first removal: core tells, by rejecting with ERR_ABORTED, that none was made.
    send("SIGINT");
    core.reject(new AbortedError(new Error("nothing of lab was changed")));
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect({ raised, stderr: stderr() }).toEqual({
      raised: ["SIGINT"],
      stderr: "neslink: SIGINT: lab was not destroyed; nothing was changed.\n",
    });
  });

  it("core running on to its end: said to be destroyed all the same, once it has", async () => {
    const { session, raised, send, stderr } = fakeSession();
    const running = destroy({ args: ["lab"], options: { yes: true } } as never, session);
    const core = await called();
    core.options.onProgress?.({ type: "phase", phase: "remove" });
    send("SIGINT");
    expect(core.options.signal?.aborted).toBe(false);
    await ticks();
    expect(stderr()).toBe("");
    const leftovers = { namespaces: [], entries: [], links: [], record: false, programs: [] };
    core.resolve({ topology: "lab", removed: [{ node: "a", netns: "lab-a" }], leftovers, linksLeft: [], ms: 1 });
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect({ raised, stderr: stderr() }).toEqual({
      raised: ["SIGINT"],
      stderr:
        "neslink: SIGINT: lab was destroyed all the same (1 node removed): the interrupt came once its changes had begun, and destroy ends what it starts.\n",
    });
  });
});
