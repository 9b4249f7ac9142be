// See watch.hpp.
#include "watch.hpp"

#include <algorithm>

namespace hookctl {

bool notices_concern(const NetlinkNotices& notices, const std::vector<InterfaceName>& watched,
                     const std::map<std::string, unsigned>& watched_indexes) {
    if (notices.overflow) return true;
    auto watched_index = [&](unsigned index) {
        return std::any_of(watched_indexes.begin(), watched_indexes.end(),
                           [&](const auto& entry) { return entry.second == index; });
    };
    for (const auto& l : notices.links) {
        if (watched_index(l.index)) return true;
        if (std::any_of(watched.begin(), watched.end(),
                        [&](const InterfaceName& n) { return n.str() == l.name; }))
            return true;
    }
    return std::any_of(notices.address_indexes.begin(), notices.address_indexes.end(),
                       watched_index);
}

int SettleWindow::poll_timeout_ms(WatchClock::time_point now) const {
    if (!due_) return -1;
    if (now >= *due_) return 0;
    // Rounded up, so poll does not wake a millisecond early and spin.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*due_ - now);
    return static_cast<int>(left.count());
}

bool same_but_lifetimes(const std::vector<KernelLinkSnapshot>& a,
                        const std::vector<KernelLinkSnapshot>& b) {
    auto without_lifetimes = [](std::vector<KernelLinkSnapshot> links) {
        for (auto& l : links)
            for (auto& x : l.addresses) x.preferred = x.valid = Lifetime{};
        return links;
    };
    return without_lifetimes(a) == without_lifetimes(b);
}

}  // namespace hookctl
