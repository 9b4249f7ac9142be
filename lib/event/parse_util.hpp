// Helpers shared by the pppd and dhcpcd event parsers (internal to lib/): reading a
// variable with a size bound, splitting space-separated lists with a count bound,
// and the value checks both parsers need. Header-only so lib/meson.build stays as is.
#pragma once

#include "event.hpp"
#include "net_types.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookctl::parse_util {

// No value a parser reads is legitimately longer: the longest dhcpcd list seen in
// the lab is 65 bytes. The bound keeps hostile input out of later stages and logs.
inline constexpr std::size_t max_value_bytes = 4096;
// Lists of addresses, domains, prefixes, routers: far above anything real.
inline constexpr std::size_t max_list_entries = 64;

inline std::string quoted(std::string_view text) {
    return "\"" + escape_for_display(std::string(text)) + "\"";
}

// The value of `name`, if set; throws when it is longer than max_value_bytes.
inline std::optional<std::string_view> find_var(const Environment& env, const std::string& name) {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    if (it->second.size() > max_value_bytes)
        throw InputError(name, fmt::format("value too long ({} bytes, at most {}): {}",
                                           it->second.size(), max_value_bytes, quoted(it->second)));
    return std::string_view(it->second);
}

inline std::string_view require_var(const Environment& env, const std::string& name) {
    if (auto v = find_var(env, name)) return *v;
    throw InputError(name, "missing");
}

// Space-separated words as dhcpcd prints arrays. Runs of spaces are tolerated;
// any other whitespace stays inside a word and fails that word's own check.
inline std::vector<std::string_view> split_words(std::string_view text, std::string_view what,
                                                 std::size_t max = max_list_entries) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        auto end = text.find(' ', i);
        if (end == std::string_view::npos) end = text.size();
        if (words.size() == max)
            throw InputError(std::string(what), fmt::format("more than {} entries", max));
        words.push_back(text.substr(i, end - i));
        i = end;
    }
    return words;
}

// An address as dhcpcd prints it inside an option: inet_ntop form, and for a
// link-local IPv6 address a "%<ifname>" zone (dhcp-common.c print_option). The zone
// is dropped only there; on anything else '%' stays an error.
inline IpAddress parse_option_address(std::string_view text, Family family, std::string_view what) {
    const auto pct = text.find('%');
    if (pct == std::string_view::npos || family != Family::v6)
        return parse_address(text, family, what);
    const IpAddress a = parse_address(text.substr(0, pct), family, what);
    if (!a.is_link_local())
        throw InputError(std::string(what),
                         "zone id on an address that is not link-local: " + quoted(text));
    parse_interface_name(text.substr(pct + 1), what);  // validates the zone
    return a;
}

inline std::vector<IpAddress> parse_address_list(std::string_view text, Family family,
                                                 std::string_view what) {
    std::vector<IpAddress> out;
    for (auto word : split_words(text, what))
        out.push_back(parse_option_address(word, family, what));
    return out;
}

inline std::vector<DomainName> parse_domain_list(std::string_view text, std::string_view what) {
    std::vector<DomainName> out;
    for (auto word : split_words(text, what)) out.push_back(parse_domain_name(word, what));
    return out;
}

// Free text that ends up in facts and logs (pppd's ipparam): printable ASCII only.
inline std::string parse_printable(std::string_view text, std::string_view what,
                                   std::size_t max = 255) {
    if (text.size() > max)
        throw InputError(std::string(what),
                         fmt::format("longer than {} bytes: {}", max, quoted(text)));
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f)
            throw InputError(std::string(what), "control or non-ASCII character: " + quoted(text));
    }
    return std::string(text);
}

}  // namespace hookctl::parse_util
