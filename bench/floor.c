/* The floor of the hook benchmark: a static C program that makes the same changes
 * as hookctl with the fewest system calls (no config, no state, no journal), to
 * see how far above the cost of process start plus the work itself hookctl is.
 *
 *   floor sysctls IF V1 V2 V3 V4  net.ipv6.conf.IF.{use_tempaddr,forwarding,autoconf,accept_ra}
 *   floor rules add|del           ipv4 rules to 198.51.100.10/32 and 203.0.113.20/32, table 199
 *   floor swap OLD NEW PRIO       ipv6 rule from OLD/64 deleted, from NEW/64 added, table 199
 *   floor prefix OLD NEW PRIO CONF PIDFILE
 *                                 swap, then a radvd.conf for NEW/64 on int2 written to
 *                                 CONF.tmp and renamed over CONF, then SIGHUP to the pid
 *                                 in PIDFILE if /proc/PID/comm says radvd (what a prefix
 *                                 change does, without the validator)
 *   floor noop                    nothing: process start and exit, the least any event costs
 *
 *   floor io CONFIG STATEDIR MODE ARGS...
 *                                 MODE inside the file and socket calls a hookctl event
 *                                 makes around its changes, so that hookctl minus this
 *                                 floor is what hookctl's own code costs (the benchmark
 *                                 prints both sides' system call counts): CONFIG read
 *                                 whole, the boot id, STATEDIR and STATEDIR/journal
 *                                 lstat'd, the lock taken, state.json read, the kernel's
 *                                 rules dumped, journal/last-id bumped, a journal line
 *                                 appended; the change (each sysctl read before it is
 *                                 written, through the interface's directory); then
 *                                 state.json rewritten through state.json.old and swapped
 *                                 in, a second journal line, the lock dropped, /dev/log
 *                                 tried, a report on stdout. With noop (nothing to do):
 *                                 one journal line and no state write. Lines and report
 *                                 are fixed sizes close to hookctl's.
 *
 * Built by bench/hook_bench.sh with `cc -O2 -static`. */
#define _GNU_SOURCE /* renameat2 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_sysctl(const char* ifname, const char* leaf, const char* value) {
    char path[256];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/%s", ifname, leaf);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, value, strlen(value));
    close(fd);
    return n < 0 ? -1 : 0;
}

struct request {
    struct nlmsghdr h;
    struct fib_rule_hdr r;
    char attrs[128];
};

static void attr(struct request* q, unsigned short type, const void* data, unsigned short len) {
    struct nlattr* a = (struct nlattr*)((char*)q + NLMSG_ALIGN(q->h.nlmsg_len));
    a->nla_type = type;
    a->nla_len = (unsigned short)(NLA_HDRLEN + len);
    memcpy((char*)a + NLA_HDRLEN, data, len);
    q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static int rule(int fd, int add, int family, int to, const char* address, int len, unsigned prio) {
    struct request q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r);
    q.h.nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
    q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    q.r.family = (unsigned char)family;
    q.r.action = FR_ACT_TO_TBL;
    q.r.table = 199;
    unsigned char buf[16];
    inet_pton(family, address, buf);
    if (to)
        q.r.dst_len = (unsigned char)len;
    else
        q.r.src_len = (unsigned char)len;
    attr(&q, to ? FRA_DST : FRA_SRC, buf, family == AF_INET ? 4 : 16);
    attr(&q, FRA_PRIORITY, &prio, 4);
    unsigned char proto = 212;
    attr(&q, FRA_PROTOCOL, &proto, 1);
    if (send(fd, &q, q.h.nlmsg_len, 0) < 0) return -1;
    char reply[4096];
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) return -1;
    struct nlmsgerr* e = NLMSG_DATA((struct nlmsghdr*)reply);
    return e->error;
}

static int durable_files; /* io: files fsynced before the rename, as hookctl does */

static int write_radvd_conf(const char* conf, const char* prefix) {
    char tmp[512], text[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", conf);
    int len = snprintf(text, sizeof text,
                       "interface int2 {\n    AdvSendAdvert on;\n    AdvManagedFlag on;\n"
                       "    MinRtrAdvInterval 3;\n    MaxRtrAdvInterval 10;\n"
                       "    prefix %s/64 {\n    };\n};\n",
                       prefix);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, (size_t)len);
    if (durable_files && fsync(fd) != 0) n = -1;
    close(fd);
    if (n != len) return -1;
    return rename(tmp, conf);
}

static int hup_radvd(const char* pidfile) {
    char buf[64], path[64];
    int fd = open(pidfile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    int pid = atoi(buf);
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n != 6 || memcmp(buf, "radvd\n", 6) != 0) return -1;
    return kill(pid, SIGHUP);
}

/* ---- io: the I/O of a hookctl event around its changes */

static char state_text[65536];
static ssize_t state_size;
static char line[4096];

static int path_in(char* out, size_t size, const char* dir, const char* name) {
    return snprintf(out, size, "%s/%s", dir, name) < (int)size ? 0 : -1;
}

static ssize_t read_whole(const char* path, char* buf, size_t size, int stat_first) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    ssize_t total = 0, n;
    if (stat_first && fstat(fd, &st) != 0) total = -1;
    while (total >= 0 && (size_t)total < size && (n = read(fd, buf + total, size - (size_t)total)) > 0)
        total += n;
    close(fd);
    return total;
}

/* One journal line of `size` bytes, appended after checking the segment ends with \n. */
static int journal_line(int segment, size_t size) {
    struct stat st;
    char last;
    if (fstat(segment, &st) != 0) return -1;
    if (st.st_size > 0 && pread(segment, &last, 1, st.st_size - 1) != 1) return -1;
    memset(line, 'x', size - 1);
    line[size - 1] = '\n';
    return write(segment, line, size) == (ssize_t)size ? 0 : -1;
}

static int netlink = -1; /* io: the dump's socket, used for the changes too */

static int dump_rules(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    int one = 1;
    if (bind(fd, (struct sockaddr*)&local, sizeof local) != 0) return -1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
    struct request q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r);
    q.h.nlmsg_type = RTM_GETRULE;
    q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    q.h.nlmsg_seq = 1;
    if (send(fd, &q, q.h.nlmsg_len, 0) < 0) return -1;
    static char reply[65536];
    for (;;) {
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n <= 0) return -1;
        for (struct nlmsghdr* h = (struct nlmsghdr*)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return netlink = fd;
    }
}

/* Before the change: returns the journal segment's descriptor, the lock's in *lock. */
static int io_before(const char* config, const char* dir, int changes, int* lock) {
    static char buf[65536];
    char path[512], boot[64];
    struct stat st;
    if (read_whole(config, buf, sizeof buf, 1) <= 0) return -1;
    struct sigaction stop = {.sa_handler = SIG_IGN}, child;
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGCHLD, NULL, &child);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (read_whole("/proc/sys/kernel/random/boot_id", boot, sizeof boot, 0) <= 0) return -1;
    if (lstat(dir, &st) != 0 || geteuid() != st.st_uid) return -1;
    if (path_in(path, sizeof path, dir, "journal") != 0 || lstat(path, &st) != 0 || geteuid() != st.st_uid)
        return -1;
    if (path_in(path, sizeof path, dir, "lock") != 0) return -1;
    *lock = open(path, O_RDWR | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (*lock < 0 || fstat(*lock, &st) != 0 || flock(*lock, LOCK_EX | LOCK_NB) != 0) return -1;
    if (path_in(path, sizeof path, dir, "state.json") != 0) return -1;
    state_size = read_whole(path, state_text, sizeof state_text, 0);
    if (state_size < 0 || dump_rules() < 0) return -1;
    if (path_in(path, sizeof path, dir, "journal/last-id") != 0) return -1;
    int id = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (id < 0 || flock(id, LOCK_EX) != 0) return -1;
    char number[32] = "000000000000000000\n";
    if (pread(id, number, sizeof number, 0) < 0 || pwrite(id, number, 19, 0) != 19) return -1;
    close(id);
    if (path_in(path, sizeof path, dir, "journal/00000001.jsonl") != 0) return -1;
    int segment = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (segment < 0 || journal_line(segment, changes ? 500 : 1500) != 0) return -1;
    return segment;
}

/* After the change. */
static int io_after(const char* dir, int changes, int segment, int lock) {
    char path[512], old[512];
    if (changes) {
        struct stat st;
        if (path_in(old, sizeof old, dir, "state.json.old") != 0 ||
            path_in(path, sizeof path, dir, "state.json") != 0)
            return -1;
        int fd = open(old, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || fstat(fd, &st) != 0 || pwrite(fd, state_text, (size_t)state_size, 0) != state_size)
            return -1;
        close(fd);
        if (renameat2(AT_FDCWD, old, AT_FDCWD, path, RENAME_EXCHANGE) != 0) return -1;
        if (journal_line(segment, 2000) != 0) return -1;
    }
    close(lock);
    getpid();
    int log = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un to = {.sun_family = AF_UNIX, .sun_path = "/dev/log"};
    if (log >= 0 && connect(log, (struct sockaddr*)&to, sizeof to) == 0) send(log, line, 100, 0);
    if (log >= 0) close(log);
    struct stat st;
    fstat(1, &st);
    isatty(1);
    memset(line, 'r', 800);
    return write(1, line, changes ? 800 : 70) > 0 ? 0 : -1;
}

/* hookctl's way to a sysctl: the interface's directory, then each key read and written. */
static int rw_sysctls(const char* ifname, char** values) {
    const char* leaves[] = {"accept_ra", "autoconf", "forwarding", "use_tempaddr"};
    char path[256], old[4096];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s", ifname);
    int dir = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (dir < 0) return -1;
    for (int i = 0; i < 4; ++i) {
        int fd = openat(dir, leaves[i], O_RDWR | O_CLOEXEC);
        if (fd < 0 || read(fd, old, sizeof old) < 0) return -1;
        if (pwrite(fd, values[3 - i], strlen(values[3 - i]), 0) < 0) return -1;
        close(fd);
    }
    return 0;
}

static int changes_of(int argc, char** argv);

int main(int argc, char** argv) {
    if (argc >= 5 && strcmp(argv[1], "io") == 0) {
        /* floor io CONFIG STATEDIR MODE ARGS...: MODE's work inside hookctl's I/O */
        const int changes = strcmp(argv[4], "noop") != 0;
        durable_files = 1;
        int lock = -1;
        int segment = io_before(argv[2], argv[3], changes, &lock);
        if (segment < 0) return 3;
        int rc = strcmp(argv[4], "sysctls") == 0 && argc >= 10 ? (rw_sysctls(argv[5], argv + 6) == 0 ? 0 : 1)
                                                             : changes_of(argc - 3, argv + 3);
        if (rc != 0) return rc;
        return io_after(argv[3], changes, segment, lock) == 0 ? 0 : 3;
    }
    return changes_of(argc, argv);
}

/* The modes: argv[1] is the mode. */
static int changes_of(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "noop") == 0) return 0;
    if (argc >= 7 && strcmp(argv[1], "sysctls") == 0) {
        const char* leaves[] = {"use_tempaddr", "forwarding", "autoconf", "accept_ra"};
        for (int i = 0; i < 4; ++i)
            if (write_sysctl(argv[2], leaves[i], argv[3 + i]) != 0) return 1;
        return 0;
    }
    int fd = netlink >= 0 ? netlink : socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return 1;
    if (argc >= 3 && strcmp(argv[1], "rules") == 0) {
        int add = strcmp(argv[2], "add") == 0;
        if (rule(fd, add, AF_INET, 1, "198.51.100.10", 32, 10200) != 0) return 1;
        if (rule(fd, add, AF_INET, 1, "203.0.113.20", 32, 10200) != 0) return 1;
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "swap") == 0) {
        unsigned prio = (unsigned)atoi(argv[4]);
        rule(fd, 0, AF_INET6, 0, argv[2], 64, prio);
        return rule(fd, 1, AF_INET6, 0, argv[3], 64, prio) == 0 ? 0 : 1;
    }
    if (argc >= 7 && strcmp(argv[1], "prefix") == 0) {
        unsigned prio = (unsigned)atoi(argv[4]);
        rule(fd, 0, AF_INET6, 0, argv[2], 64, prio);
        if (rule(fd, 1, AF_INET6, 0, argv[3], 64, prio) != 0) return 1;
        if (write_radvd_conf(argv[5], argv[3]) != 0) return 1;
        return hup_radvd(argv[6]) == 0 ? 0 : 1;
    }
    fprintf(stderr, "usage: floor [io CONFIG STATEDIR] sysctls IF V1 V2 V3 V4 | rules add|del | "
                    "swap OLD NEW PRIO | prefix OLD NEW PRIO CONF PIDFILE | noop\n");
    return 2;
}
