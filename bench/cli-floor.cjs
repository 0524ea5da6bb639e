#!/usr/bin/env node
/**
 * The least a process built as neslink is (Node, koffi, the wasm codec) can
 * do for `link set NAME mtu N -n NS`: koffi's native module loaded directly,
 * the codec loaded and one request encoded, setns, a netlink socket, the
 * request sent, its ack read and decoded. No argument parsing, no checks, no
 * errors worth the name: not a tool, a measure of what the design costs
 * before any of neslink's own code runs (bench/cli-startup.mjs times it
 * beside `neslink link set`, against the same floor).
 * Usage (root): node bench/cli-floor.cjs NS NAME MTU
 */
"use strict";
const [ns, name, mtu] = process.argv.slice(2);
const native = require.resolve("@koromix/koffi-linux-x64/package.json").replace(/package\.json$/, "linux_x64/koffi.node");
const koffiModule = { exports: {} };
process.dlopen(koffiModule, native);
const libc = koffiModule.exports.load("libc.so.6");
const open = libc.func("int open(const char *path, int flags)");
const setns = libc.func("int setns(int fd, int nstype)");
const socket = libc.func("int socket(int domain, int type, int protocol)");
const send = libc.func("intptr_t send(int fd, const void *buf, size_t len, int flags)");
const recv = libc.func("intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)");
// By its path in this repository, not by the package's name: Node 20 resolves a package that has an "exports" map
// through its ES module resolver, loaded at the first such require (~13M instructions), which neslink no longer pays.
const { encodeRequests, decodeMessages } = require(`${__dirname}/../packages/codec-wasm/index.cjs`);

const O_CLOEXEC = 0o2000000;
const nsFd = open(`/run/netns/${ns}`, O_CLOEXEC);
if (nsFd < 0 || setns(nsFd, 0x40000000 /* CLONE_NEWNET */) !== 0) throw new Error(`cannot enter ${ns}`);
const fd = socket(16 /* AF_NETLINK */, 3 /* SOCK_RAW */ | O_CLOEXEC, 0 /* NETLINK_ROUTE */);
const request = encodeRequests([{ type: "setLink", seq: 1, byName: name, mtu: Number(mtu) }]);
if (Number(send(fd, request, request.byteLength, 0)) !== request.byteLength) throw new Error("send failed");
const reply = Buffer.alloc(8192);
const [ack] = decodeMessages(reply.subarray(0, Number(recv(fd, reply, reply.byteLength, 0))));
if (ack?.kind !== "error" || ack.errno !== 0) throw new Error(`refused: ${JSON.stringify(ack)}`);
