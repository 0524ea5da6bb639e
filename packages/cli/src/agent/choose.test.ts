import { describe, expect, it } from "vitest";
import { agentFor, DEFAULT_SOCKET } from "./choose.js";

describe("whether a call goes to the agent", () => {
  it("NESLINK_AGENT set: every call but `agent` itself", () => {
    const env = { NESLINK_AGENT: "/s" };
    expect(agentFor(["ns", "list"], env)).toEqual({ socket: "/s", argv: ["ns", "list"] });
    expect(agentFor(["--json", "agent", "--detach"], env)).toBeUndefined();
    expect(agentFor(["ns", "list"], { NESLINK_AGENT: "" })).toBeUndefined();
  });

  it("--agent before --: the default socket unless NESLINK_AGENT says another; the flag is not sent", () => {
    expect(agentFor(["--agent", "ns", "list"], {})).toEqual({ socket: DEFAULT_SOCKET, argv: ["ns", "list"] });
    expect(agentFor(["ns", "list", "--agent"], { NESLINK_AGENT: "/s" })).toEqual({ socket: "/s", argv: ["ns", "list"] });
    expect(agentFor(["exec", "a", "--", "prog", "--agent"], {})).toBeUndefined();
    expect(agentFor(["exec", "a", "prog", "--agent"], {})).toBeUndefined();
  });
});
