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
 * Built by bench/hook_bench.sh with `cc -O2 -static`. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <signal.h>
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

int main(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "noop") == 0) return 0;
    if (argc >= 7 && strcmp(argv[1], "sysctls") == 0) {
        const char* leaves[] = {"use_tempaddr", "forwarding", "autoconf", "accept_ra"};
        for (int i = 0; i < 4; ++i)
            if (write_sysctl(argv[2], leaves[i], argv[3 + i]) != 0) return 1;
        return 0;
    }
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
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
    fprintf(stderr, "usage: floor sysctls IF V1 V2 V3 V4 | rules add|del | swap OLD NEW PRIO | "
                    "prefix OLD NEW PRIO CONF PIDFILE | noop\n");
    return 2;
}
