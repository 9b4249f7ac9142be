// A thin typed layer over the parsed TOML document (toml_doc.hpp) for the config
// parser: every value read carries its path ("rule[2].from[1]") and source position,
// so each problem becomes a ConfigError with file:line:column and a hint. Section
// checks its keys against a list of known keys (did-you-mean for the rest). Internal
// to lib/config.
#pragma once

#include "config.hpp"
#include "suggest.hpp"

#include <fmt/format.h>
#include "toml_doc.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookctl::toml_reader {

// Known keys and value names: views of string literals (or of the parsers' static
// name lists), so the tables of them cost no allocation per name at start-up.
using Keys = std::vector<std::string_view>;
// For did_you_mean, on the error path.
inline std::vector<std::string> names_of(const Keys& keys) {
    return {keys.begin(), keys.end()};
}

using toml_doc::Node;

std::string a_type(toml_doc::Type t);
SourceLocation location(const std::string& file, const toml_doc::Position& p);

enum class Unit { seconds, milliseconds };

class Section;

// One TOML value and its path for messages ("rule[2].from[1]").
class Value {
public:
    Value(const Node& node, std::string path, const std::string& file)
        : node_(&node), path_(std::move(path)), file_(&file) {}

    const Node& node() const { return *node_; }
    const std::string& path() const { return path_; }
    SourceLocation where() const { return location(*file_, node_->begin); }

    [[noreturn]] void fail(const std::string& problem, const std::string& hint = "") const;
    [[noreturn]] void expected(const std::string& what) const;

    // Runs a net_types parser on the string value: parse(text, path).
    template <class F>
    auto parsed(F&& parse) const {
        const std::string text = string();
        try {
            return parse(std::string_view(text), std::string_view(path_));
        } catch (const InputError& e) {
            throw ConfigError(where(), e.what());
        }
    }

    std::string string() const;
    std::int64_t integer(std::int64_t min, std::int64_t max) const;
    std::uint32_t u32(std::uint32_t min = 0) const {
        return static_cast<std::uint32_t>(integer(min, 0xffffffff));
    }
    bool boolean() const;
    std::vector<Value> array() const;
    // A single value, or an array of them.
    std::vector<Value> one_or_many() const;
    // An integer in `unit`, or a string like "90s", "5m", "2h", "1d", "500ms", "1h30m".
    std::uint32_t duration(Unit unit) const;
    // A program and its arguments: never a shell line.
    std::vector<std::string> argv() const;
    std::vector<std::vector<std::string>> argv_list() const;
    // An absolute path without NUL, "." or ".." components.
    std::string absolute_path() const;
    // One line, one-character quotes, no escapes: columns inside map 1:1.
    bool exact_columns() const;
    Section table(const Keys* known, std::string label = "") const;

private:
    const Node* node_;
    std::string path_;
    const std::string* file_;
};

// A TOML table whose keys were checked against `known` (nullptr: any key).
class Section {
public:
    struct Entry {
        std::string key;
        SourceLocation key_where;
        Value value;
    };

    Section(const Node& t, std::string path, std::string label, const Keys* known,
            const std::string& file);

    SourceLocation where() const { return location(*file_, table_->begin); }
    const std::string& label() const { return label_; }
    const std::string& path() const { return path_; }

    std::optional<Value> get(std::string_view key) const;
    Value need(std::string_view key) const;
    bool has(std::string_view key) const { return table_->find(key) != nullptr; }
    // In the order written in the file.
    std::vector<Entry> entries() const;

    [[noreturn]] void fail(const std::string& message, const std::string& hint = "") const {
        throw ConfigError(where(), message, hint);
    }

private:
    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + '.' + std::string(key);
    }

    const Node* table_;
    std::string path_;
    std::string label_;
    const std::string* file_;
};

// `[[name]]` entries: an array of tables.
std::vector<Section> array_of_tables(const Section& top, std::string_view name, const Keys& known);

// An enum spelt as one of `names` (same order as the enum's values).
template <class E>
E choice(const Value& v, const Keys& names) {
    const std::string word = v.string();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == word) return static_cast<E>(i);
    v.fail(fmt::format("unknown value \"{}\"", escape_for_display(word)),
           did_you_mean(word, names_of(names), fmt::format("one of: {}", fmt::join(names, ", "))));
}

// Letters, digits and the characters in `extra`; not empty.
bool all_name_chars(std::string_view s, std::string_view extra);

}  // namespace hookctl::toml_reader
