// The kernel floor of the bench's namespace phase: for each of N named
// namespaces, the system calls neslink's creation task makes (mount-point
// file, unshare, bind mount, the disable_ipv6 sysctl, a NETLINK_ROUTE socket
// and lo up), in C, on T threads, each returning to its own namespace.
// Nothing else runs, so the time is what the kernel itself needs.
//
//   cc -O2 -pthread -o /tmp/floor bench/floor/create-namespaces.c
//   /tmp/floor 500 2 bpfloor     # N threads PREFIX; prints the time
//
// It removes every namespace it made, and only those, before it exits, also
// when a step fails.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int n, threads;
static const char *prefix;
/** made[i]: this run created namespace i's file (and so removes it). */
static unsigned char *made;
static atomic_int failed;

static void path_of(int i, char *out, size_t size) { snprintf(out, size, "/run/netns/%sn%d", prefix, i); }

static int fail(const char *what) {
  perror(what);
  atomic_store(&failed, 1);
  return -1;
}

/** RTM_NEWLINK for ifindex 1 (lo) with IFF_UP, and its ACK. */
static int lo_up(int fd) {
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } req = {0};
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_NEWLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.h.nlmsg_seq = 1;
  req.i.ifi_index = 1;
  req.i.ifi_flags = IFF_UP;
  req.i.ifi_change = IFF_UP;
  char buf[4096];
  if (send(fd, &req, sizeof req, 0) < 0 || recv(fd, buf, sizeof buf, 0) < 0) return fail("lo up");
  struct nlmsgerr *ack = NLMSG_DATA((struct nlmsghdr *)buf);
  if (ack->error) {
    errno = -ack->error;
    return fail("lo up");
  }
  return 0;
}

static int create_one(int i, int home) {
  char path[256];
  path_of(i, path, sizeof path);
  int file = open(path, O_RDONLY | O_CREAT | O_EXCL, 0444);
  if (file < 0) return fail(path);
  made[i] = 1;
  close(file);
  if (unshare(CLONE_NEWNET)) return fail("unshare");
  int rc = mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) ? fail("mount") : 0;
  int sysctl = rc ? -1 : open("/proc/sys/net/ipv6/conf/all/disable_ipv6", O_WRONLY);
  if (!rc && (sysctl < 0 || write(sysctl, "1", 1) != 1)) rc = fail("disable_ipv6");
  if (sysctl >= 0) close(sysctl);
  if (!rc) {
    // Kept open, as neslink keeps one socket per namespace.
    int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    rc = nl < 0 || bind(nl, (struct sockaddr *)&local, sizeof local) ? fail("netlink socket") : lo_up(nl);
  }
  if (setns(home, CLONE_NEWNET)) {
    perror("setns home");
    exit(3); // this thread is stranded: nothing more may run on it
  }
  return rc;
}

static void *work(void *arg) {
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    fail("home namespace");
    return NULL;
  }
  for (int i = (int)(long)arg; i < n && !atomic_load(&failed); i += threads) create_one(i, home);
  close(home);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4 || (n = atoi(argv[1])) < 1 || (threads = atoi(argv[2])) < 1 || threads > 64 || !*argv[3]) {
    fprintf(stderr, "usage: %s N THREADS(1-64) PREFIX\n", argv[0]);
    return 2;
  }
  prefix = argv[3];
  made = calloc(n, 1);
  if (!made) return fail("calloc"), 1;
  mkdir("/run/netns", 0755);
  pthread_t tid[64];
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long t = 0; t < threads; t++) pthread_create(&tid[t], NULL, work, (void *)t);
  for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &end);
  for (int i = 0; i < n; i++) {
    if (!made[i]) continue;
    char path[256];
    path_of(i, path, sizeof path);
    umount2(path, MNT_DETACH);
    unlink(path);
  }
  if (atomic_load(&failed)) return 1;
  printf("%d namespaces on %d thread(s): %.1f ms\n", n, threads,
         (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6);
  return 0;
}
