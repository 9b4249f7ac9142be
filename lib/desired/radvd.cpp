// Renders radvd.conf (radvd 2.19 syntax) from resolved inputs. Output depends only
// on the inputs and ignores their order where order carries no meaning, so the same
// prefixes always give the same bytes and the file writer sees "unchanged".
#include "radvd.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hookctl {

namespace {

// Sorted, without duplicates: the order prefixes arrive in (facts, state) is not meaningful.
std::vector<IpPrefix> sorted_unique(std::vector<IpPrefix> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

// First occurrence wins: RDNSS/DNSSL order is the client's preference order, so it
// is kept as configured rather than sorted.
template <class T>
std::vector<T> unique_in_order(const std::vector<T>& v) {
    std::vector<T> out;
    for (const auto& x : v)
        if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
    return out;
}

const char* on_off(bool b) {
    return b ? "on" : "off";
}

void render_interface(std::string& out, const RadvdInterfaceInput& in) {
    static const RadvdInterfaceConfig defaults;
    const RadvdInterfaceConfig& c = in.config ? *in.config : defaults;

    out += fmt::format("interface {} {{\n", in.interface.str());
    out += "    AdvSendAdvert on;\n";
    // A LAN interface that is down or renamed must not make radvd exit on reload.
    out += "    IgnoreIfMissing on;\n";
    out += fmt::format("    AdvManagedFlag {};\n", on_off(c.managed));
    out += fmt::format("    AdvOtherConfigFlag {};\n", on_off(c.other));
    if (c.min_interval) out += fmt::format("    MinRtrAdvInterval {};\n", c.min_interval);
    if (c.max_interval) out += fmt::format("    MaxRtrAdvInterval {};\n", c.max_interval);

    const auto current = sorted_unique(in.current);
    for (const auto& p : current) {
        out += fmt::format("    prefix {} {{\n", p.to_string());
        out += "        AdvOnLink on;\n";
        out += "        AdvAutonomous on;\n";
        if (c.preferred_lifetime)
            out += fmt::format("        AdvPreferredLifetime {};\n", c.preferred_lifetime);
        if (c.valid_lifetime)
            out += fmt::format("        AdvValidLifetime {};\n", c.valid_lifetime);
        out += "    };\n";
    }
    // Old prefixes: preferred 0 deprecates hosts' addresses at once; valid 0 makes
    // them cut the valid lifetime to the RFC 4862 5.5.3e floor of 2 h instead of
    // renewing it with each RA. Not DecrementLifetimes: with preferred 0 radvd 2.19
    // stops sending the prefix at all (docs/daemons.md, radvd). A prefix that is current
    // again is only announced as current.
    for (const auto& p : sorted_unique(in.deprecated)) {
        if (std::binary_search(current.begin(), current.end(), p)) continue;
        out += fmt::format("    prefix {} {{\n", p.to_string());
        out += "        AdvOnLink on;\n";
        out += "        AdvAutonomous on;\n";
        out += "        AdvPreferredLifetime 0;\n";
        out += "        AdvValidLifetime 0;\n";
        out += "    };\n";
    }
    const auto rdnss = unique_in_order(in.rdnss);
    if (!rdnss.empty()) {
        // radvd 2.19 takes at most 3 addresses per RDNSS statement.
        for (std::size_t i = 0; i < rdnss.size(); i += 3) {
            out += "    RDNSS";
            for (std::size_t j = i; j < std::min(rdnss.size(), i + 3); ++j)
                out += " " + rdnss[j].to_string();
            out += " {\n    };\n";
        }
    }
    const auto dnssl = unique_in_order(c.dnssl);
    if (!dnssl.empty()) {
        out += "    DNSSL";
        for (const auto& d : dnssl) out += " " + d.str();
        out += " {\n    };\n";
    }
    out += "};\n";
}

}  // namespace

std::string render_radvd_conf(const std::vector<RadvdInterfaceInput>& interfaces) {
    std::vector<const RadvdInterfaceInput*> sorted;
    sorted.reserve(interfaces.size());
    for (const auto& i : interfaces) sorted.push_back(&i);
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
        return a->interface.str() < b->interface.str();
    });

    std::string out = owned_marker("#") + "\n";
    for (const auto* i : sorted) {
        out += "\n";
        render_interface(out, *i);
    }
    return out;
}

}  // namespace hookctl
