/**
 * The errors of exec() and spawn() called directly read as one call's: no
 * "action #0", an index into a list of actions the caller never wrote.
 * Inside an nsDo of several actions, the index stays.
 */
import { ActionError, closeDefaultPool, exec, na, ns, nsDo, Pool, spawn } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("xd");
const lab = `${prefix}a`;
const missing = `${prefix}-no-such-program`;
let pool: Pool;

beforeAll(async () => {
  await nsDo(ns.now(), na.createNamed(lab));
  pool = new Pool({ size: 1 });
});

afterAll(async () => {
  await pool?.close();
  await closeDefaultPool();
  cleanup(prefix);
});

async function failure(work: Promise<unknown>): Promise<ActionError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

/** Said as a direct call's: the reason, then the call's name alone. */
function expectDirect(err: ActionError, code: string): void {
  expect(err.code).toBe(code);
  expect(err.message).not.toMatch(/action #/);
  expect(err.message).toMatch(/ \(exec\)$/);
  // The fields stay those of nsDo's error, for code that reads them.
  expect(err).toMatchObject({ actionIndex: 0, action: "exec" });
}

describe("a direct exec or spawn that fails", () => {
  it("exec: a missing program, through nsenter and on a worker", async () => {
    expectDirect(await failure(exec(ns.name(lab), [missing])), "ENOENT");
    expectDirect(await failure(exec(ns.name(lab), [missing], {}, pool)), "ENOENT");
  });

  it("exec: past maxBuffer", async () => {
    const argv = ["head", "-c", "100000", "/dev/zero"];
    expectDirect(await failure(exec(ns.name(lab), argv, { maxBuffer: 10 })), "ERR_EXEC_MAX_BUFFER");
    expectDirect(await failure(exec(ns.name(lab), argv, { maxBuffer: 10 }, pool)), "ERR_EXEC_MAX_BUFFER");
  });

  it("spawn: a missing program, through nsenter and on a worker", async () => {
    expectDirect(await failure(spawn(ns.name(lab), [missing])), "ENOENT");
    expectDirect(await failure(spawn(ns.name(lab), [missing], {}, pool)), "ENOENT");
  });

  it("inside an nsDo of several actions, still says which", async () => {
    const err = await failure(nsDo(ns.name(lab), na.links(), na.exec([missing])));
    expect(err.message).toMatch(/ \(action #1: exec\)$/);
  });
});
