#!/usr/bin/env python3
"""Makes the changes whose notification latency bench/events-latency.mjs measures.

    python3 changer.py COUNT RATE NAME...

Opens one netlink socket inside each named namespace (setns in and straight
back: this is a process of its own), then, COUNT times at about RATE per
second, sets the MTU of link "va" in the next namespace round-robin to a value
no other change uses (1000 + k) and waits for the kernel's ACK. Prints one
JSON object: {"changes": [[k, mtu, t_ns], ...]} where t_ns is the realtime
clock (time.time_ns) read right before the request was sent.
"""

import ctypes
import json
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTM_NEWLINK = 16
NLM_F_REQUEST, NLM_F_ACK = 1, 4
IFLA_MTU, IFLA_IFNAME = 4, 3
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def socket_in(name, home):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        setns(fd)
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        setns(home)
    finally:
        os.close(fd)
    sock.bind((0, 0))
    return sock


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def set_mtu(seq, mtu):
    body = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + attr(IFLA_IFNAME, b"va\0") + attr(IFLA_MTU, struct.pack("=I", mtu))
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body


def main():
    count, rate, names = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    sockets = [socket_in(n, home) for n in names]
    changes = []
    start = time.monotonic()
    for k in range(count):
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sock = sockets[k % len(sockets)]
        mtu = 1000 + k
        t = time.time_ns()
        sock.send(set_mtu(k + 1, mtu))
        reply = sock.recv(65536)
        errno = -struct.unpack_from("=i", reply, 16)[0]
        if errno:
            raise OSError(errno, f"set mtu {mtu} in {names[k % len(names)]}")
        changes.append([k, mtu, t])
    print(json.dumps({"changes": changes}))


if __name__ == "__main__":
    main()
