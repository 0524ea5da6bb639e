// Peer "go-seq" / "go-goroutines": the benchmark workload written as a careful
// Go user would with github.com/vishvananda/netlink + netns.
//
// Usage: go-peer -mode seq|goroutines [-workers W] N PREFIX
//
// Threading rules followed (a namespace belongs to an OS thread):
//   - every goroutine that switches namespace calls runtime.LockOSThread first,
//     captures its origin namespace on that same thread, and switches back;
//   - if switching back fails, the goroutine returns WITHOUT unlocking, so the
//     Go runtime destroys that (dirty) thread instead of reusing it;
//   - netlink sockets are opened once per namespace (NETLINK_ROUTE only) and
//     used from anywhere: a socket stays in the namespace it was created in.
//
// Topology: B = ceil(N/K) bridges in the hub (K = BENCH_BRIDGE_PORTS, default
// 1000: a bridge takes at most 1023 ports), chained by hub veth pairs; namespace
// i is attached to bridge (i-1)/K.
//
// peak_rss_kb = max(getrusage(RUSAGE_SELF), getrusage(RUSAGE_CHILDREN)).ru_maxrss:
// the largest peak RSS of a single process of the tree (the Go process itself;
// its only children are the untimed ping and nothing else).
package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

const netnsDir = "/run/netns"

// stopping is set by SIGINT/SIGTERM: loops stop handing out work, run()
// returns an error and main cleans up on its own (locked) thread.
var stopping atomic.Bool

var errStopped = errors.New("stopped by signal")

var (
	mode    = flag.String("mode", "seq", "seq | goroutines")
	workers = flag.Int("workers", 4, "goroutines for -mode goroutines")
	ipv6    = os.Getenv("BENCH_IPV6")
)

type nsInventory struct {
	Links []netlink.Link
	Addrs []netlink.Addr
}

type cfg struct {
	n        int
	prefix   string
	hub      string
	ports    int   // namespaces per bridge (K)
	brIndex  []int // ifindex of bridge k in the hub
	hubNs    netns.NsHandle
	inv      map[string]nsInventory
	invMu    sync.Mutex
	nsNameRe *regexp.Regexp
}

func (c *cfg) nsName(i int) string   { return fmt.Sprintf("%sn%d", c.prefix, i) }
func (c *cfg) vethName(i int) string { return fmt.Sprintf("%sv%d", c.prefix, i) }
func addrOf(i int) net.IP            { return net.IPv4(10, 200, byte(i>>8), byte(i&255)) }

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// disableIPv6 writes the sysctl of the namespace the calling (locked) thread is in.
// /proc/sys/net resolves against the calling thread's namespace.
func disableIPv6() error {
	if ipv6 == "on" {
		return nil
	}
	return os.WriteFile("/proc/sys/net/ipv6/conf/all/disable_ipv6", []byte("1"), 0o644)
}

// createNs creates a named namespace on the calling goroutine's locked thread,
// applies the IPv6 choice, opens a NETLINK_ROUTE handle inside it, and returns
// to origin. dirty=true means the thread could not return and must die.
func createNs(name string, origin netns.NsHandle) (h *netlink.Handle, ns netns.NsHandle, dirty bool, err error) {
	ns, err = netns.NewNamed(name)
	if err != nil {
		// NewNamed may have unshared already: always try to return.
		if serr := netns.Set(origin); serr != nil {
			return nil, ns, true, fmt.Errorf("create %s: %v; and return failed: %v", name, err, serr)
		}
		return nil, ns, false, fmt.Errorf("create %s: %w", name, err)
	}
	err = disableIPv6()
	if err == nil {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	}
	if serr := netns.Set(origin); serr != nil {
		return h, ns, true, fmt.Errorf("return from %s failed: %v", name, serr)
	}
	if err != nil {
		ns.Close()
		return nil, netns.None(), false, fmt.Errorf("%s: %w", name, err)
	}
	return h, ns, false, nil
}

// configure runs the per-namespace part of the setup (after createNs).
func (c *cfg) configure(i int, hubH, h *netlink.Handle, ns netns.NsHandle) error {
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: c.vethName(i), MasterIndex: c.brIndex[(i-1)/c.ports], Flags: net.FlagUp},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsFd(int(ns)),
	}
	if err := hubH.LinkAdd(veth); err != nil {
		return fmt.Errorf("veth %s: %w", veth.Name, err)
	}
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		return fmt.Errorf("%s eth0: %w", c.nsName(i), err)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: addrOf(i), Mask: net.CIDRMask(16, 32)}}
	if err := h.AddrAdd(eth0, addr); err != nil {
		return fmt.Errorf("%s addr: %w", c.nsName(i), err)
	}
	if err := h.LinkSetUp(eth0); err != nil {
		return err
	}
	lo, err := h.LinkByName("lo")
	if err != nil {
		return err
	}
	return h.LinkSetUp(lo)
}

func (c *cfg) setupHub(origin netns.NsHandle) (*netlink.Handle, error) {
	h, ns, dirty, err := createNs(c.hub, origin)
	if dirty {
		panic(err) // main thread dirty: nothing may run on it any more
	}
	if err != nil {
		return nil, err
	}
	c.hubNs = ns
	lo, err := h.LinkByName("lo")
	if err == nil {
		err = h.LinkSetUp(lo)
	}
	if err != nil {
		return nil, err
	}
	for k := 0; k < (c.n+c.ports-1)/c.ports; k++ {
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("%sbr%d", c.prefix, k), Flags: net.FlagUp}}
		if err := h.LinkAdd(br); err != nil {
			return nil, fmt.Errorf("bridge %s: %w", br.Name, err)
		}
		c.brIndex = append(c.brIndex, br.Attrs().Index)
	}
	// Chain bridge k-1 to bridge k. The kernel ignores a master and refuses up
	// for a veth peer, so the b end is enslaved and set up by its own requests.
	for k := 1; k < len(c.brIndex); k++ {
		j := &netlink.Veth{
			LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("%sj%da", c.prefix, k), MasterIndex: c.brIndex[k-1], Flags: net.FlagUp},
			PeerName:  fmt.Sprintf("%sj%db", c.prefix, k),
		}
		if err := h.LinkAdd(j); err != nil {
			return nil, fmt.Errorf("joint %s: %w", j.Name, err)
		}
		b, err := h.LinkByName(j.PeerName)
		if err == nil {
			err = h.LinkSetMasterByIndex(b, c.brIndex[k])
		}
		if err == nil {
			err = h.LinkSetUp(b)
		}
		if err != nil {
			return nil, fmt.Errorf("joint %s: %w", j.PeerName, err)
		}
	}
	return h, nil
}

func (c *cfg) setupSeq(origin netns.NsHandle, hubH *netlink.Handle) error {
	for i := 1; i <= c.n; i++ {
		if stopping.Load() {
			return errStopped
		}
		h, ns, dirty, err := createNs(c.nsName(i), origin)
		if dirty {
			panic(err)
		}
		if err != nil {
			return err
		}
		err = c.configure(i, hubH, h, ns)
		h.Close()
		ns.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// parallel runs job(i) for i in 1..n on w goroutines, each locked to its
// thread. worker() prepares per-goroutine state on the locked thread.
func parallel(n, w int, worker func() (job func(i int) (dirty bool, err error), done func(), err error)) error {
	jobs := make(chan int)
	errs := make(chan error, w)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			job, done, err := worker()
			if err != nil {
				errs <- err
				runtime.UnlockOSThread()
				for range jobs {
				}
				return
			}
			for i := range jobs {
				dirty, err := job(i)
				if err != nil {
					errs <- err
					if dirty {
						// leave the thread locked: the runtime terminates it.
						go func() {
							for range jobs {
							}
						}()
						return
					}
					break
				}
			}
			done()
			runtime.UnlockOSThread()
			for range jobs {
			}
		}()
	}
	for i := 1; i <= n && !stopping.Load(); i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	var all []error
	if stopping.Load() {
		all = append(all, errStopped)
	}
	for e := range errs {
		all = append(all, e)
	}
	return errors.Join(all...)
}

func (c *cfg) setupPar() error {
	return parallel(c.n, *workers, func() (func(int) (bool, error), func(), error) {
		origin, err := netns.Get() // captured on this goroutine's locked thread
		if err != nil {
			return nil, nil, err
		}
		hubH, err := netlink.NewHandleAt(c.hubNs, unix.NETLINK_ROUTE)
		if err != nil {
			origin.Close()
			return nil, nil, err
		}
		job := func(i int) (bool, error) {
			h, ns, dirty, err := createNs(c.nsName(i), origin)
			if err != nil {
				return dirty, err
			}
			err = c.configure(i, hubH, h, ns)
			h.Close()
			ns.Close()
			return false, err
		}
		return job, func() { hubH.Close(); origin.Close() }, nil
	})
}

func dumpRetry[T any](what string, f func() ([]T, error)) ([]T, error) {
	for try := 0; ; try++ {
		v, err := f()
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) || try == 4 {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
}

func (c *cfg) inventoryOne(name string) error {
	ns, err := netns.GetFromName(name)
	if err != nil {
		return err
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer h.Close()
	links, err := dumpRetry(name+" links", h.LinkList)
	if err != nil {
		return err
	}
	addrs, err := dumpRetry(name+" addrs", func() ([]netlink.Addr, error) { return h.AddrList(nil, netlink.FAMILY_ALL) })
	if err != nil {
		return err
	}
	c.invMu.Lock()
	c.inv[name] = nsInventory{links, addrs}
	c.invMu.Unlock()
	return nil
}

func (c *cfg) allNames() []string {
	names := []string{c.hub}
	for i := 1; i <= c.n; i++ {
		names = append(names, c.nsName(i))
	}
	return names
}

func (c *cfg) inventory(par bool) error {
	names := c.allNames()
	if !par {
		for _, n := range names {
			if stopping.Load() {
				return errStopped
			}
			if err := c.inventoryOne(n); err != nil {
				return err
			}
		}
		return nil
	}
	// NewHandleAt locks the thread and switches back itself.
	return parallel(len(names), *workers, func() (func(int) (bool, error), func(), error) {
		return func(i int) (bool, error) { return false, c.inventoryOne(names[i-1]) }, func() {}, nil
	})
}

func (c *cfg) teardown(par bool) error {
	names := c.allNames()
	if !par {
		for _, n := range names {
			if err := netns.DeleteNamed(n); err != nil {
				return err
			}
		}
		return nil
	}
	return parallel(len(names), *workers, func() (func(int) (bool, error), func(), error) {
		return func(i int) (bool, error) { return false, netns.DeleteNamed(names[i-1]) }, func() {}, nil
	})
}

// cleanup deletes every namespace of this run still present (also on failure).
func (c *cfg) cleanup() {
	ents, _ := os.ReadDir(netnsDir)
	for _, e := range ents {
		if e.Name() == c.hub || c.nsNameRe.MatchString(e.Name()) {
			if err := netns.DeleteNamed(e.Name()); err != nil {
				fmt.Fprintf(os.Stderr, "cleanup: %s: %v\n", e.Name(), err)
			}
		}
	}
}

func version() string {
	parts := []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if strings.HasPrefix(d.Path, "github.com/vishvananda/") {
				parts = append(parts, strings.TrimPrefix(d.Path, "github.com/vishvananda/")+" "+d.Version)
			}
		}
	}
	return strings.Join(append(parts, runtime.Version()), ", ")
}

func peakRSS() int64 {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	return max(self.Maxrss, kids.Maxrss)
}

func run(c *cfg) (map[string]any, error) {
	runtime.LockOSThread() // main goroutine stays on the main thread for namespace work
	origin, err := netns.Get()
	if err != nil {
		return nil, err
	}
	defer origin.Close()
	par := *mode == "goroutines"

	t0 := time.Now()
	hubH, err := c.setupHub(origin)
	if err != nil {
		return nil, err
	}
	defer hubH.Close()
	defer c.hubNs.Close()
	if par {
		err = c.setupPar()
	} else {
		err = c.setupSeq(origin, hubH)
	}
	if err != nil {
		return nil, err
	}
	setupMs := msSince(t0)

	dst := addrOf(c.n).String()
	if out, err := exec.Command("ip", "netns", "exec", c.nsName(1), "ping", "-c1", "-W2", dst).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ping %s -> %s failed: %v\n%s", c.nsName(1), dst, err, out)
	}

	t0 = time.Now()
	if err := c.inventory(par); err != nil {
		return nil, err
	}
	invMs := msSince(t0)
	links, addrs := 0, 0
	for _, v := range c.inv {
		links += len(v.Links)
		addrs += len(v.Addrs)
	}

	hubH.Close()
	c.hubNs.Close() // an open fd would keep the hub alive after deletion
	t0 = time.Now()
	if err := c.teardown(par); err != nil {
		return nil, err
	}
	tearMs := msSince(t0)

	name := "go-seq"
	if par {
		name = "go-goroutines"
	}
	v6 := "off"
	if ipv6 == "on" {
		v6 = "on"
	}
	return map[string]any{
		"peer": name, "version": version(), "n": c.n,
		"setup_ms": setupMs, "inventory_ms": invMs, "teardown_ms": tearMs,
		"total_ms": setupMs + invMs + tearMs, "links": links, "addrs": addrs,
		"peak_rss_kb": peakRSS(), "ipv6": v6, "workers": map[bool]int{true: *workers, false: 1}[par],
	}, nil
}

func main() {
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-peer -mode seq|goroutines [-workers W] N PREFIX")
		os.Exit(2)
	}
	var n int
	if _, err := fmt.Sscan(flag.Arg(0), &n); err != nil || n < 2 || n > 65000 {
		fmt.Fprintln(os.Stderr, "N must be 2..65000")
		os.Exit(2)
	}
	prefix := flag.Arg(1)
	ports, err := strconv.Atoi(cmp.Or(os.Getenv("BENCH_BRIDGE_PORTS"), "1000"))
	if err != nil || ports < 1 {
		fmt.Fprintln(os.Stderr, "BENCH_BRIDGE_PORTS must be a positive integer")
		os.Exit(2)
	}
	if !regexp.MustCompile(`^[a-z0-9]{3,8}$`).MatchString(prefix) || (*mode != "seq" && *mode != "goroutines") || *workers < 1 {
		fmt.Fprintln(os.Stderr, "bad PREFIX, -mode or -workers")
		os.Exit(2)
	}
	c := &cfg{n: n, prefix: prefix, hub: prefix + "hub", ports: ports, hubNs: netns.None(),
		inv: map[string]nsInventory{}, nsNameRe: regexp.MustCompile("^" + prefix + `n[0-9]+$`)}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		stopping.Store(true)
		time.Sleep(20 * time.Second) // main normally cleans up and exits first
		c.cleanup()
		os.Exit(130)
	}()

	res, err := func() (res map[string]any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return run(c)
	}()
	c.cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go peer:", err)
		if stopping.Load() {
			os.Exit(130)
		}
		os.Exit(1)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
