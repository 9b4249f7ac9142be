// The document model and toml++'s document converted into it; see toml_doc.hpp.
#include "toml_doc.hpp"

#include "toml.hpp"

#include <algorithm>

namespace hookctl::toml_doc {

bool Node::is_array_of_tables() const {
    return is_array() && !items.empty() &&
           std::all_of(items.begin(), items.end(), [](const Node& n) { return n.is_table(); });
}

const Node* Node::find(std::string_view key) const {
    for (const Member& m : members)
        if (m.key == key) return &m.value;
    return nullptr;
}

namespace {

Position position(const toml::source_position& p) {
    return {p.line, p.column};
}

Node convert(const toml::node& n) {
    Node out;
    out.begin = position(n.source().begin);
    out.end = position(n.source().end);
    switch (n.type()) {
    case toml::node_type::table:
        out.type = Type::table;
        for (const auto& [key, value] : *n.as_table())
            out.members.push_back(
                {std::string(key.str()), position(key.source().begin), convert(value)});
        break;
    case toml::node_type::array:
        out.type = Type::array;
        for (const toml::node& item : *n.as_array()) out.items.push_back(convert(item));
        break;
    case toml::node_type::string:
        out.type = Type::string;
        out.string = n.as_string()->get();
        break;
    case toml::node_type::integer:
        out.type = Type::integer;
        out.integer = n.as_integer()->get();
        out.octal = n.as_integer()->flags() == toml::value_flags::format_as_octal;
        break;
    case toml::node_type::boolean:
        out.type = Type::boolean;
        out.boolean = n.as_boolean()->get();
        break;
    case toml::node_type::floating_point: out.type = Type::floating_point; break;
    case toml::node_type::date: out.type = Type::date; break;
    case toml::node_type::time: out.type = Type::time; break;
    default: out.type = Type::date_time; break;
    }
    return out;
}

}  // namespace

Node from_tomlpp(const toml::table& root) {
    return convert(root);
}

}  // namespace hookctl::toml_doc
