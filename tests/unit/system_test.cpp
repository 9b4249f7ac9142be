// System side without root: SysctlWriter against a temporary /proc/sys tree,
// rt_tables parsing and lookup order, and SystemExecutor's dispatch for the kinds
// it does not execute itself. Netlink is covered by tests/netns/rules_routes.sh.
#include "accounts.hpp"
#include "rt_tables.hpp"
#include "scripted_querier.hpp"
#include "sysctl.hpp"
#include "syslog_sender.hpp"
#include "system_executor.hpp"

#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "temp_dir.hpp"

using namespace hookctl;
using test::ScriptedQuerier;
namespace fs = std::filesystem;

using hookctl::test::slurp;
using hookctl::test::TempDir;

namespace {

// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
void write_file(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Backdates a file's mtime so a later write is detectable even within one second.
void backdate(const fs::path& p) {
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(1));
}

}  // namespace

TEST_CASE("sysctl_path maps dotted keys to /proc/sys paths", "[sysctl]") {
    SECTION("per-interface key") {
        auto p = sysctl_path("net.ipv6.conf.ppp0.accept_ra");
        CHECK(p.error.empty());
        CHECK(p.relative == "net/ipv6/conf/ppp0/accept_ra");
        CHECK(p.interface == "ppp0");
        CHECK(p.leaf == "accept_ra");
    }
    SECTION("VLAN interface names keep their dot") {
        auto p = sysctl_path("net.ipv4.conf.eth0.100.rp_filter");
        CHECK(p.error.empty());
        CHECK(p.relative == "net/ipv4/conf/eth0.100/rp_filter");
        CHECK(p.interface == "eth0.100");
    }
    SECTION("global keys work the same") {
        CHECK(sysctl_path("net.ipv6.conf.all.forwarding").relative ==
              "net/ipv6/conf/all/forwarding");
        CHECK(sysctl_path("net.ipv4.ip_forward").relative == "net/ipv4/ip_forward");
        CHECK(sysctl_path("net.ipv4.ip_forward").interface.empty());
    }
    SECTION("anything that could leave the directory is refused") {
        CHECK(sysctl_path("net.ipv6.conf...accept_ra").error ==
              "invalid interface name '.' in sysctl key 'net.ipv6.conf...accept_ra'");
        CHECK_FALSE(sysctl_path("net.ipv6.conf.../accept_ra").error.empty());
        CHECK_FALSE(sysctl_path("net.ipv6.conf.a/b.accept_ra").error.empty());
        CHECK_FALSE(sysctl_path("net.ipv6.conf.ppp0.").error.empty());
        CHECK_FALSE(sysctl_path("net.ipv6.conf.ppp0").error.empty());
        CHECK_FALSE(sysctl_path("net..ipv4.ip_forward").error.empty());
        CHECK_FALSE(sysctl_path("net.ipv4.ip forward").error.empty());
        CHECK_FALSE(sysctl_path(std::string("net.ipv4.conf.a\0b.x", 19)).error.empty());
        CHECK_FALSE(sysctl_path("net.ipv6.conf.ppp0 .accept_ra").error.empty());
        CHECK_FALSE(sysctl_path("").error.empty());
    }
}

TEST_CASE("SysctlWriter writes only when the value differs", "[sysctl]") {
    TempDir dir;
    const fs::path file = dir.path / "net/ipv6/conf/ppp0/accept_ra";
    write_file(file, "0\n");
    SysctlWriter writer(dir.path.string());

    SECTION("a different value is written and reported with the old one") {
        ActionResult r = writer.ensure({"net.ipv6.conf.ppp0.accept_ra", "1"});
        CHECK(r.status == ActionResult::Status::done);
        CHECK(r.message == "was '0'");
        CHECK(read_file(file) == "1\n");
        CHECK(writer.read("net.ipv6.conf.ppp0.accept_ra") == "1");
    }
    SECTION("an equal value (after trimming) is left alone") {
        backdate(file);
        auto before = fs::last_write_time(file);
        ActionResult r = writer.ensure({"net.ipv6.conf.ppp0.accept_ra", " 0 "});
        CHECK(r.status == ActionResult::Status::unchanged);
        CHECK(fs::last_write_time(file) == before);
    }
    SECTION("the second ensure of the same value writes nothing") {
        CHECK(writer.ensure({"net.ipv6.conf.ppp0.accept_ra", "2"}).status ==
              ActionResult::Status::done);
        backdate(file);
        auto before = fs::last_write_time(file);
        CHECK(writer.ensure({"net.ipv6.conf.ppp0.accept_ra", "2"}).status ==
              ActionResult::Status::unchanged);
        CHECK(fs::last_write_time(file) == before);
    }
    SECTION("multi-value keys compare with whitespace collapsed") {
        write_file(dir.path / "net/ipv4/ping_group_range", "0\t2147483647\n");
        CHECK(writer.ensure({"net.ipv4.ping_group_range", "0 2147483647"}).status ==
              ActionResult::Status::unchanged);
    }
}

TEST_CASE("SysctlWriter reads a value longer than its first buffer whole", "[sysctl]") {
    SECTION("a file: 63, 64, 65 and 1000 bytes, each ensured as it is, then changed") {
        for (std::size_t n :
             {std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{1000}}) {
            TempDir dir;
            std::string value;
            for (std::size_t i = 0; value.size() < n; ++i) value += std::to_string(i % 10);
            const fs::path file = dir.path / "net/ipv4/long_key";
            write_file(file, value + "\n");
            SysctlWriter writer(dir.path.string());
            CAPTURE(n);
            CHECK(writer.read("net.ipv4.long_key") == value);
            CHECK(writer.ensure({"net.ipv4.long_key", value}).status ==
                  ActionResult::Status::unchanged);
            // Of the same length: pwrite over a file does not truncate it as /proc does.
            const std::string other = "x" + value.substr(1);
            ActionResult r = writer.ensure({"net.ipv4.long_key", other});
            CHECK(r.status == ActionResult::Status::done);
            CHECK(r.message == "was '" + value + "'");
            CHECK(read_file(file) == other + "\n");
        }
    }
    SECTION("a real integer list longer than 64 bytes, in a network namespace of its own (root)") {
        // net.ipv4.ip_local_reserved_ports' handler, like the integer ones, gives
        // nothing to a read that does not start at 0: a reader that went on where a
        // short first read stopped would see the first 64 bytes as the whole value.
        if (::geteuid() != 0) {
            WARN(
                "not root: no network namespace of its own to set the key in (CI runs this as root)");
            return;
        }
        const std::string value =
            "1000,1002,1004,1006,1008,1010,1012,1014,1016,1018,1020,1022,1024,1026,1028,1030";
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            int rc = 1;
            if (::unshare(CLONE_NEWNET) == 0) {
                std::ofstream("/proc/sys/net/ipv4/ip_local_reserved_ports") << value << "\n";
                SysctlWriter writer;
                const auto got = writer.read("net.ipv4.ip_local_reserved_ports");
                const auto same = writer.ensure({"net.ipv4.ip_local_reserved_ports", value});
                rc = got == value && same.status == ActionResult::Status::unchanged ? 0 : 2;
            }
            ::_exit(rc);
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);  // 1: no namespace; 2: read short or not unchanged
    }
    SECTION("a real one: net.core.netdev_rss_key (155 characters), as another reader reads it") {
        const std::string path = "/proc/sys/net/core/netdev_rss_key";
        std::ifstream in(path);
        std::string expected;
        INFO(path << " is in every kernel since 4.3, readable by anyone");
        REQUIRE(std::getline(in, expected));
        CHECK(expected.size() > 64);
        CHECK(SysctlWriter().read("net.core.netdev_rss_key") == expected);
    }
}

TEST_CASE(
    "SysctlWriter opens an interface's keys in its directory, and again by path when the directory was made anew",
    "[sysctl]") {
    TempDir dir;
    const fs::path conf = dir.path / "net/ipv6/conf/ppp0";
    write_file(conf / "accept_ra", "0\n");
    write_file(conf / "autoconf", "0\n");
    write_file(conf / "forwarding", "1\n");
    SysctlWriter writer(dir.path.string());
    CHECK(writer.ensure({"net.ipv6.conf.ppp0.accept_ra", "1"}).status ==
          ActionResult::Status::done);
    CHECK(writer.ensure({"net.ipv6.conf.ppp0.autoconf", "1"}).status == ActionResult::Status::done);
    CHECK(read_file(conf / "autoconf") == "1\n");
    // The interface went and came back (a new directory under the same name), as a
    // pppd reconnect does: the writer's descriptor of the old directory finds nothing
    // there, and the key is opened by its path in the new one.
    fs::remove_all(conf);
    write_file(conf / "forwarding", "1\n");
    CHECK(writer.ensure({"net.ipv6.conf.ppp0.forwarding", "0"}).status ==
          ActionResult::Status::done);
    CHECK(read_file(conf / "forwarding") == "0\n");
    // Another interface's key: its own directory.
    write_file(dir.path / "net/ipv6/conf/wan0/accept_ra", "1\n");
    CHECK(writer.ensure({"net.ipv6.conf.wan0.accept_ra", "2"}).status ==
          ActionResult::Status::done);
    CHECK(read_file(dir.path / "net/ipv6/conf/wan0/accept_ra") == "2\n");
}

TEST_CASE("SysctlWriter names what is missing", "[sysctl]") {
    TempDir dir;
    write_file(dir.path / "net/ipv6/conf/ppp0/accept_ra", "0\n");
    SysctlWriter writer(dir.path.string());

    ActionResult gone = writer.ensure({"net.ipv6.conf.ppp1.accept_ra", "1"});
    CHECK(gone.status == ActionResult::Status::failed);
    CHECK(gone.message == "no such interface 'ppp1' (net.ipv6.conf.ppp1.accept_ra)");

    ActionResult key = writer.ensure({"net.ipv6.conf.ppp0.accept_rx", "1"});
    CHECK(key.status == ActionResult::Status::failed);
    CHECK(key.message == "no such key 'accept_rx' (net.ipv6.conf.ppp0.accept_rx)");

    ActionResult global = writer.ensure({"net.ipv4.ip_forward", "1"});
    CHECK(global.status == ActionResult::Status::failed);
    CHECK(global.message == "no such key 'ip_forward' (net.ipv4.ip_forward)");

    ActionResult bad = writer.ensure({"net.ipv6.conf.../accept_ra", "1"});
    CHECK(bad.status == ActionResult::Status::failed);
    CHECK_FALSE(fs::exists(dir.path / "net/ipv6/accept_ra"));
}

TEST_CASE("parse_table_names reads iproute2's format", "[rt_tables]") {
    TableNames names;
    auto problems = parse_table_names(
        "#\n"
        "# reserved values\n"
        "255\tlocal\n"
        "  199 kd   # cable uplink\n"
        "\n"
        "0x100 big\n"
        "200 tkom\n"
        "12 twelve extra\n"
        "x13 bad\n"
        "300\n"
        "4294967295 max\n",
        names);
    CHECK(names.at("local") == 255);
    CHECK(names.at("kd") == 199);
    CHECK(names.at("big") == 256);
    CHECK(names.at("tkom") == 200);
    CHECK(names.at("max") == 4294967295u);
    CHECK(names.count("twelve") == 0);
    CHECK(names.count("bad") == 0);
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == "8: cannot parse '12 twelve extra'");
    CHECK(problems[1] == "9: cannot parse 'x13 bad'");
    CHECK(problems[2] == "10: cannot parse '300'");

    SECTION("a later definition of a name wins") {
        parse_table_names("150 kd\n", names);
        CHECK(names.at("kd") == 150);
    }
}

TEST_CASE("read_table_names follows iproute2's file order", "[rt_tables]") {
    TempDir root;
    SECTION("builtins without any file") {
        TableNames names = read_table_names(root.path.string());
        CHECK(names == TableNames{{"unspec", 0}, {"default", 253}, {"main", 254}, {"local", 255}});
    }
    SECTION("the distribution default is used only without /etc/iproute2/rt_tables") {
        write_file(root.path / "usr/share/iproute2/rt_tables", "100 fromusr\n");
        CHECK(read_table_names(root.path.string()).at("fromusr") == 100);
        write_file(root.path / "etc/iproute2/rt_tables", "101 frometc\n");
        TableNames names = read_table_names(root.path.string());
        CHECK(names.at("frometc") == 101);
        CHECK(names.count("fromusr") == 0);
        CHECK(names.at("main") == 254);
    }
    SECTION("rt_tables.d: /etc overrides a same-named /usr file, then /etc files in name order") {
        write_file(root.path / "etc/iproute2/rt_tables", "199 kd\n");
        write_file(root.path / "usr/share/iproute2/rt_tables.d/vendor.conf", "50 vendor\n");
        write_file(root.path / "usr/share/iproute2/rt_tables.d/same.conf", "60 shadowed\n");
        write_file(root.path / "etc/iproute2/rt_tables.d/same.conf", "61 same\n");
        write_file(root.path / "etc/iproute2/rt_tables.d/a.conf", "70 x\n");
        write_file(root.path / "etc/iproute2/rt_tables.d/b.conf", "71 x\n");
        write_file(root.path / "etc/iproute2/rt_tables.d/ignored.txt", "80 ignored\n");
        TableNames names = read_table_names(root.path.string());
        CHECK(names.at("kd") == 199);
        CHECK(names.at("vendor") == 50);
        CHECK(names.count("shadowed") == 0);
        CHECK(names.at("same") == 61);
        CHECK(names.at("x") == 71);
        CHECK(names.count("ignored") == 0);
    }
}

TEST_CASE("SystemExecutor dispatch without the kernel", "[system_executor]") {
    TempDir dir;
    write_file(dir.path / "net/ipv6/conf/ppp0/forwarding", "1\n");
    RecordingProcessRunner runner;
    ScriptedQuerier querier;
    SystemExecutorOptions options;
    options.proc_sys_root = dir.path.string();
    SystemExecutor executor(options, runner, querier);

    auto action = [](Action::Op op, std::optional<Object> o) {
        Action a;
        a.op = op;
        a.object = std::move(o);
        return a;
    };

    SECTION("sysctl add writes, remove never reverts") {
        ActionResult added = executor.apply(
            action(Action::Op::add, SysctlObject{"net.ipv6.conf.ppp0.forwarding", "0"}));
        CHECK(added.status == ActionResult::Status::done);
        CHECK(read_file(dir.path / "net/ipv6/conf/ppp0/forwarding") == "0\n");
        ActionResult removed = executor.apply(
            action(Action::Op::remove, SysctlObject{"net.ipv6.conf.ppp0.forwarding", "0"}));
        CHECK(removed.status == ActionResult::Status::unchanged);
        CHECK(read_file(dir.path / "net/ipv6/conf/ppp0/forwarding") == "0\n");
    }
    SECTION("sysctl replace writes the new value") {
        Action a = action(Action::Op::replace, SysctlObject{"net.ipv6.conf.ppp0.forwarding", "0"});
        a.previous = SysctlObject{"net.ipv6.conf.ppp0.forwarding", "1"};
        CHECK(executor.apply(a).status == ActionResult::Status::done);
    }
    SECTION("a file goes to the file writer, which validates through the runner") {
        FileObject file;
        file.path = (dir.path / "radvd.conf").string();
        file.content = owned_marker("#") + "\ninterface lan0 {};\n";
        file.validate = {"radvd", "-c", "-C", "{}"};
        ActionResult f = executor.apply(action(Action::Op::add, file));
        CHECK(f.status == ActionResult::Status::done);
        CHECK(read_file(dir.path / "radvd.conf") == file.content);
        REQUIRE(runner.runs().size() == 1);
        CHECK(runner.runs()[0].command.argv.at(0) == "radvd");
    }
    SECTION("a command goes to the runner; its output reaches the result") {
        ProcessResult out;
        out.exit_code = 0;
        out.output = "hello\n";
        runner.push_result(out);
        Action run;
        run.op = Action::Op::run;
        run.command.argv = {"rdisc6", "ppp0"};
        ActionResult r = executor.apply(run);
        CHECK(r.status == ActionResult::Status::done);
        CHECK(r.message == "exit 0; output: hello\n");
        REQUIRE(runner.runs().size() == 1);
        CHECK(runner.runs()[0].command.argv == std::vector<std::string>{"rdisc6", "ppp0"});
    }
    SECTION("a reload of a unit is systemctl try-reload-or-restart") {
        Action reload;
        reload.op = Action::Op::reload;
        reload.service = ServiceAction{ServiceAction::Kind::reload, "radvd.service", "", "", {}};
        CHECK(executor.apply(reload).status == ActionResult::Status::done);
        REQUIRE(runner.runs().size() == 1);
        CHECK(runner.runs()[0].command.argv ==
              std::vector<std::string>{"systemctl", "try-reload-or-restart", "radvd.service"});
    }
}

TEST_CASE("accounts: /etc/passwd and /etc/group lines by name", "[accounts]") {
    const std::string passwd =
        "root:x:0:0:root:/root:/bin/bash\nradvd:x:105:65534::/run/radvd:/usr/sbin/nologin\n"
        "radvdx:x:7:7::/:/bin/sh\n# comment\nbroken:x:abc:1::/:/bin/sh\n";
    const auto radvd = find_passwd_entry(passwd, "radvd");
    REQUIRE(radvd);
    CHECK(radvd->uid == 105);
    CHECK(radvd->gid == 65534);
    CHECK(find_passwd_entry(passwd, "root")->uid == 0);
    CHECK_FALSE(find_passwd_entry(passwd, "radv"));
    CHECK_FALSE(find_passwd_entry(passwd, "broken"));
    CHECK_FALSE(find_passwd_entry(passwd, "nobody"));
    const std::string group = "root:x:0:\nnetdev:x:108:alice,bob\n";
    CHECK(find_group_entry(group, "netdev") == 108u);
    CHECK_FALSE(find_group_entry(group, "net"));
    CHECK(lookup_user("root")->uid == 0);
}

TEST_CASE("syslog messages: facility daemon, the tag with the pid, no timestamp", "[syslog]") {
    using syslog_sender::Severity;
    CHECK(syslog_sender::format(Severity::info, "hookctl", 42, "dhcpcd BOUND6 on wan0: applied") ==
          "<30>hookctl[42]: dhcpcd BOUND6 on wan0: applied");
    CHECK(syslog_sender::format(Severity::warning, "hookctl", 7, "x") == "<28>hookctl[7]: x");
    // No listener: nothing sent, nothing thrown.
    CHECK_FALSE(syslog_sender::send(Severity::info, "hookctl", "x", "/nonexistent/log"));
    // A path longer than a socket address holds.
    CHECK_FALSE(syslog_sender::send(Severity::info, "hookctl", "x", std::string(200, 'a').c_str()));
}
