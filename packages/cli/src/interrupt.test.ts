import { afterEach, describe, expect, it, vi } from "vitest";
import type { Outcome, Session } from "./command.js";
import { Interrupted, onInterrupt, SETTLE_MS } from "./interrupt.js";
import { signalTerminal } from "./signal-terminal.fixture.js";

/** A --json session whose signals the test sends; its raise does not end the process (as an interactive shell's line). */
function fakeSession() {
  const printed: string[] = [];
  const { terminal, raised, send } = signalTerminal();
  const session: Session = { json: true, print: (text) => printed.push(text), terminal };
  return { session, printed, raised, send };
}

/** Work that ends when the test says, as an apply told to stop ends once its changes in flight have. */
function stoppable() {
  let stop: (err: unknown) => void = () => {};
  let finish: (outcome: Outcome) => void = () => {};
  const work = new Promise<Outcome>((resolve, reject) => {
    stop = reject;
    finish = resolve;
  });
  return { work: () => work, stop, finish };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("onInterrupt, work that settles", () => {
  it("says its words once the work has stopped, with what it did, then ends of the signal", async () => {
    const { session, printed, raised, send } = fakeSession();
    const { work, stop } = stoppable();
    const done = [{ object: "netns", netns: "a" }];
    const running = onInterrupt(session, () => ({ said: "LAB is partly applied", settles: true, extra: () => ({ done }) }), work);
    send("SIGINT");
    // Nothing said while the changes in flight end.
    expect(printed).toEqual([]);
    stop(new Error("stopped"));
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect(printed.map((p) => JSON.parse(p))).toEqual([
      { error: { name: "NeslinkError", code: "ERR_ABORTED", message: "SIGINT: LAB is partly applied", done } },
    ]);
    expect(raised).toEqual(["SIGINT"]);
  });

  it("a second interrupt while the work settles: the words said at once, with what it did so far, and it ends", async () => {
    const { session, printed, raised, send } = fakeSession();
    const { work, stop } = stoppable();
    const done = [{ object: "netns", netns: "a" }];
    const running = onInterrupt(session, () => ({ said: "LAB is partly applied", settles: true, extra: () => ({ done }) }), work);
    running.catch(() => {});
    send("SIGINT");
    expect(printed).toEqual([]);
    send("SIGINT");
    expect(printed.map((p) => JSON.parse(p).error.message)).toEqual(["SIGINT: LAB is partly applied"]);
    await vi.waitFor(() => expect(raised).toEqual(["SIGINT"]));
    stop(new Error("late"));
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect(printed).toHaveLength(1);
  });

  it("work that does not stop within SETTLE_MS: the words are said and the command ends all the same", async () => {
    vi.useFakeTimers();
    const { session, printed, raised, send } = fakeSession();
    const { work, stop } = stoppable();
    const running = onInterrupt(session, () => ({ said: "LAB is partly applied", settles: true }), work);
    running.catch(() => {});
    send("SIGTERM");
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 1);
    expect(printed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(printed).toHaveLength(1);
    await vi.runAllTimersAsync();
    expect(raised).toEqual(["SIGTERM"]);
    stop(new Error("late"));
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect(printed).toHaveLength(1);
  });

  it("work that ends whole before its words are said: its result stands, the signal handed on as heard", async () => {
    const { session, printed, raised, send } = fakeSession();
    const { work, finish } = stoppable();
    const running = onInterrupt(session, () => ({ said: "LAB is partly applied", settles: true }), work);
    send("SIGINT");
    finish({ data: 1, text: "Applied\n" });
    expect(await running).toEqual({ data: 1, text: "Applied\n", heard: "SIGINT" });
    expect({ printed, raised }).toEqual({ printed: [], raised: [] });
  });

  it("work that runs on to its end once begun: its words say what it did once it has, and it ends of the signal", async () => {
    const { session, printed, raised, send } = fakeSession();
    const { work, finish } = stoppable();
    let removed: number | undefined;
    const said = () => `LAB was destroyed all the same (${removed} nodes removed)`;
    const running = onInterrupt(session, () => ({ said, settles: true, runsOn: true, extra: () => ({ destroyed: true }) }), work);
    send("SIGINT");
    expect(printed).toEqual([]);
    removed = 3;
    finish({ data: 1, text: "Destroyed\n" });
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect(printed.map((p) => JSON.parse(p).error)).toEqual([
      { name: "NeslinkError", code: "ERR_ABORTED", message: "SIGINT: LAB was destroyed all the same (3 nodes removed)", destroyed: true },
    ]);
    expect(raised).toEqual(["SIGINT"]);
  });

  it("work that runs on where the process outlives the signal: a second one, or SETTLE_MS, does not have it said early", async () => {
    vi.useFakeTimers();
    const { session, printed, raised, send } = fakeSession();
    session.terminal.outlives = (signal) => signal === "SIGINT";
    const { work, finish } = stoppable();
    let said = "LAB is partly destroyed";
    const running = onInterrupt(session, () => ({ said: () => said, settles: true, runsOn: true }), work);
    send("SIGINT");
    send("SIGINT");
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(printed).toEqual([]);
    said = "LAB was destroyed all the same";
    finish({ data: 1, text: "Destroyed\n" });
    await expect(running).rejects.toBeInstanceOf(Interrupted);
    expect(printed.map((p) => JSON.parse(p).error.message)).toEqual(["SIGINT: LAB was destroyed all the same"]);
    expect(raised).toEqual(["SIGINT"]);
  });
});
