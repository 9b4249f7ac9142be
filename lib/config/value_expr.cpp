// Expressions in the config ("int.prefix + ::c0a0:808", "tkom.ipv4", "2001:db8::1")
// and templates ("TARGET=[{int.prefix + ::8}]:3389"). Only syntax is checked here;
// parse_config checks that owners exist and have the field.
#include "config.hpp"
#include "suggest.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace hookctl {

namespace {

// The one table of field names: used to parse, to print and for the hint.
constexpr std::array<std::pair<std::string_view, ValueExpr::Field>, 7> field_names{{
    {"ipv4", ValueExpr::Field::ipv4},
    {"ipv4-peer", ValueExpr::Field::ipv4_peer},
    {"ipv6", ValueExpr::Field::ipv6},
    {"prefix", ValueExpr::Field::prefix},
    {"delegated", ValueExpr::Field::delegated},
    {"link-local", ValueExpr::Field::link_local},
    {"address", ValueExpr::Field::address},
}};

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Owner names as config.cpp accepts them for [uplink.X] and [lan.X].
bool is_name(std::string_view s) {
    if (s.empty() || !is_letter(s.front())) return false;
    for (char c : s)
        if (!is_letter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_') return false;
    return true;
}

struct ExprParser {
    std::string_view text;
    const SourceLocation& where;
    std::string_view what;

    [[noreturn]] void fail(const std::string& problem, const std::string& hint = "") const {
        raw_fail(fmt::format("'{}': {}", text, problem), hint);
    }
    [[noreturn]] void raw_fail(const std::string& message, const std::string& hint = "") const {
        const std::string prefix = what.empty() ? "" : fmt::format("{}: ", what);
        throw ConfigError(where, prefix + message, hint);
    }

    // Runs a net_types parser, turning its InputError into a ConfigError here.
    template <class F>
    auto net(F&& parse) const {
        try {
            return parse();
        } catch (const InputError& e) {
            const std::string full = e.what();
            raw_fail(full.substr(e.variable().size() + 2));
        }
    }

    ValueExpr parse() const {
        ValueExpr e;
        e.text = std::string(text);
        e.where = where;
        if (text.empty()) fail("empty expression", "write OWNER.FIELD or an address");
        const auto plus = text.find('+');
        const std::string_view ref = trim(text.substr(0, plus));
        const bool is_ref =
            !ref.empty() && ref.find(':') == std::string_view::npos && is_letter(ref.front());
        if (!is_ref) {
            if (plus != std::string_view::npos)
                fail("'+ TOKEN' follows a reference like 'int.prefix', not a literal");
            if (text.find('/') != std::string_view::npos)
                e.literal_prefix = net([&] { return parse_prefix(text, "prefix"); });
            else
                e.literal_address = net([&] { return parse_address(text, "address"); });
            return e;
        }
        const auto dot = ref.find('.');
        if (dot == std::string_view::npos)
            fail("expected OWNER.FIELD", "for example 'int.prefix' or 'tkom.ipv4'");
        e.owner = std::string(ref.substr(0, dot));
        if (!is_name(e.owner)) fail(fmt::format("'{}' is not an uplink or lan name", e.owner));
        std::string_view field = ref.substr(dot + 1);
        if (const auto slash = field.find('/'); slash != std::string_view::npos) {
            fail("a reference's prefix length comes from the facts",
                 fmt::format("write '{}.{}'", e.owner, field.substr(0, slash)));
        }
        for (const auto& [name, value] : field_names)
            if (name == field) e.field = value;
        if (e.field == ValueExpr::Field::none) {
            std::vector<std::string> names;
            names.reserve(field_names.size());
            for (const auto& f : field_names) names.emplace_back(f.first);
            fail(fmt::format("unknown field '{}'", field),
                 did_you_mean(field, names, fmt::format("fields are {}", fmt::join(names, ", "))));
        }
        if (plus == std::string_view::npos) return e;

        if (e.field != ValueExpr::Field::prefix && e.field != ValueExpr::Field::delegated)
            fail("'+ TOKEN' only follows a prefix or delegated field",
                 fmt::format("'{}.{}' is already an address", e.owner, field));
        const std::string_view token = trim(text.substr(plus + 1));
        if (token.empty()) fail("missing token after '+'", "for example 'int.prefix + ::c0a0:808'");
        e.token = net([&] { return parse_address(token, "token"); });
        if (!e.token->is_v6())
            fail(fmt::format("token '{}' is not an IPv6 address", token),
                 "a token is an interface identifier like ::c0a0:808");
        return e;
    }
};

}  // namespace

bool ValueExpr::yields_prefix() const {
    if (field == Field::none) return literal_prefix.has_value();
    return (field == Field::prefix || field == Field::delegated) && !token;
}

Family ValueExpr::family() const {
    switch (field) {
    case Field::none: return literal_prefix ? literal_prefix->family() : literal_address->family;
    case Field::ipv4:
    case Field::ipv4_peer: return Family::v4;
    default: return Family::v6;
    }
}

std::string to_string(ValueExpr::Field f) {
    for (const auto& [name, value] : field_names)
        if (value == f) return std::string(name);
    return "";
}

ValueExpr parse_value_expr(std::string_view text, const SourceLocation& where,
                           std::string_view what) {
    return ExprParser{trim(text), where, what}.parse();
}

Template parse_template(std::string_view text, SourceLocation where, std::string_view what,
                        bool exact_columns) {
    // Column of text[i]: the value starts with a one-character quote.
    const auto at = [&](std::size_t i) {
        SourceLocation l = where;
        if (exact_columns) l.column += 1 + static_cast<int>(i);
        return l;
    };
    const std::string prefix = what.empty() ? "" : fmt::format("{}: ", what);
    Template parts;
    std::string literal;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            literal += c;
            i += 2;
            continue;
        }
        if (c == '}')
            throw ConfigError(at(i), prefix + "unbalanced '}' in template",
                              "write '}}' for a literal brace");
        if (c != '{') {
            literal += c;
            ++i;
            continue;
        }
        const auto close = text.find_first_of("{}\n", i + 1);
        if (close == std::string_view::npos || text[close] != '}')
            throw ConfigError(at(i), prefix + "unbalanced '{' in template",
                              "close the placeholder with '}', or write '{{' for a literal brace");
        const std::string_view inner = text.substr(i + 1, close - i - 1);
        const std::size_t lead = inner.find_first_not_of(" \t");
        const std::size_t start = lead == std::string_view::npos ? i + 1 : i + 1 + lead;
        parts.push_back({std::move(literal), parse_value_expr(inner, at(start), what)});
        literal.clear();
        i = close + 1;
    }
    if (!literal.empty()) parts.push_back({std::move(literal), std::nullopt});
    return parts;
}

}  // namespace hookctl
