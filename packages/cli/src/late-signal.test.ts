import { describe, expect, it, vi } from "vitest";
import { HOLD_MS, holdInterrupts } from "./late-signal.js";
import type { Io } from "./main.js";
import { signalTerminal } from "./signal-terminal.fixture.js";

/** An Io whose signals the test sends, and whose output has gone out once the test says so. */
function fakeIo() {
  const said: string[] = [];
  const { terminal, raised, send, listening } = signalTerminal();
  let goOut = () => {};
  const sent = new Promise<void>((resolve) => {
    goOut = resolve;
  });
  const io: Io = { out: () => {}, err: (text) => said.push(text), sent: () => sent, terminal };
  return { io, said, raised, send, listening, goOut };
}

describe("holdInterrupts", () => {
  it("says the first interrupt and tells of it, without ending the command; a second ends it at once", () => {
    const { io, said, raised, send } = fakeIo();
    const heard: NodeJS.Signals[] = [];
    holdInterrupts(io, "destroy", (signal) => heard.push(signal));
    send("SIGTERM");
    expect({ said, raised, heard }).toEqual({
      said: ["neslink: SIGTERM: destroy had already finished; its result stands.\n"],
      raised: [],
      heard: ["SIGTERM"],
    });
    send("SIGINT");
    expect(raised).toEqual(["SIGINT"]);
  });

  it("leaves alone a reader's leaving and a hang-up, which reach every handler: the output has nowhere to go", () => {
    const { io, said, raised, send } = fakeIo();
    holdInterrupts(io, "apply");
    send("SIGPIPE");
    send("SIGHUP");
    expect({ said, raised }).toEqual({ said: [], raised: [] });
  });

  it("ends once its last words reached stderr's reader, or a moment after they did not", async () => {
    vi.useFakeTimers();
    try {
      for (const taken of [true, false]) {
        const stuck = fakeIo();
        let reached = () => {};
        stuck.io.errSent = () => new Promise<void>((resolve) => (reached = resolve));
        holdInterrupts(stuck.io, "plan").release();
        stuck.send("SIGTERM");
        await vi.advanceTimersByTimeAsync(HOLD_MS);
        expect(stuck.said).toHaveLength(2);
        expect(stuck.raised).toEqual([]);
        if (taken) reached();
        await vi.advanceTimersByTimeAsync(taken ? 0 : 250);
        expect(stuck.raised).toEqual(["SIGTERM"]);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends of the first interrupt, saying so, once held HOLD_MS with the output not gone out; not once it has", async () => {
    vi.useFakeTimers();
    try {
      const stuck = fakeIo();
      holdInterrupts(stuck.io, "plan").release();
      stuck.send("SIGTERM");
      vi.advanceTimersByTime(HOLD_MS - 1);
      expect(stuck.raised).toEqual([]);
      vi.advanceTimersByTime(1);
      expect({ said: stuck.said, raised: stuck.raised, listening: stuck.listening() }).toEqual({
        said: [
          "neslink: SIGTERM: plan had already finished; its result stands.\n",
          "neslink: SIGTERM: plan's output was not taken within 2 s (its reader does not read); ended.\n",
        ],
        raised: ["SIGTERM"],
        listening: false,
      });
      const taken = fakeIo();
      const released = holdInterrupts(taken.io, "plan").release();
      taken.send("SIGINT");
      taken.goOut();
      await released;
      vi.advanceTimersByTime(HOLD_MS);
      expect(taken.raised).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("holds until what was printed has gone out", async () => {
    const { io, listening, goOut } = fakeIo();
    const released = holdInterrupts(io, "plan").release();
    await Promise.resolve();
    expect(listening()).toBe(true);
    goOut();
    await released;
    expect(listening()).toBe(false);
  });
});
