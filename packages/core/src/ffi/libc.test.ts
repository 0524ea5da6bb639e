// SIOCGIFINDEX in the test's own namespace: any Linux user may ask, and it changes nothing.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { errno } from "../errno.js";
import { SystemCallError } from "../errors.js";
import * as libc from "./libc.js";

const fd = libc.socket(libc.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, libc.NETLINK_ROUTE);
afterAll(() => libc.close(fd));

describe("ifIndex", () => {
  it("gives the index the kernel lists for each link of the socket's namespace", () => {
    const names = readFileSync("/proc/net/dev", "utf8")
      .split("\n")
      .slice(2)
      .flatMap((line) => (line.includes(":") ? [line.split(":")[0]?.trim() as string] : []));
    expect(names).toContain("lo");
    for (const name of names) {
      expect(libc.ifIndex(fd, name)).toBe(Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8")));
    }
  });

  it("fails with ENODEV for a name no link has, and refuses a name longer than IFNAMSIZ allows", () => {
    const missing = (() => {
      try {
        return libc.ifIndex(fd, "nosuchlink0");
      } catch (err) {
        return err;
      }
    })();
    expect(missing).toBeInstanceOf(SystemCallError);
    expect((missing as SystemCallError).code).toBe("ENODEV");
    expect(() => libc.ifIndex(fd, "a".repeat(16))).toThrow(/longer than 15 bytes/);
  });
});

describe("eventfd and poll", () => {
  it("wakes poll() at once when signalled, and times out when not", () => {
    const wake = libc.eventfd();
    try {
      const fds = new Uint8Array(8);
      const view = new DataView(fds.buffer);
      view.setInt32(0, wake, true);
      view.setInt16(4, libc.POLLIN, true);
      expect(libc.poll(fds, 10)).toBe(0);
      libc.signalEventfd(wake);
      const started = performance.now();
      expect(libc.poll(fds, 30_000)).toBe(1);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(view.getInt16(6, true) & libc.POLLIN).toBe(libc.POLLIN);
      expect(libc.drainEventfd(wake)).toBe(true);
      expect(libc.drainEventfd(wake)).toBe(false);
    } finally {
      libc.close(wake);
    }
  });
});

describe("namespaceHandle", () => {
  const own = libc.openUntracked("/proc/thread-self/ns/net");
  afterAll(() => libc.close(own));
  const handle = libc.namespaceHandle(own);

  // Linux 6.18+ gives nsfs handles; opening one takes root (CAP_SYS_ADMIN over the namespace).
  it.skipIf(handle === undefined || process.getuid?.() !== 0)("opens the namespace it names again, holding nothing meanwhile", () => {
    const fd = libc.openNamespaceHandle(handle as Uint8Array);
    expect(fd).toBeTypeOf("number");
    try {
      expect(libc.nsId(fd as number)).toBe(libc.nsId(own));
    } finally {
      libc.close(fd as number);
    }
  });
});

describe("MessageReceiver", () => {
  it("receives a datagram into native memory without waiting, and says when none is queued", async () => {
    const { decodeMessages, encodeRequests } = await import("@neslink/codec-wasm");
    const receiver = new libc.MessageReceiver(1 << 16);
    try {
      expect(receiver.receive(fd)).toBe(-errno.EAGAIN);
      libc.send(fd, encodeRequests([{ type: "getLinkDump", seq: 7 }]));
      const n = receiver.receive(fd);
      expect(n).toBeGreaterThan(16);
      const messages = decodeMessages(receiver.data.subarray(0, n));
      expect(messages.some((m) => m.kind === "link" && m.link.name === "lo")).toBe(true);
      // No NETLINK_LISTEN_ALL_NSID on this socket: no control message.
      expect(receiver.controlInt(libc.SOL_NETLINK, libc.NETLINK_LISTEN_ALL_NSID)).toBeUndefined();
      while (receiver.receive(fd) > 0) {
        // the rest of the dump
      }
    } finally {
      receiver.free();
    }
  });
});
