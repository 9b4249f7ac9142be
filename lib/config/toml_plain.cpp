// parse_plain_toml: the plain TOML of a hookctl config, read without toml++; see
// toml_doc.hpp for why and for what it leaves to toml++. Every "give up" below means
// "toml++ decides", never "invalid": this parser rejects nothing on its own.
#include "toml_doc.hpp"

namespace hookctl::toml_doc {
namespace {

// Node::made_by: what may still be added to a table or an array.
enum Made : std::uint8_t {
    by_toml_pp = 0,
    made_implicit = 1,  // a table named only as the prefix of a header ([a] of [a.b])
    made_header = 2,    // [a], or an element of [[a]]
    made_dotted = 3,    // a.b = ... made table a
    made_fixed = 4,     // an inline table or an array value: complete once written
    made_aot = 5,       // the array [[a]] makes
};

struct GiveUp {};
[[noreturn]] void give_up() {
    throw GiveUp{};
}

class PlainParser {
public:
    explicit PlainParser(std::string_view text) : s_(text) {}

    Node parse() {
        Node root;
        root.type = Type::table;
        root.made_by = made_header;
        root.begin = {1, 1};
        Node* table = &root;
        while (i_ < s_.size()) {
            skip_blank();
            if (at_line_end()) {
                line_end();
                continue;
            }
            if (s_[i_] == '[') {
                table = header(root);
            } else {
                key_value(*table);
            }
            skip_blank();
            line_end();
        }
        // toml++ ends the root just past the last character: a final newline ends it
        // on that newline's line.
        root.end = i_ > 0 && s_[i_ - 1] == '\n'
                       ? Position{last_newline_.line, last_newline_.column + 1}
                       : here();
        return root;
    }

private:
    Position here() const { return {line_, static_cast<std::uint32_t>(i_ - line_start_ + 1)}; }
    bool eof() const { return i_ >= s_.size(); }
    char peek(std::size_t ahead = 0) const {
        return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0';
    }

    void skip_blank() {
        while (!eof() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    bool at_line_end() const { return eof() || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '#'; }
    // A comment (printable ASCII and tabs only), then a newline or the end.
    void line_end() {
        if (!eof() && s_[i_] == '#') {
            for (++i_; !eof() && s_[i_] != '\n' && s_[i_] != '\r'; ++i_)
                if (!printable(s_[i_])) give_up();
        }
        if (eof()) return;
        if (s_[i_] == '\r') {
            if (peek(1) != '\n') give_up();
            ++i_;
        }
        if (s_[i_] != '\n') give_up();
        last_newline_ = here();
        ++i_;
        ++line_;
        line_start_ = i_;
    }
    // Blanks, comments and newlines, as between the values of an array.
    void skip_blank_lines() {
        for (;;) {
            skip_blank();
            if (eof() || !at_line_end()) return;
            line_end();
        }
    }
    static bool printable(char c) { return c == '\t' || (c >= 0x20 && c < 0x7f); }
    static bool bare(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    }
    static bool ends_value(char c) {
        return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' ||
               c == ',' || c == ']' || c == '}';
    }

    struct KeyPart {
        std::string name;
        Position at;
        Position end;
    };

    // key ( "." key )*, blanks around the dots.
    std::vector<KeyPart> dotted_key() {
        std::vector<KeyPart> parts;
        for (;;) {
            skip_blank();
            KeyPart part{{}, here(), {}};
            if (eof()) give_up();
            if (s_[i_] == '"') {
                part.name = basic_string();
            } else if (s_[i_] == '\'') {
                part.name = literal_string();
            } else {
                const std::size_t start = i_;
                while (!eof() && bare(s_[i_])) ++i_;
                if (i_ == start) give_up();
                part.name.assign(s_.substr(start, i_ - start));
            }
            part.end = here();
            parts.push_back(std::move(part));
            skip_blank();
            if (eof() || s_[i_] != '.') return parts;
            ++i_;
        }
    }

    // Members are found by a linear search, fine for a config's tables; a table with
    // thousands of keys (a million-byte config of them took 12 s) is toml++'s, whose
    // tables are maps.
    static Node& add(Node& table, const KeyPart& key, Node value) {
        if (table.members.size() >= max_members) give_up();
        table.members.push_back({key.name, key.at, std::move(value)});
        return table.members.back().value;
    }
    static Node new_table(std::uint8_t made, Position begin, Position end) {
        Node t;
        t.type = Type::table;
        t.made_by = made;
        t.begin = begin;
        t.end = end;
        return t;
    }

    // [a.b] or [[a.b]]: the table the next keys go into.
    Node* header(Node& root) {
        const Position begin = here();
        const bool array = peek(1) == '[';
        i_ += array ? 2 : 1;
        const std::vector<KeyPart> key = dotted_key();
        if (peek() != ']' || (array && peek(1) != ']')) give_up();
        i_ += array ? 2 : 1;
        const Position end = here();
        Node* t = &root;
        for (std::size_t k = 0; k + 1 < key.size(); ++k) {
            Node* n = t->find(key[k].name);
            if (!n)
                n = &add(*t, key[k], new_table(made_implicit, begin, end));
            else if (n->is_table() && (n->made_by == made_implicit || n->made_by == made_header))
                ;
            else if (n->is_array() && n->made_by == made_aot)
                n = &n->items.back();
            else
                give_up();
            t = n;
        }
        Node* n = t->find(key.back().name);
        if (array) {
            if (!n) {
                Node a;
                a.type = Type::array;
                a.made_by = made_aot;
                a.begin = begin;
                a.end = end;
                n = &add(*t, key.back(), std::move(a));
            } else if (n->is_array() && n->made_by == made_aot) {
                n->end = end;  // as toml++: the array ends with its last header
            } else {
                give_up();
            }
            n->items.push_back(new_table(made_header, begin, end));
            return &n->items.back();
        }
        if (!n) return &add(*t, key.back(), new_table(made_header, begin, end));
        if (!(n->is_table() && n->made_by == made_implicit)) give_up();
        n->made_by = made_header;
        n->begin = begin;  // as toml++: where it is defined, not first named
        n->end = end;
        return n;
    }

    // key = value, into `table`; dotted keys make (or extend) tables of their own.
    void key_value(Node& table) {
        const std::vector<KeyPart> key = dotted_key();
        if (peek() != '=') give_up();
        ++i_;
        skip_blank();
        Node* t = &table;
        for (std::size_t k = 0; k + 1 < key.size(); ++k) {
            Node* n = t->find(key[k].name);
            if (!n)
                n = &add(*t, key[k], new_table(made_dotted, key[k].at, key[k].end));
            else if (!(n->is_table() && n->made_by == made_dotted))
                give_up();
            t = n;
        }
        if (t->find(key.back().name)) give_up();
        Node v = value();
        add(*t, key.back(), std::move(v));
    }

    Node value() {
        // Arrays and inline tables nest by recursion: a config of a million '[' would
        // overflow the stack. Deeper than a config needs is toml++'s (it has a limit
        // of its own and says so).
        if (++depth_ > max_depth) give_up();
        Node v;
        v.begin = here();
        const char c = peek();
        if (c == '"') {
            v.type = Type::string;
            v.string = basic_string();
        } else if (c == '\'') {
            v.type = Type::string;
            v.string = literal_string();
        } else if (c == 't' || c == 'f') {
            const std::string_view word = c == 't' ? "true" : "false";
            if (s_.substr(i_, word.size()) != word) give_up();
            i_ += word.size();
            v.type = Type::boolean;
            v.boolean = c == 't';
        } else if (c == '[') {
            array(v);
        } else if (c == '{') {
            inline_table(v);
        } else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
            integer(v);
        } else {
            give_up();
        }
        if (!ends_value(peek())) give_up();
        v.end = here();
        --depth_;
        return v;
    }

    void array(Node& v) {
        v.type = Type::array;
        v.made_by = made_fixed;
        ++i_;
        for (;;) {
            skip_blank_lines();
            if (peek() == ']') break;
            v.items.push_back(value());
            skip_blank_lines();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() != ']') give_up();
            break;
        }
        ++i_;
    }

    // { a = 1, b.c = "x" } on one line, no trailing comma.
    void inline_table(Node& v) {
        v.type = Type::table;
        v.made_by = made_fixed;
        ++i_;
        skip_blank();
        if (peek() == '}') {
            ++i_;
            return;
        }
        for (;;) {
            key_value(v);
            skip_blank();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() != '}') give_up();
            ++i_;
            return;
        }
    }

    // Decimal ([+-], no leading zero, "_" between digits) or 0o octal; anything else
    // that starts like a number (a float, a date, 0x, 0b) is toml++'s.
    void integer(Node& v) {
        v.type = Type::integer;
        bool negative = false;
        if (peek() == '+' || peek() == '-') {
            negative = peek() == '-';
            ++i_;
        }
        int base = 10;
        if (peek() == '0' && peek(1) == 'o') {
            if (v.begin.column != here().column) give_up();  // no sign on 0o
            base = 8;
            v.octal = true;
            i_ += 2;
        } else if (peek() == '0' && !ends_value(peek(1))) {
            give_up();  // a leading zero, 0x, 0b, 0.5, a date ...
        }
        std::uint64_t n = 0;
        bool digit_last = false;
        const std::size_t start = i_;
        while (!eof()) {
            const char c = s_[i_];
            if (c == '_') {
                if (!digit_last) give_up();
                digit_last = false;
            } else if (c >= '0' && c < '0' + base) {
                if (n >= (std::uint64_t{1} << 58)) give_up();  // near 64 bits: toml++'s
                n = n * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(c - '0');
                digit_last = true;
            } else {
                break;
            }
            ++i_;
        }
        if (i_ == start || !digit_last) give_up();
        v.integer = negative ? -static_cast<std::int64_t>(n) : static_cast<std::int64_t>(n);
    }

    // "..." with \" \\ \b \t \n \f \r; \u, \U, other escapes and """ are toml++'s.
    std::string basic_string() {
        if (peek(1) == '"' && peek(2) == '"') give_up();
        ++i_;
        std::string out;
        for (;;) {
            if (eof()) give_up();
            const char c = s_[i_];
            if (c == '"') break;
            if (c == '\\') {
                switch (peek(1)) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case 'b': out += '\b'; break;
                case 't': out += '\t'; break;
                case 'n': out += '\n'; break;
                case 'f': out += '\f'; break;
                case 'r': out += '\r'; break;
                default: give_up();
                }
                i_ += 2;
                continue;
            }
            if (!printable(c)) give_up();
            const std::size_t start = i_;
            while (!eof() && s_[i_] != '"' && s_[i_] != '\\' && printable(s_[i_])) ++i_;
            out.append(s_.substr(start, i_ - start));
        }
        ++i_;
        return out;
    }

    // '...'; ''' is toml++'s.
    std::string literal_string() {
        if (peek(1) == '\'' && peek(2) == '\'') give_up();
        const std::size_t start = ++i_;
        while (!eof() && s_[i_] != '\'') {
            if (!printable(s_[i_])) give_up();
            ++i_;
        }
        if (eof()) give_up();
        std::string out(s_.substr(start, i_ - start));
        ++i_;
        return out;
    }

    static constexpr int max_depth = 32;
    static constexpr std::size_t max_members = 128;

    std::string_view s_;
    int depth_ = 0;
    std::size_t i_ = 0;
    std::uint32_t line_ = 1;
    std::size_t line_start_ = 0;
    Position last_newline_;
};

}  // namespace

std::optional<Node> parse_plain_toml(std::string_view text) {
    try {
        return PlainParser(text).parse();
    } catch (const GiveUp&) {
        return std::nullopt;
    }
}

}  // namespace hookctl::toml_doc
