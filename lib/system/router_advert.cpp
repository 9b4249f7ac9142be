// Router solicitation and advertisement; see router_advert.hpp. Message layouts:
// RFC 4861 4.2 (RA: type, code, checksum, hop limit, flags M O, router lifetime,
// reachable time, retrans timer, options), 4.6.2 (prefix information, type 3,
// length 4 = 32 bytes), RFC 8106 5.1 (RDNSS, type 25).
#include "router_advert.hpp"

#include "fd.hpp"
#include "file_io.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <algorithm>
#include <cstring>

namespace hookctl {

namespace {

constexpr std::uint8_t type_router_solicitation = 133;
constexpr std::uint8_t type_router_advertisement = 134;
constexpr std::uint8_t option_prefix_information = 3;
constexpr std::uint8_t option_rdnss = 25;
constexpr std::size_t ra_header_length = 16;

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}

IpAddress v6_at(const std::uint8_t* p) {
    IpAddress a;
    a.family = Family::v6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
}

}  // namespace

std::vector<std::uint8_t> router_solicitation() {
    return {type_router_solicitation, 0, 0, 0, 0, 0, 0, 0};
}

std::optional<RouterAdvert> parse_router_advert(const std::uint8_t* data, std::size_t length,
                                                const IpAddress& source, unsigned interface) {
    if (length < ra_header_length || data[0] != type_router_advertisement || data[1] != 0)
        return std::nullopt;
    RouterAdvert ra;
    ra.source = source;
    ra.interface = interface;
    ra.managed = (data[5] & 0x80) != 0;
    ra.other = (data[5] & 0x40) != 0;
    ra.router_lifetime = static_cast<std::uint16_t>((data[6] << 8) | data[7]);
    std::size_t offset = ra_header_length;
    while (offset < length) {
        if (length - offset < 2) return std::nullopt;
        const std::uint8_t type = data[offset];
        const std::size_t size = std::size_t{data[offset + 1]} * 8;  // in units of 8 bytes
        if (size == 0 || offset + size > length) return std::nullopt;
        const std::uint8_t* o = data + offset;
        if (type == option_prefix_information) {
            if (size != 32) return std::nullopt;
            const std::uint8_t prefix_length = o[2];
            if (prefix_length > 128) return std::nullopt;
            AdvertisedPrefix p;
            p.prefix = mask(v6_at(o + 16), prefix_length);
            p.on_link = (o[3] & 0x80) != 0;
            p.autonomous = (o[3] & 0x40) != 0;
            p.valid = Lifetime{be32(o + 4)};
            p.preferred = Lifetime{be32(o + 8)};
            ra.prefixes.push_back(p);
        } else if (type == option_rdnss) {
            if (size < 24 || (size - 8) % 16 != 0) return std::nullopt;
            for (std::size_t a = 8; a < size; a += 16) ra.rdnss.push_back(v6_at(o + a));
        }
        offset += size;
    }
    return ra;
}

SolicitResult solicit_router_adverts(const std::string& interface,
                                     const std::vector<IpAddress>& from,
                                     std::chrono::milliseconds wait,
                                     std::chrono::milliseconds resend) {
    SolicitResult result;
    const unsigned index = if_nametoindex(interface.c_str());
    if (index == 0) {
        result.error = fmt::format("no interface '{}'", interface);
        return result;
    }
    UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6));
    if (!fd) {
        result.error = fmt::format("raw ICMPv6 socket: {}", errno_text());
        return result;
    }
    // Only advertisements reach this socket; hop limit 255 on what it sends, on this
    // interface.
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(type_router_advertisement, &filter);
    const int hops = 255;
    const int ifindex = static_cast<int>(index);
    if (::setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0 ||
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0 ||
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) != 0) {
        result.error = fmt::format("raw ICMPv6 socket options: {}", errno_text());
        return result;
    }
    sockaddr_in6 all_routers{};
    all_routers.sin6_family = AF_INET6;
    all_routers.sin6_scope_id = index;
    inet_pton(AF_INET6, "ff02::2", &all_routers.sin6_addr);
    const auto rs = router_solicitation();

    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + wait;
    auto next_send = Clock::now();
    for (;;) {
        const auto now = Clock::now();
        if (now >= deadline) break;
        if (now >= next_send) {
            if (::sendto(fd.get(), rs.data(), rs.size(), 0,
                         reinterpret_cast<const sockaddr*>(&all_routers), sizeof all_routers) < 0) {
                result.error =
                    fmt::format("send a router solicitation on {}: {}", interface, errno_text());
                return result;
            }
            next_send = now + resend;
        }
        const auto until = std::min(deadline, next_send);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, ms))) <= 0) continue;
        for (;;) {
            std::uint8_t buf[1500];
            sockaddr_in6 src{};
            socklen_t src_length = sizeof src;
            const ssize_t n = ::recvfrom(fd.get(), buf, sizeof buf, 0,
                                         reinterpret_cast<sockaddr*>(&src), &src_length);
            if (n < 0) break;
            const IpAddress source = v6_at(reinterpret_cast<const std::uint8_t*>(&src.sin6_addr));
            // A link-local source names its interface by scope id; one of the router's
            // own addresses on it identifies the answer even when it looped back.
            const bool ours = std::find(from.begin(), from.end(), source) != from.end();
            if (src.sin6_scope_id != index && !ours) continue;
            if (auto ra = parse_router_advert(buf, static_cast<std::size_t>(n), source, index))
                result.adverts.push_back(std::move(*ra));
        }
        for (const auto& ra : result.adverts)
            if (std::find(from.begin(), from.end(), ra.source) != from.end()) return result;
    }
    return result;
}

}  // namespace hookctl
