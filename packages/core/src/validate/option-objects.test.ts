/**
 * Options objects of the public API take their own fields only: a misspelt one
 * (`loalias`, `sise`, `group`, `stdoi`) is refused naming it, not dropped (which
 * would silently do something other than asked: no marker, the default size,
 * every group, pipes instead of the terminal). Refused before anything starts.
 */
import { describe, expect, it } from "vitest";
import { watch } from "../events/watch.js";
import { spawn } from "../exec.js";
import { createNamed, now } from "../namespace/providers.js";
import { Pool } from "../pool/pool.js";

const refusedAs = (field: string) => expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field });

describe("options objects", () => {
  it("ns.createNamed", () => {
    expect(() => createNamed("lab", "/run/netns", { loalias: "neslink:lab:a" } as never)).toThrow(refusedAs("options.loalias"));
    expect(() => createNamed("lab", "/run/netns", null as never)).toThrow(refusedAs("options"));
    expect(createNamed("lab", "/run/netns", { loAlias: "neslink:lab:a" })).toMatchObject({ kind: "newNamed", loAlias: "neslink:lab:a" });
  });

  it("new Pool", () => {
    expect(() => new Pool({ sise: 2 } as never)).toThrow(refusedAs("options.sise"));
    expect(() => new Pool(7 as never)).toThrow(refusedAs("options"));
  });

  it("watch", () => {
    expect(() => watch(now(), { group: ["link"] } as never)).toThrow(refusedAs("options.group"));
    expect(() => watch(now(), null as never)).toThrow(refusedAs("options"));
  });

  it("spawn", async () => {
    await expect(spawn(now(), ["true"], { stdoi: "inherit" } as never)).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.stdoi",
    });
  });
});
