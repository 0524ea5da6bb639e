#!/usr/bin/env python3
"""Peer "pyroute2": the benchmark workload written as a pyroute2 user would.

Usage: pyroute2_peer.py [--mode netns|pushns] N PREFIX

--mode netns (default, pyroute2's documented way): IPRoute(netns=NAME) opens a
    socket inside a named namespace, creating the namespace if it is missing
    (flags=O_CREAT); pyroute2 does this in a forked helper process that passes
    the socket back, so it costs one fork per namespace and never moves the
    Python process. Used for setup and inventory.
--mode pushns (the fork-free alternative): pyroute2.netns.pushns() +
    setns(NAME, fork=False) create/enter the namespace in this (single-threaded)
    process, a plain IPRoute() is opened there, popns() returns.

Both: one IPRoute per namespace, opened, used and closed in turn (descriptors
stay bounded; pyroute2's old NetNS proxy breaks past ~170 namespaces); groups=0
(no event subscriptions, which IPRoute() otherwise joins by default); the hub
socket stays open; each veth is created from the hub with its peer created
directly in the target namespace (peer={'ifname': 'eth0', 'net_ns_fd': NS}),
the hub end already enslaved and up in the same request. The hub holds
B = ceil(N/K) bridges (K = BENCH_BRIDGE_PORTS, default 1000: a bridge takes at
most 1023 ports), chained by hub veth pairs created the same way (the b end is
enslaved and set up afterwards: the kernel ignores a master and refuses up for
a veth peer); namespace i goes on bridge (i-1)//K.
IPv6 off (BENCH_IPV6 unset/off): net.ipv6.conf.all.disable_ipv6=1 written
inside each namespace (pushns/popns around the write) before its links exist.

peak_rss_kb = max(getrusage(RUSAGE_SELF), getrusage(RUSAGE_CHILDREN)).ru_maxrss,
i.e. the largest single process of the tree (pyroute2's forked helpers are
copies of this process).
"""
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

import pyroute2
from pyroute2 import IPRoute, netns

IPV6 = os.environ.get('BENCH_IPV6', 'off')
BRIDGE_PORTS = os.environ.get('BENCH_BRIDGE_PORTS') or '1000'
NETNS_DIR = '/run/netns'


def addr_of(i):
    return f'10.200.{i >> 8}.{i & 255}'


def ms_since(t0):
    return round((time.perf_counter() - t0) * 1000, 3)


def disable_ipv6_here():
    if IPV6 != 'on':
        with open('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'w') as f:
            f.write('1')


class Peer:
    def __init__(self, n, prefix, mode, ports):
        self.n, self.p, self.mode, self.ports = n, prefix, mode, ports
        self.hub = prefix + 'hub'
        self.bridges = [f'{prefix}br{k}' for k in range(-(-n // ports))]
        self.ns_re = re.compile('^' + re.escape(prefix) + r'n[0-9]+$')
        self.inventory = {}

    def ns(self, i):
        return f'{self.p}n{i}'

    def names(self):
        return [self.hub] + [self.ns(i) for i in range(1, self.n + 1)]

    def open_new(self, name):
        """Create namespace NAME, apply the IPv6 choice, return an IPRoute in it."""
        if self.mode == 'netns':
            ipr = IPRoute(netns=name, flags=os.O_CREAT | os.O_EXCL, groups=0)
            if IPV6 != 'on':
                netns.pushns(name)
                try:
                    disable_ipv6_here()
                finally:
                    netns.popns()
            return ipr
        netns.pushns()
        try:
            netns.setns(name, flags=os.O_CREAT | os.O_EXCL, fork=False)
            disable_ipv6_here()
            return IPRoute(groups=0)
        finally:
            netns.popns()

    def open_existing(self, name):
        if self.mode == 'netns':
            return IPRoute(netns=name, flags=0, groups=0)
        netns.pushns(name)
        try:
            return IPRoute(groups=0)
        finally:
            netns.popns()

    def setup(self):
        hub = self.open_new(self.hub)
        self.hub_ipr = hub
        (lo,) = hub.link_lookup(ifname='lo')
        hub.link('set', index=lo, state='up')
        br = []
        for name in self.bridges:
            hub.link('add', ifname=name, kind='bridge', state='up')
            (idx,) = hub.link_lookup(ifname=name)
            br.append(idx)
        for k in range(1, len(br)):  # chain bridge k-1 to bridge k
            a, b = f'{self.p}j{k}a', f'{self.p}j{k}b'
            hub.link(
                'add',
                ifname=a,
                kind='veth',
                master=br[k - 1],
                state='up',
                peer={'ifname': b},
            )
            (jb,) = hub.link_lookup(ifname=b)
            hub.link('set', index=jb, master=br[k], state='up')
        for i in range(1, self.n + 1):
            name = self.ns(i)
            with self.open_new(name) as ipr:
                hub.link(
                    'add',
                    ifname=f'{self.p}v{i}',
                    kind='veth',
                    master=br[(i - 1) // self.ports],
                    state='up',
                    peer={'ifname': 'eth0', 'net_ns_fd': name},
                )
                (eth0,) = ipr.link_lookup(ifname='eth0')
                ipr.addr('add', index=eth0, address=addr_of(i), prefixlen=16)
                ipr.link('set', index=eth0, state='up')
                (lo,) = ipr.link_lookup(ifname='lo')
                ipr.link('set', index=lo, state='up')

    def ping(self):
        dst = addr_of(self.n)
        r = subprocess.run(
            ['ip', 'netns', 'exec', self.ns(1), 'ping', '-c1', '-W2', dst],
            capture_output=True,
        )
        if r.returncode != 0:
            raise RuntimeError(f'ping {self.ns(1)} -> {dst} failed: {r.stdout!r}')

    def do_inventory(self):
        for name in self.names():
            with self.open_existing(name) as ipr:
                self.inventory[name] = {
                    'links': list(ipr.get_links()),
                    'addrs': list(ipr.get_addr()),
                }

    def teardown(self):
        self.hub_ipr.close()  # an open socket keeps the hub alive after deletion
        for name in self.names():
            netns.remove(name)

    def cleanup(self):
        try:
            entries = os.listdir(NETNS_DIR)
        except FileNotFoundError:
            return
        for e in entries:
            if e == self.hub or self.ns_re.match(e):
                try:
                    netns.remove(e)
                except OSError as err:
                    print(f'cleanup: {e}: {err}', file=sys.stderr)


def main():
    args = sys.argv[1:]
    mode = 'netns'
    if args[:1] == ['--mode']:
        mode, args = args[1], args[2:]
    if mode not in ('netns', 'pushns') or len(args) != 2:
        sys.exit('usage: pyroute2_peer.py [--mode netns|pushns] N PREFIX')
    n, prefix = int(args[0]), args[1]
    if not (2 <= n <= 65000) or not re.fullmatch(r'[a-z0-9]{3,8}', prefix):
        sys.exit('N must be 2..65000, PREFIX 3..8 of [a-z0-9]')
    if not re.fullmatch(r'[0-9]+', BRIDGE_PORTS) or int(BRIDGE_PORTS) < 1:
        sys.exit('BENCH_BRIDGE_PORTS must be a positive integer')
    peer = Peer(n, prefix, mode, int(BRIDGE_PORTS))

    main_pid = os.getpid()

    def on_signal(signum, _frame):
        # pyroute2 forks helpers (netns mode) and stops them with SIGTERM: a
        # forked helper inherits this handler and the finally below, and
        # must not run our cleanup (it would delete the live namespaces).
        if os.getpid() != main_pid:
            os._exit(0)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        t0 = time.perf_counter()
        peer.setup()
        setup_ms = ms_since(t0)
        peer.ping()
        t0 = time.perf_counter()
        peer.do_inventory()
        inventory_ms = ms_since(t0)
        t0 = time.perf_counter()
        peer.teardown()
        teardown_ms = ms_since(t0)
    finally:
        if os.getpid() == main_pid:
            peer.cleanup()
    inv = peer.inventory.values()
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(json.dumps({
        'peer': 'pyroute2' if mode == 'netns' else 'pyroute2-pushns',
        'version': f'pyroute2 {pyroute2.__version__}, python {sys.version.split()[0]}',
        'n': n,
        'setup_ms': setup_ms,
        'inventory_ms': inventory_ms,
        'teardown_ms': teardown_ms,
        'total_ms': round(setup_ms + inventory_ms + teardown_ms, 3),
        'links': sum(len(v['links']) for v in inv),
        'addrs': sum(len(v['addrs']) for v in inv),
        'peak_rss_kb': rss,
        'ipv6': 'on' if IPV6 == 'on' else 'off',
    }))


if __name__ == '__main__':
    main()
