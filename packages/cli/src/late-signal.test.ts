import { describe, expect, it } from "vitest";
import { holdInterrupts } from "./late-signal.js";
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
