// Checks parse_plain_toml against toml++ (tests/unit/toml_doc_test.cpp and the
// toml_plain fuzz target): a document the plain parser reads must be the one toml++
// reads, node for node (type, value, octal flag, begin and end, key positions).
#pragma once

#include "toml.hpp"
#include "toml_doc.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace hookctl::toml_compare {

inline std::string at(const toml_doc::Position& p) {
    return std::to_string(p.line) + ":" + std::to_string(p.column);
}

// The first difference between two documents ("" if none); members by key, as
// toml++ keeps them.
inline std::string difference(const toml_doc::Node& a, const toml_doc::Node& b,
                              const std::string& path) {
    if (a.type != b.type) return path + ": type";
    if (!(a.begin == b.begin)) return path + ": begin " + at(a.begin) + " vs " + at(b.begin);
    if (!(a.end == b.end)) return path + ": end " + at(a.end) + " vs " + at(b.end);
    if (a.string != b.string) return path + ": string";
    if (a.integer != b.integer || a.octal != b.octal) return path + ": integer";
    if (a.boolean != b.boolean) return path + ": boolean";
    if (a.items.size() != b.items.size()) return path + ": array size";
    for (std::size_t i = 0; i < a.items.size(); ++i)
        if (auto d = difference(a.items[i], b.items[i], path + "[" + std::to_string(i) + "]");
            !d.empty())
            return d;
    if (a.members.size() != b.members.size()) return path + ": member count";
    const auto sorted = [](const toml_doc::Node& n) {
        std::vector<const toml_doc::Member*> v;
        for (const auto& m : n.members) v.push_back(&m);
        std::sort(v.begin(), v.end(), [](auto* x, auto* y) { return x->key < y->key; });
        return v;
    };
    const auto ma = sorted(a), mb = sorted(b);
    for (std::size_t i = 0; i < ma.size(); ++i) {
        if (ma[i]->key != mb[i]->key) return path + ": key " + ma[i]->key + " vs " + mb[i]->key;
        if (!(ma[i]->key_at == mb[i]->key_at))
            return path + "." + ma[i]->key + ": key at " + at(ma[i]->key_at) + " vs " +
                   at(mb[i]->key_at);
        if (auto d = difference(ma[i]->value, mb[i]->value, path + "." + ma[i]->key); !d.empty())
            return d;
    }
    return "";
}

// "" when the plain parser gives up or reads what toml++ reads; else what differs.
// *plain: whether the plain parser read the text.
inline std::string check(std::string_view text, bool* plain = nullptr) {
    const auto fast = toml_doc::parse_plain_toml(text);
    if (plain) *plain = fast.has_value();
    if (!fast) return "";
    try {
        const toml::table t = toml::parse(text, std::string_view("t.toml"));
        const std::string d = difference(*fast, toml_doc::from_tomlpp(t), "");
        return d.empty() ? "" : "differs at " + d;
    } catch (const toml::parse_error& e) {
        return "plain accepted what toml++ rejects: " + std::string(e.description());
    } catch (const TomlCheckFailed& e) {
        return std::string("plain accepted what toml++'s check rejects: ") + e.what();
    }
}

}  // namespace hookctl::toml_compare
