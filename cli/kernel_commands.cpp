// The commands for uplinks with source = "kernel" (run by systemd-networkd,
// NetworkManager, ifupdown or SLAAC): `watch`, a long-running rtnetlink listener,
// and the one-shot dispatcher hooks `networkd` and `nm`. All three read the
// kernel and hand the dump to the engine as one kernel event (kernel_event.hpp).
#include "cli.hpp"

#include "kernel_event.hpp"
#include "netlink_interfaces.hpp"
#include "netlink_monitor.hpp"
#include "termination.hpp"
#include "watch.hpp"

#include <fmt/format.h>

#include <poll.h>
#include <csignal>
#include <ctime>
#include <iostream>

namespace hookctl::cli {

namespace {

bool is_kernel_uplink(const Config& config, const InterfaceName& ifname) {
    const UplinkConfig* u = config.uplink_for(ifname);
    return u && u->source == UplinkSource::kernel;
}

// networkd-dispatcher and NetworkManager run every script for every interface;
// only a kernel-sourced uplink is read and handed to the engine.
int run_dispatcher(Context& ctx, RawEvent raw) {
    std::optional<InterfaceName> ifname;
    try {
        ifname = dispatcher_interface(raw);
    } catch (const InputError&) {
        return run_hook(ctx, raw);  // refused by the parser, with the reason, and journaled
    }
    if (!ifname) return 0;  // an action about no interface (hostname, connectivity-change)
    const Config config = load_for_hook(ctx, raw);
    if (!is_kernel_uplink(config, *ifname)) {
        if (!ctx.globals.json)
            fmt::print("{}: no uplink with source = \"kernel\" uses it: nothing to do\n",
                       ifname->str());
        return 0;
    }
    NetlinkInterfaces kernel;
    raw.kernel = kernel_lines(kernel.read({*ifname}));
    return run_loaded_hook(ctx, raw, config, true);
}

// The signals watch waits for: blocked except inside ppoll() and while the engine
// runs, so one arriving between a check and the wait is never lost.
sigset_t watch_signals() {
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, SIGTERM);
    ::sigaddset(&set, SIGINT);
    ::sigaddset(&set, SIGHUP);
    return set;
}

class Watcher {
public:
    explicit Watcher(Context& ctx) : ctx_(ctx) {}

    int run(bool once) {
        catch_termination();
        catch_reload();
        load_config();
        if (once) return resync(true);
        // Subscribed before the first dump, so no change falls between the two.
        NetlinkMonitor monitor;
        std::cout << fmt::format("hookctl watch: following {} (settle {} ms)\n", watched_names(),
                                 config_->settings.watch_settle_ms)
                  << std::flush;
        const sigset_t signals = watch_signals();
        sigset_t waiting;  // the mask inside ppoll: ours unblocked
        ::sigprocmask(SIG_BLOCK, &signals, &waiting);
        ::sigdelset(&waiting, SIGTERM);
        ::sigdelset(&waiting, SIGINT);
        ::sigdelset(&waiting, SIGHUP);
        window_.resync_now(WatchClock::now());
        while (!termination_requested()) {
            if (take_reload_request()) reload();
            const auto now = WatchClock::now();
            if (window_.ready(now)) {
                window_.done();
                ::sigprocmask(SIG_UNBLOCK, &signals, nullptr);
                resync(false);
                ::sigprocmask(SIG_BLOCK, &signals, nullptr);
                continue;
            }
            pollfd p{monitor.fd(), POLLIN, 0};
            const int timeout_ms = window_.poll_timeout_ms(now);
            timespec timeout{timeout_ms / 1000, static_cast<long>(timeout_ms % 1000) * 1000000L};
            if (::ppoll(&p, 1, timeout_ms < 0 ? nullptr : &timeout, &waiting) <= 0) continue;
            const NetlinkNotices notices = monitor.drain();
            if (notices.overflow)
                std::cout << "hookctl watch: the kernel dropped notifications (ENOBUFS): "
                             "reading everything again\n"
                          << std::flush;
            if (notices_concern(notices, watched_, kernel_.indexes()))
                window_.notice(WatchClock::now());
        }
        std::cout << "hookctl watch: stopped (SIGTERM)\n" << std::flush;
        return 0;
    }

private:
    void load_config() {
        Config config = load(ctx_);
        std::vector<InterfaceName> watched = config.kernel_interfaces();
        if (watched.empty())
            throw UsageError(
                fmt::format("watch: {} has no uplink with source = \"kernel\"", config.file),
                "add source = \"kernel\" to the [uplink.NAME] that another manager runs");
        window_ = SettleWindow(std::chrono::milliseconds(config.settings.watch_settle_ms));
        config_ = std::move(config);
        watched_ = std::move(watched);
    }

    // SIGHUP: the config again (a broken one keeps the old, and says so), then a
    // full resync whether or not the kernel changed.
    void reload() {
        try {
            load_config();
            std::cout << fmt::format("hookctl watch: config reloaded, following {}\n",
                                     watched_names());
        } catch (const Error& e) {
            std::cerr << "hookctl watch: config not reloaded, keeping the old one: " << e.what()
                      << "\n";
        }
        last_run_.reset();
        window_.resync_now(WatchClock::now());
    }

    // One dump of the watched interfaces and, unless it says nothing new, one
    // engine run with it. Returns the run's exit code.
    int resync(bool always) {
        std::vector<KernelLinkSnapshot> snapshot;
        try {
            snapshot = kernel_.read(watched_);
        } catch (const Error& e) {
            std::cerr << "hookctl watch: " << e.what() << "\n";
            return 2;
        }
        if (!always && last_run_ && same_but_lifetimes(*last_run_, snapshot)) return 0;
        Invocation inv = ctx_.inv;
        inv.now = static_cast<Timestamp>(std::time(nullptr));
        inv.started = WatchClock::now();
        Context run_ctx{inv, ctx_.globals, {}, DirectMode::none, {}};
        RawEvent raw = raw_now(run_ctx, Source::kernel, kernel_trigger_watch, {}, {});
        raw.kernel = kernel_lines(snapshot);
        int rc = 2;
        try {
            rc = run_loaded_hook(run_ctx, raw, *config_);
        } catch (const Error& e) {
            std::cerr << "hookctl watch: " << e.what() << "\n";
        }
        std::cout.flush();
        // Only a clean run counts as done: after a failure the next notification
        // (or the next lifetime refresh) tries again.
        if (rc == 0)
            last_run_ = std::move(snapshot);
        else
            last_run_.reset();
        return rc;
    }

    std::string watched_names() const {
        std::string out;
        for (const auto& n : watched_) out += (out.empty() ? "" : ", ") + n.str();
        return out;
    }

    Context& ctx_;
    std::optional<Config> config_;
    std::vector<InterfaceName> watched_;
    NetlinkInterfaces kernel_;
    SettleWindow window_{std::chrono::milliseconds(200)};
    std::optional<std::vector<KernelLinkSnapshot>> last_run_;
};

}  // namespace

int cmd_networkd(Context& ctx) {
    parse_args(ctx, ctx.rest, po::options_description("networkd options"));
    return run_dispatcher(ctx,
                          raw_now(ctx, Source::kernel, kernel_trigger_networkd, {}, ctx.inv.env));
}

// NetworkManager passes INTERFACE ACTION (the interface may be empty or "none"):
// taken as they are, like pppd's arguments, and checked by the parser.
int cmd_nm(Context& ctx) {
    return run_dispatcher(ctx,
                          raw_now(ctx, Source::kernel, kernel_trigger_nm, ctx.rest, ctx.inv.env));
}

int cmd_watch(Context& ctx) {
    bool once = false;
    po::options_description d("watch options");
    d.add_options()("once", po::bool_switch(&once),
                    "read the kernel once, act on it and exit (no settle window)");
    parse_args(ctx, ctx.rest, d);
    Watcher watcher(ctx);
    return watcher.run(once);
}

}  // namespace hookctl::cli
