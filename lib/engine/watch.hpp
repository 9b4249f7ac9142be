// The decisions of `hookctl watch`, apart from its poll loop (cli/watch_command.cpp)
// so they are tested without a kernel: which notifications concern the uplinks it
// watches, when a burst has settled, and when a fresh dump says nothing new.
#pragma once

#include "kernel_event.hpp"
#include "netlink_monitor.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

using WatchClock = std::chrono::steady_clock;

// Whether `notices` may change what a dump of `watched` says: an overflow (any
// change may be lost), a link message naming a watched interface or carrying a
// watched index (deleted, renamed, flags), an address message on a watched index.
bool notices_concern(const NetlinkNotices& notices, const std::vector<InterfaceName>& watched,
                     const std::map<std::string, unsigned>& watched_indexes);

// A fixed window from the first notification of a burst: the dump is taken once
// the window has passed, however many notifications arrive meanwhile, so a burst
// is one run and a steady stream still runs every `settle`.
class SettleWindow {
public:
    explicit SettleWindow(std::chrono::milliseconds settle) : settle_(settle) {}
    void notice(WatchClock::time_point now) {
        if (!due_) due_ = now + settle_;
    }
    void resync_now(WatchClock::time_point now) { due_ = now; }
    std::optional<WatchClock::time_point> due() const { return due_; }
    bool ready(WatchClock::time_point now) const { return due_ && now >= *due_; }
    void done() { due_.reset(); }
    // poll()'s timeout: -1 (sleep until a notification) when nothing is due.
    int poll_timeout_ms(WatchClock::time_point now) const;

private:
    std::chrono::milliseconds settle_;
    std::optional<WatchClock::time_point> due_;
};

// Two dumps that differ only in lifetimes (which count down in every dump):
// running the engine again would change nothing.
bool same_but_lifetimes(const std::vector<KernelLinkSnapshot>& a,
                        const std::vector<KernelLinkSnapshot>& b);

}  // namespace hookctl
