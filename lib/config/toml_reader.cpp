// The typed layer over the parsed document; see toml_reader.hpp.
#include "toml_reader.hpp"

#include <algorithm>

namespace hookctl::toml_reader {

std::string a_type(toml_doc::Type t) {
    switch (t) {
    case toml_doc::Type::table: return "a table";
    case toml_doc::Type::array: return "an array";
    case toml_doc::Type::string: return "a string";
    case toml_doc::Type::integer: return "an integer";
    case toml_doc::Type::floating_point: return "a float";
    case toml_doc::Type::boolean: return "a boolean";
    case toml_doc::Type::date: return "a date";
    case toml_doc::Type::time: return "a time";
    case toml_doc::Type::date_time: return "a date-time";
    }
    return "nothing";
}

SourceLocation location(const std::string& file, const toml_doc::Position& p) {
    return {file, static_cast<int>(p.line), static_cast<int>(p.column)};
}

void Value::fail(const std::string& problem, const std::string& hint) const {
    throw ConfigError(where(), fmt::format("{}: {}", path_, problem), hint);
}

void Value::expected(const std::string& what) const {
    fail(fmt::format("expected {}, got {}", what, a_type(node_->type)));
}

std::string Value::string() const {
    if (!node_->is_string()) expected("a string");
    if (node_->string.find('\0') != std::string::npos) fail("contains a NUL character");
    return node_->string;
}

std::int64_t Value::integer(std::int64_t min, std::int64_t max) const {
    if (!node_->is_integer()) expected("an integer");
    const std::int64_t i = node_->integer;
    if (i < min || i > max) fail(fmt::format("{} is out of range {}..{}", i, min, max));
    return i;
}

bool Value::boolean() const {
    if (!node_->is_boolean()) expected("a boolean (true or false)");
    return node_->boolean;
}

std::vector<Value> Value::array() const {
    if (!node_->is_array()) expected("an array");
    std::vector<Value> items;
    const std::vector<Node>& a = node_->items;
    for (std::size_t i = 0; i < a.size(); ++i)
        items.emplace_back(a[i], fmt::format("{}[{}]", path_, i + 1), *file_);
    return items;
}

std::vector<Value> Value::one_or_many() const {
    if (node_->is_array()) return array();
    return {*this};
}

std::uint32_t Value::duration(Unit unit) const {
    if (node_->is_integer()) return u32();
    if (!node_->is_string())
        expected(unit == Unit::seconds ? "a duration (\"90s\", \"2h\" or integer seconds)"
                                       : "a duration (\"3s\", \"500ms\" or integer ms)");
    const std::string text = string();
    const std::string hint = "write a number with a unit: ms, s, m, h or d, e.g. \"90s\"";
    std::uint64_t ms = 0;
    std::size_t i = 0;
    if (text.empty()) fail("empty duration", hint);
    while (i < text.size()) {
        std::uint64_t n = 0;
        const std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n < 1'000'000'000'000)
            n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
        std::size_t end = i;
        while (end < text.size() && text[end] >= 'a' && text[end] <= 'z') ++end;
        const std::string suffix = text.substr(i, end - i);
        std::uint64_t factor = 0;
        if (suffix == "ms")
            factor = 1;
        else if (suffix == "s")
            factor = 1000;
        else if (suffix == "m")
            factor = 60'000;
        else if (suffix == "h")
            factor = 3'600'000;
        else if (suffix == "d")
            factor = 86'400'000;
        if (i == start || factor == 0)
            fail(fmt::format("bad duration \"{}\"", escape_for_display(text)), hint);
        ms += n * factor;
        i = end;
    }
    if (unit == Unit::seconds && ms % 1000 != 0)
        fail(fmt::format("\"{}\" is not a whole number of seconds", text));
    const std::uint64_t n = unit == Unit::seconds ? ms / 1000 : ms;
    if (n > 0xffffffffu) fail(fmt::format("duration \"{}\" is too long", text));
    return static_cast<std::uint32_t>(n);
}

std::vector<std::string> Value::argv() const {
    const std::string what = "an argv array of strings, e.g. [\"/usr/bin/rdisc6\", \"ppp0\"]";
    if (!node_->is_array()) expected(what);
    std::vector<std::string> argv;
    for (const Value& item : array()) {
        if (!item.node().is_string()) item.expected("a string");
        argv.push_back(item.string());
        if (argv.back().empty()) item.fail("empty argument");
    }
    if (argv.empty()) fail("empty argv", "name a program, e.g. [\"rdisc6\", \"ppp0\"]");
    if (argv[0].front() != '/' && argv[0].find('/') != std::string::npos)
        fail(fmt::format("program \"{}\" is a relative path", argv[0]),
             "use an absolute path or a bare name looked up on settings.path");
    if (argv[0].find(' ') != std::string::npos && argv[0].front() != '/')
        fail(fmt::format("program \"{}\" contains a space", argv[0]),
             "argv is not a shell line: put each argument in its own string");
    return argv;
}

std::vector<std::vector<std::string>> Value::argv_list() const {
    if (!node_->is_array() || (!node_->items.empty() && !node_->items[0].is_array()))
        expected("an array of argv arrays, e.g. [[\"rdisc6\", \"ppp0\"]]");
    std::vector<std::vector<std::string>> list;
    for (const Value& item : array()) list.push_back(item.argv());
    return list;
}

std::string Value::absolute_path() const {
    std::string p = string();
    if (p.empty() || p.front() != '/')
        fail(fmt::format("\"{}\" is not an absolute path", escape_for_display(p)),
             "paths start with '/'");
    if (p.size() > 1 && p.back() == '/') fail(fmt::format("\"{}\" ends with '/'", p));
    for (std::size_t at = 0; at < p.size();) {
        const std::size_t slash = std::min(p.find('/', at), p.size());
        const std::string_view part(p.data() + at, slash - at);
        if (part == "." || part == "..")
            fail(fmt::format("\"{}\" contains a '{}' component", p, part));
        at = slash + 1;
    }
    return p;
}

bool Value::exact_columns() const {
    // One line, one-character quotes, no escapes: columns inside map 1:1.
    return node_->begin.line == node_->end.line &&
           node_->end.column - node_->begin.column == node_->string.size() + 2;
}

Section::Section(const Node& t, std::string path, std::string label, const Keys* known,
                 const std::string& file)
    : table_(&t), path_(std::move(path)), label_(std::move(label)), file_(&file) {
    // Checked on the table itself (a config is loaded at every hook run); the entries in
    // file order are made only to name the first unknown key, as the file has it.
    const bool all_known =
        !known || std::all_of(t.members.begin(), t.members.end(), [&](const toml_doc::Member& m) {
            return std::find(known->begin(), known->end(), m.key) != known->end();
        });
    if (all_known) return;
    for (const Entry& e : entries()) {
        if (!known || std::find(known->begin(), known->end(), e.key) != known->end()) continue;
        throw ConfigError(e.key_where, fmt::format("unknown key '{}' in {}", e.key, label_),
                          did_you_mean(e.key, names_of(*known),
                                       fmt::format("known keys: {}", fmt::join(*known, ", "))));
    }
}

std::optional<Value> Section::get(std::string_view key) const {
    const Node* n = table_->find(key);
    if (!n) return std::nullopt;
    return Value(*n, key_path(key), *file_);
}

Value Section::need(std::string_view key) const {
    if (auto v = get(key)) return *v;
    fail(fmt::format("missing key '{}' in {}", key, label_));
}

std::vector<Section::Entry> Section::entries() const {
    std::vector<Entry> list;
    for (const toml_doc::Member& m : table_->members)
        list.push_back(
            {m.key, location(*file_, m.key_at), Value(m.value, key_path(m.key), *file_)});
    std::sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
        return std::pair(a.key_where.line, a.key_where.column) <
               std::pair(b.key_where.line, b.key_where.column);
    });
    return list;
}

Section Value::table(const Keys* known, std::string label) const {
    if (!node_->is_table()) expected("a table");
    if (label.empty()) label = path_.find('[') == std::string::npos ? "[" + path_ + "]" : path_;
    return Section(*node_, path_, std::move(label), known, *file_);
}

// `[[name]]` entries: an array of tables.
std::vector<Section> array_of_tables(const Section& top, std::string_view name, const Keys& known) {
    std::vector<Section> list;
    const auto v = top.get(name);
    if (!v) return list;
    if (!v->node().is_array_of_tables())
        v->fail(fmt::format("expected an array of tables ([[{}]]), got {}", name,
                            a_type(v->node().type)));
    for (const Value& item : v->array())
        list.push_back(item.table(&known, fmt::format("[[{}]]", name)));
    return list;
}

bool all_name_chars(std::string_view s, std::string_view extra) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string_view::npos;
    });
}

}  // namespace hookctl::toml_reader
