// DNS wire format; see dns_wire.hpp.
#include "dns_wire.hpp"

#include "error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace hookctl {

namespace {

constexpr std::uint16_t qtype_of(DnsType t) {
    return t == DnsType::a ? 1 : 28;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

bool is_plain_dns_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == '_';
    });
}

std::vector<std::uint8_t> build_query(std::uint16_t id, const std::string& name, DnsType type) {
    std::vector<std::uint8_t> p{static_cast<std::uint8_t>(id >> 8),
                                static_cast<std::uint8_t>(id & 0xff),
                                0x00,
                                0x00,  // QR=0 opcode QUERY, RD=0: we ask the authoritative server
                                0x00,
                                0x01,  // QDCOUNT
                                0x00,
                                0x00,
                                0x00,
                                0x00,
                                0x00,
                                0x00};
    if (name.empty() || name.size() > 253 || !is_plain_dns_name(name))
        throw Error(fmt::format("dns query: bad name '{}'", escape_for_display(name)));
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        const std::size_t len = dot - start;
        if (len == 0 || len > 63) throw Error(fmt::format("dns query: bad label in '{}'", name));
        p.push_back(static_cast<std::uint8_t>(len));
        p.insert(p.end(), name.begin() + static_cast<long>(start),
                 name.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    p.push_back(0);
    const std::uint16_t qtype = qtype_of(type);
    p.insert(p.end(), {static_cast<std::uint8_t>(qtype >> 8),
                       static_cast<std::uint8_t>(qtype & 0xff), 0x00, 0x01});
    return p;
}

namespace {

struct Reader {
    const std::vector<std::uint8_t>& p;
    std::size_t pos = 0;

    void need(std::size_t n) const {
        if (pos + n > p.size()) throw Error("dns answer: truncated packet");
    }
    std::uint16_t u16() {
        need(2);
        const std::uint16_t v = static_cast<std::uint16_t>(p[pos] << 8 | p[pos + 1]);
        pos += 2;
        return v;
    }
    std::uint32_t u32() {
        const std::uint32_t hi = u16();
        return hi << 16 | u16();
    }
    // A name, following compression pointers (RFC 1035 4.1.4); lower-case, no
    // trailing dot. Pointers must point backwards, which also rules out loops.
    std::string name() {
        std::string out;
        std::size_t at = pos;
        bool jumped = false;
        std::size_t wire_length = 0;
        for (;;) {
            if (at >= p.size()) throw Error("dns answer: truncated name");
            const std::uint8_t len = p[at];
            if (len == 0) {
                if (!jumped) pos = at + 1;
                return out;
            }
            if ((len & 0xc0) == 0xc0) {
                if (at + 1 >= p.size()) throw Error("dns answer: truncated name");
                const std::size_t target = static_cast<std::size_t>((len & 0x3f) << 8 | p[at + 1]);
                if (target >= at)
                    throw Error("dns answer: compression pointer does not point backwards");
                if (!jumped) pos = at + 2;
                jumped = true;
                at = target;
                continue;
            }
            if (len & 0xc0) throw Error("dns answer: unknown label type");
            if (at + 1 + len > p.size()) throw Error("dns answer: truncated label");
            wire_length += len + 1u;
            if (wire_length > 255) throw Error("dns answer: name longer than 255 bytes");
            if (!out.empty()) out += '.';
            for (std::size_t i = 0; i < len; ++i)
                out += static_cast<char>(std::tolower(p[at + 1 + i]));
            at += 1 + len;
        }
    }
};

}  // namespace

DnsAnswer parse_answer(const std::vector<std::uint8_t>& packet, std::uint16_t id,
                       const std::string& name, DnsType type) {
    Reader r{packet};
    if (r.u16() != id) throw Error("dns answer: other id");
    const std::uint16_t flags = r.u16();
    if (!(flags & 0x8000)) throw Error("dns answer: not a response");
    if (((flags >> 11) & 0xf) != 0) throw Error("dns answer: not a QUERY response");
    DnsAnswer a;
    a.authoritative = flags & 0x0400;
    a.truncated = flags & 0x0200;
    a.rcode = static_cast<std::uint8_t>(flags & 0xf);
    const std::uint16_t qd = r.u16(), an = r.u16();
    r.u16();  // NSCOUNT
    r.u16();  // ARCOUNT
    const std::string want = lower(name);
    const std::uint16_t qtype = qtype_of(type);
    if (qd != 1) throw Error("dns answer: not one question");
    if (r.name() != want || r.u16() != qtype || r.u16() != 1)
        throw Error("dns answer: other question");
    for (std::uint16_t i = 0; i < an; ++i) {
        const std::string owner = r.name();
        const std::uint16_t rtype = r.u16(), rclass = r.u16();
        r.u32();  // TTL
        const std::uint16_t rdlength = r.u16();
        r.need(rdlength);
        if (owner == want && rtype == qtype && rclass == 1) {
            IpAddress addr;
            addr.family = type == DnsType::a ? Family::v4 : Family::v6;
            const std::size_t size = type == DnsType::a ? 4 : 16;
            if (rdlength != size)
                throw Error(
                    fmt::format("dns answer: {} rdata of {} bytes", to_string(type), rdlength));
            std::copy_n(packet.begin() + static_cast<long>(r.pos), size, addr.bytes.begin());
            a.addresses.push_back(addr);
        }
        r.pos += rdlength;
    }
    std::sort(a.addresses.begin(), a.addresses.end());
    return a;
}

std::string describe(const DnsAnswer& a, DnsType type) {
    static const char* rcodes[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                   "NXDOMAIN", "NOTIMP",  "REFUSED"};
    std::string out;
    if (a.rcode != 0)
        out = a.rcode < 6 ? rcodes[a.rcode] : fmt::format("RCODE {}", a.rcode);
    else if (a.addresses.empty())
        out = fmt::format("no {} record", to_string(type));
    for (const auto& x : a.addresses) out += (out.empty() ? "" : ", ") + x.to_string();
    if (!a.authoritative && a.rcode == 0) out += " (not authoritative)";
    if (a.truncated) out += " (truncated)";
    return out;
}

}  // namespace hookctl
