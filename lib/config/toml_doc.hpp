// The parsed TOML document the config parser reads (internal to lib/config).
//
// Two parsers fill it. toml++ is the authority: it reads any TOML and words every
// syntax error. In front of it, parse_plain_toml reads the plain TOML a hookctl config
// is written in (tables, arrays of tables, keys bare, quoted or dotted, strings with
// the short escapes, decimal and 0o integers, booleans, arrays, one-line inline tables)
// in a fraction of toml++'s time, which a hook pays at every event (bench/README.md).
// It gives up on anything else (another kind of value, a non-ASCII byte, any syntax or
// redefinition error, nesting deeper or tables wider than a config needs) and toml++
// parses the text instead, so it never decides what is valid. That a document it reads
// is the one toml++ reads, node for node and position for position, is checked on the
// examples, hand-written cases and their mutants (tests/unit/toml_doc_test.cpp) and by
// the toml_plain fuzz target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace hookctl::toml_doc {

enum class Type { table, array, string, integer, floating_point, boolean, date, time, date_time };

// Line and column, from 1, as toml++ counts them (a column is a code point).
struct Position {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    bool operator==(const Position& o) const { return line == o.line && column == o.column; }
};

struct Member;

struct Node {
    Type type = Type::table;
    Position begin;
    Position end;                 // just past the value
    std::string string;           // Type::string
    std::int64_t integer = 0;     // Type::integer
    bool octal = false;           // an integer written 0o...
    bool boolean = false;         // Type::boolean
    std::vector<Node> items;      // Type::array
    std::vector<Member> members;  // Type::table, in the order the file defines them
    // How parse_plain_toml made a table or an array (header, dotted key, inline ...),
    // which decides what may extend it later; 0 from toml++.
    std::uint8_t made_by = 0;

    bool is_table() const { return type == Type::table; }
    bool is_array() const { return type == Type::array; }
    bool is_string() const { return type == Type::string; }
    bool is_integer() const { return type == Type::integer; }
    bool is_boolean() const { return type == Type::boolean; }
    // A non-empty array of tables only ([[name]] or [{...}, ...]).
    bool is_array_of_tables() const;
    const Node* find(std::string_view key) const;
    Node* find(std::string_view key) {
        return const_cast<Node*>(static_cast<const Node&>(*this).find(key));
    }
};

struct Member {
    std::string key;
    Position key_at;
    Node value;
};

// The plain subset above, or nullopt: then parse with toml++ (from_tomlpp).
std::optional<Node> parse_plain_toml(std::string_view text);

// toml++'s document as a Node (members in toml++'s order, by key).
Node from_tomlpp(const toml::table& root);

}  // namespace hookctl::toml_doc
