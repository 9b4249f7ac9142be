// The daemons' config files, read for `hookctl doctor`; see daemon_configs.hpp.
#include "daemon_configs.hpp"

#include "json_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace hookctl {

namespace {

std::string trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

std::vector<std::string> words_of(std::string_view s) {
    std::vector<std::string> words;
    std::string w;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\r') {
            if (!w.empty()) words.push_back(std::move(w));
            w.clear();
        } else {
            w += c;
        }
    }
    if (!w.empty()) words.push_back(std::move(w));
    return words;
}

std::string without_comment(const std::string& line) {
    return line.substr(0, line.find('#'));
}

std::optional<IpAddress> address_or_none(const std::string& s) {
    try {
        return parse_address(s, "");
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::optional<IpPrefix> prefix_or_none(const std::string& s) {
    try {
        return parse_prefix(s, "", false);
    } catch (const Error&) {
        return std::nullopt;
    }
}

// strtoull with base 0, all of the text: dhcpcd's strtou().
std::optional<std::uint64_t> c_number(const std::string& s) {
    if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
    if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
    return v;
}

// ---- radvd.conf tokens ----------------------------------------------------------

struct Token {
    std::string text;  // a word, or one of "{", "}", ";"
    int line = 0;
};

std::vector<Token> radvd_tokens(const std::string& text) {
    std::vector<Token> out;
    int line = 1;
    std::string word;
    int word_line = 1;
    auto flush = [&] {
        if (!word.empty()) out.push_back({std::move(word), word_line});
        word.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '#') {
            flush();
            while (i < text.size() && text[i] != '\n') ++i;
            --i;
            continue;
        }
        if (c == '\n') {
            flush();
            ++line;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            flush();
        } else if (c == '{' || c == '}' || c == ';') {
            flush();
            out.push_back({std::string(1, c), line});
        } else {
            if (word.empty()) word_line = line;
            word += c;
        }
    }
    flush();
    return out;
}

class RadvdParser {
public:
    RadvdParser(const TextFile& file) : file_(file), tokens_(radvd_tokens(file.text)) {}

    RadvdConf parse() {
        RadvdConf conf;
        conf.path = file_.path;
        try {
            while (pos_ < tokens_.size()) {
                const Token& t = next();
                if (t.text != "interface") fail(t, "expected 'interface'");
                RadvdInterfaceBlock block;
                block.line = t.line;
                block.interface = next().text;
                expect("{");
                interface_body(block);
                conf.interfaces.push_back(std::move(block));
            }
        } catch (const Error& e) {
            conf.error = e.what();
        }
        return conf;
    }

private:
    const Token& next() {
        if (pos_ >= tokens_.size())
            throw Error(fmt::format("{}: unexpected end of file", file_.path));
        return tokens_[pos_++];
    }
    [[noreturn]] void fail(const Token& t, const std::string& what) {
        throw Error(fmt::format("{}:{}: {} at '{}'", file_.path, t.line, what, t.text));
    }
    void expect(const char* s) {
        const Token& t = next();
        if (t.text != s) fail(t, fmt::format("expected '{}'", s));
    }
    // The words of a statement up to ';' or '{'; returns which ended it.
    std::string statement(std::vector<Token>& words) {
        for (;;) {
            const Token& t = next();
            if (t.text == ";" || t.text == "{") return t.text;
            if (t.text == "}") fail(t, "unexpected '}'");
            words.push_back(t);
        }
    }
    // Skips a block's body to its '}' and the ';' after it.
    std::vector<std::vector<Token>> block_statements() {
        std::vector<std::vector<Token>> out;
        for (;;) {
            if (pos_ < tokens_.size() && tokens_[pos_].text == "}") {
                ++pos_;
                expect(";");
                return out;
            }
            std::vector<Token> words;
            if (statement(words) == "{") {
                block_statements();  // nested blocks inside a prefix: not needed
                continue;
            }
            out.push_back(std::move(words));
        }
    }
    static std::optional<bool> flag(const std::vector<Token>& words) {
        if (words.size() != 2) return std::nullopt;
        if (words[1].text == "on" || words[1].text == "1") return true;
        if (words[1].text == "off" || words[1].text == "0") return false;
        return std::nullopt;
    }
    void interface_body(RadvdInterfaceBlock& block) {
        for (;;) {
            if (pos_ < tokens_.size() && tokens_[pos_].text == "}") {
                ++pos_;
                expect(";");
                return;
            }
            std::vector<Token> words;
            const std::string end = statement(words);
            if (words.empty()) continue;
            const std::string& key = words[0].text;
            if (end == ";") {
                if (key == "AdvManagedFlag") {
                    if (auto f = flag(words)) {
                        block.managed = *f;
                        block.managed_line = words[0].line;
                    }
                } else if (key == "AdvOtherConfigFlag") {
                    if (auto f = flag(words)) block.other = *f;
                }
                continue;
            }
            const auto body = block_statements();
            if (key == "prefix" && words.size() == 2) {
                if (auto p = prefix_or_none(words[1].text)) {
                    RadvdPrefixBlock pb;
                    pb.prefix = *p;
                    pb.line = words[0].line;
                    for (const auto& s : body) {
                        if (s.size() != 2) continue;
                        const auto n = c_number(s[1].text);
                        const std::optional<std::uint32_t> v =
                            s[1].text == "infinity" ? std::optional<std::uint32_t>(0xffffffffu)
                            : n ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*n))
                                : std::nullopt;
                        if (s[0].text == "AdvPreferredLifetime") pb.preferred = v;
                        if (s[0].text == "AdvValidLifetime") pb.valid = v;
                    }
                    block.prefixes.push_back(pb);
                }
            } else if (key == "RDNSS") {
                for (std::size_t i = 1; i < words.size(); ++i)
                    if (auto a = address_or_none(words[i].text))
                        block.rdnss.emplace_back(*a, words[i].line);
            }
        }
    }

    const TextFile& file_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
};

// ---- kea ---------------------------------------------------------------------

// Kea reads JSON with shell (#), C++ (//) and C (/* */) comments; nlohmann reads the
// last two. '#' comments outside strings become spaces here, lines kept.
std::string without_hash_comments(const std::string& text) {
    std::string out = text;
    bool in_string = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (in_string) {
            if (c == '\\' && i + 1 < out.size())
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '#') {
            while (i < out.size() && out[i] != '\n') out[i++] = ' ';
        }
    }
    return out;
}

// The first line of `text` that mentions `needle` (quoted), for evidence.
int line_mentioning(const std::string& text, const std::string& needle) {
    const auto lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i].find('"' + needle + '"') != std::string::npos) return static_cast<int>(i + 1);
    return 0;
}

void kea_subnets(const Json& list, const std::string& shared_interface, const TextFile& file,
                 KeaConf& out) {
    if (!list.is_array()) return;
    for (const auto& s : list) {
        if (!s.is_object() || !s.contains("subnet") || !s["subnet"].is_string()) continue;
        Dhcpv6Service svc;
        svc.server = "kea";
        const std::string subnet = s["subnet"].get<std::string>();
        svc.prefix = prefix_or_none(subnet);
        svc.interface = s.value("interface", shared_interface);
        const bool pools = s.contains("pools") && s["pools"].is_array() && !s["pools"].empty();
        svc.stateful = pools;
        const int line = line_mentioning(file.text, subnet);
        svc.where = line ? cite(file.path, line, line_of(file.text, line))
                         : fmt::format("{}: subnet6 {}", file.path, subnet);
        out.services.push_back(std::move(svc));
    }
}

}  // namespace

std::string cite(const std::string& path, int line, const std::string& text) {
    return fmt::format("{}:{}: {}", path, line, text);
}

std::string line_of(const std::string& text, int line) {
    const auto lines = lines_of(text);
    if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return "";
    return trim(lines[static_cast<std::size_t>(line) - 1]);
}

RadvdConf parse_radvd_conf(const TextFile& file) {
    return RadvdParser(file).parse();
}

namespace {

std::vector<std::string> comma_list(const std::string& value) {
    std::vector<std::string> items;
    std::string item;
    std::istringstream in(value);
    while (std::getline(in, item, ',')) items.push_back(trim(item));
    return items;
}

// One dhcp-range line: an IPv6 service, or nullopt for IPv4 and ra-only ranges.
std::optional<Dhcpv6Service> dnsmasq_range(const std::vector<std::string>& items,
                                           std::string where) {
    Dhcpv6Service svc;
    svc.server = "dnsmasq";
    svc.where = std::move(where);
    std::vector<IpAddress> addresses;
    bool ra_only = false, stateless = false;
    for (const auto& item : items) {
        if (item.rfind("tag:", 0) == 0 || item.rfind("set:", 0) == 0) continue;
        if (item.rfind("constructor:", 0) == 0) {
            svc.interface = item.substr(12);
        } else if (item == "ra-only") {
            ra_only = true;
        } else if (item == "ra-stateless") {
            stateless = true;
        } else if (auto a = address_or_none(item); a && a->is_v6()) {
            addresses.push_back(*a);
        }
    }
    if (addresses.empty()) return std::nullopt;  // IPv4, or not an address range
    if (ra_only) return std::nullopt;            // router advertisements only, no DHCPv6
    const bool catch_all = addresses.size() == 1 && addresses[0].is_unspecified();
    svc.stateful = !stateless && !catch_all && addresses.size() >= 2;
    if (svc.interface.empty()) svc.prefix = mask(addresses[0], 64);
    return svc;
}

}  // namespace

DnsmasqConf parse_dnsmasq(const std::vector<TextFile>& files) {
    DnsmasqConf conf;
    for (const auto& file : files) {
        const auto lines = lines_of(file.text);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string line = trim(without_comment(lines[i]));
            const auto eq = line.find('=');
            const std::string key = trim(line.substr(0, eq));
            const std::string value = eq == std::string::npos ? "" : trim(line.substr(eq + 1));
            if (key == "interface") {
                for (const auto& n : comma_list(value)) conf.interfaces.push_back(n);
            } else if (key == "no-dhcp-interface" || key == "except-interface") {
                for (const auto& n : comma_list(value)) conf.no_dhcp.push_back(n);
            } else if (key == "dhcp-range") {
                auto svc = dnsmasq_range(comma_list(value),
                                         cite(file.path, static_cast<int>(i + 1), trim(lines[i])));
                if (svc) conf.services.push_back(std::move(*svc));
            }
        }
    }
    return conf;
}

KeaConf parse_kea_dhcp6(const TextFile& file) {
    KeaConf conf;
    Json doc;
    try {
        doc = Json::parse(without_hash_comments(file.text), nullptr, true, true);
    } catch (const std::exception& e) {
        conf.error = fmt::format("{}: not JSON kea reads: {}", file.path, e.what());
        return conf;
    }
    if (!doc.is_object() || !doc.contains("Dhcp6") || !doc["Dhcp6"].is_object()) return conf;
    const Json& d6 = doc["Dhcp6"];
    if (d6.contains("subnet6")) kea_subnets(d6["subnet6"], "", file, conf);
    if (d6.contains("shared-networks") && d6["shared-networks"].is_array())
        for (const auto& net : d6["shared-networks"])
            if (net.is_object() && net.contains("subnet6"))
                kea_subnets(net["subnet6"], net.value("interface", ""), file, conf);
    return conf;
}

std::vector<DhcpcdDelegation> parse_dhcpcd_conf(const TextFile& file) {
    std::vector<DhcpcdDelegation> out;
    const auto lines = lines_of(file.text);
    std::string block;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto words = words_of(without_comment(lines[i]));
        if (words.empty()) continue;
        if (words[0] == "interface" && words.size() >= 2) block = words[1];
        if (words[0] == "profile" || words[0] == "ssid") block.clear();
        if (words[0] != "ia_pd") continue;
        // words[1] is the IAID (possibly with /prefix/len); the rest are interfaces.
        for (std::size_t w = 2; w < words.size(); ++w) {
            std::vector<std::string> parts;
            std::string part;
            std::istringstream in(words[w]);
            while (std::getline(in, part, '/')) parts.push_back(part);
            if (parts.empty() || parts[0].empty()) continue;
            DhcpcdDelegation d;
            d.uplink = block;
            d.interface = parts[0];
            d.where = cite(file.path, static_cast<int>(i + 1), trim(lines[i]));
            if (parts.size() > 1 && !parts[1].empty())
                if (auto n = c_number(parts[1])) d.sla_id = static_cast<std::uint32_t>(*n);
            if (parts.size() > 2 && !parts[2].empty())
                if (auto n = c_number(parts[2])) d.prefix_length = static_cast<int>(*n);
            if (parts.size() > 3 && !parts[3].empty()) {
                const auto n = c_number(parts[3]);
                if (!n) continue;  // dhcpcd refuses it too ("failed to convert suffix")
                d.suffix = *n;
                d.suffix_text = parts[3];
            }
            out.push_back(std::move(d));
        }
    }
    return out;
}

std::vector<PppPeer> parse_ppp(const std::vector<TextFile>& files,
                               const std::vector<std::string>& link_names) {
    std::vector<PppPeer> out;
    for (const auto& file : files) {
        PppPeer peer;
        peer.file = file.path;
        bool pppoe = false;
        std::string unit;
        const auto lines = lines_of(file.text);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto words = words_of(without_comment(lines[i]));
            const std::string where = cite(file.path, static_cast<int>(i + 1), trim(lines[i]));
            for (std::size_t w = 0; w < words.size(); ++w) {
                const std::string& word = words[w];
                const bool has_arg = w + 1 < words.size();
                if (word == "ifname" && has_arg) {
                    peer.ifname = words[++w];
                    peer.ifname_where = where;
                } else if (word == "unit" && has_arg) {
                    unit = words[++w];
                    if (peer.ifname.empty()) peer.ifname_where = where;
                } else if (word == "plugin" && has_arg) {
                    pppoe = pppoe || words[++w].find("pppoe") != std::string::npos;
                } else if (word == "+ipv6") {
                    peer.ipv6 = true;
                } else if (word == "noipv6" || word == "-ipv6") {
                    peer.ipv6 = false;
                } else if (word.rfind("nic-", 0) == 0) {
                    peer.device = word.substr(4);
                    peer.device_where = where;
                } else if (pppoe && peer.device.empty() &&
                           std::find(link_names.begin(), link_names.end(), word) !=
                               link_names.end()) {
                    peer.device = word;
                    peer.device_where = where;
                }
            }
        }
        if (peer.ifname.empty() && !unit.empty()) peer.ifname = "ppp" + unit;
        if (!peer.ifname.empty() || !peer.device.empty() || peer.ipv6) out.push_back(peer);
    }
    return out;
}

}  // namespace hookctl
