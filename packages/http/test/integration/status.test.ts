/**
 * HTTP statuses of the errors core really raises: each failure below is made
 * on the real kernel (or file system) through core's public API, and its
 * error mapped as it reaches a client, rebuilt from JSON as workers send it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDefaultPool, errorFromJSON, la, linkDo, lp, na, ns, nsDo, toErrorJSON } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, linksIn, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { statusOf } from "../../src/status.js";

const prefix = uniquePrefix("nh");
const lab = `${prefix}s`;
const scratch = mkdtempSync(join(tmpdir(), "neslink-status-"));

beforeAll(async () => {
  await nsDo(ns.createNamed(lab));
  await linkDo(ns.name(lab), lp.bridge("sbr0"));
});

afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
  rmSync(scratch, { recursive: true, force: true });
});

/** What `work` rejects with: it must fail. */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => expect.unreachable("the work should have failed"),
    (err: unknown) => err,
  );
}

/** The status a client gets for `err`, as it is thrown and as it arrives across threads as JSON; both must agree. */
function status(err: unknown): number {
  const direct = statusOf(err);
  expect(statusOf(errorFromJSON(toErrorJSON(err)))).toBe(direct);
  return direct;
}

describe("statuses of real failures", () => {
  it("400 for bad input core refuses before touching anything", async () => {
    expect(status(await failure(async () => nsDo(ns.name("../../etc/x"), na.links())))).toBe(400);
    expect(status(await failure(async () => linkDo(ns.name(lab), lp.bridge("a name too long for ifnamsiz"))))).toBe(400);
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("a name too long for ifnamsiz");
  });

  it("404 for a namespace, link, address or route that is not there", async () => {
    expect(status(await failure(() => nsDo(ns.name(`${prefix}missing`), na.links())))).toBe(404);
    expect(status(await failure(() => linkDo(ns.name(lab), lp.name("nosuch0"), la.up())))).toBe(404);
    expect(status(await failure(() => nsDo(ns.name(lab), na.deleteNamed(`${prefix}missing`))))).toBe(404);
    const addr = await failure(() => linkDo(ns.name(lab), lp.name("sbr0"), la.delAddr("10.66.0.1/24")));
    expect(addr).toMatchObject({ code: "ERR_ADDR_NOT_FOUND" });
    expect(status(addr)).toBe(404);
    const route = await failure(() => nsDo(ns.name(lab), na.delRoute({ to: "10.66.0.0/24" })));
    expect(route).toMatchObject({ code: "ERR_IP_ROUTE_NOT_FOUND" });
    expect(status(route)).toBe(404);
  });

  it("409 for what exists already: a named namespace (ERR_NS_EXISTS), a link name (ERR_LINK_EXISTS), an address (EEXIST)", async () => {
    const nsExists = await failure(() => nsDo(ns.now(), na.createNamed(lab)));
    expect(nsExists).toMatchObject({ code: "ERR_NS_EXISTS" });
    expect(status(nsExists)).toBe(409);
    const linkExists = await failure(() => linkDo(ns.name(lab), lp.bridge("sbr0")));
    expect(linkExists).toMatchObject({ code: "ERR_LINK_EXISTS" });
    expect(status(linkExists)).toBe(409);
    expect(netnsList(prefix)).toEqual([lab]);
    expect(linksIn(lab).filter((l) => l.ifname === "sbr0")).toHaveLength(1);
    const addrExists = await failure(() => linkDo(ns.name(lab), lp.name("sbr0"), la.addAddr("10.67.0.1/24"), la.addAddr("10.67.0.1/24")));
    expect(addrExists).toMatchObject({ code: "EEXIST" });
    expect(status(addrExists)).toBe(409);
  });

  it("501 for a link kind this kernel lacks", async () => {
    const err = await failure(() => linkDo(ns.name(lab), lp.dummy("sd0")));
    expect(err).toMatchObject({ code: "ERR_KIND_UNSUPPORTED" });
    expect(status(err)).toBe(501);
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("sd0");
  });

  it("exec: 404 for no such program, 403 for one not runnable, 422 for too much output", async () => {
    const notRunnable = join(scratch, "not-runnable");
    writeFileSync(notRunnable, "#!/bin/sh\n");
    chmodSync(notRunnable, 0o644);
    expect(status(await failure(() => nsDo(ns.name(lab), na.exec([`${prefix}-no-such-program`]))))).toBe(404);
    expect(status(await failure(() => nsDo(ns.name(lab), na.exec([notRunnable]))))).toBe(403);
    const tooMuch = await failure(() => nsDo(ns.name(lab), na.exec(["head", "-c", "4096", "/dev/zero"], { maxBuffer: 1024 })));
    expect(tooMuch).toMatchObject({ code: "ERR_EXEC_MAX_BUFFER" });
    expect(status(tooMuch)).toBe(422);
  });

  it("504 for a task past its timeout, 500 for custom code that throws a plain Error", async () => {
    const never = "data:text/javascript,export const wait = () => new Promise(() => {});";
    expect(status(await failure(() => nsDo(ns.name(lab), na.custom(never, "wait"), { timeoutMs: 200 })))).toBe(504);
    const boom = "data:text/javascript,export const boom = () => { throw new Error('boom'); };";
    const err = await failure(() => nsDo(ns.name(lab), na.custom(boom, "boom")));
    expect(err).toMatchObject({ code: "ERR_ACTION_FAILED" });
    expect(status(err)).toBe(500);
  });
});
