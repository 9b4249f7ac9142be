// parse_plain_toml against toml++: every document the plain parser reads must be the
// document toml++ reads (types, values, octal flags, key and value positions), and it
// must give up, not decide, on everything else. The corpus: the example configs,
// hand-written cases, and mutants of all of them (the toml_plain fuzz target goes on
// from there).
#include "../toml_compare.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using hookctl::toml_compare::check;

namespace {

std::vector<std::string> example_configs() {
    std::vector<std::string> docs;
    for (const auto& e : std::filesystem::directory_iterator(HOOKCTL_SOURCE_ROOT "/examples")) {
        if (e.path().extension() != ".toml") continue;
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        docs.push_back(ss.str());
    }
    std::sort(docs.begin(), docs.end());
    return docs;
}

const std::vector<std::string> plain_documents = {
    "",
    "\n\n# only a comment\n",
    "a = 1\n",
    "a = 1",
    "a = -12_345\nb = +7\nc = 0\nd = -0\ne = 0o755\nf = 0o7_5_5\n",
    "a = true\nb = false\n",
    "a = \"x\\\"y\\\\z\\n\\t\\r\\b\\f\"\nb = 'C:\\dir'\nc = \"\"\nd = ''\n",
    "a = [1, 2, 3]\nb = []\nc = [ [1], [\"x\", 'y'] ]\nd = [\n  1, # one\n  2,\n]\n",
    "a = { x = 1, y.z = \"w\" }\nb = {}\n",
    "a.b.c = 1\na.b.d = 2\na.e = 3\n",
    "\"quoted key\" = 1\n'literal key' = 2\n\"a\".'b'.c = 3\n",
    "[t]\nx = 1\n[u.v]\ny = 2\n[u]\nz = 3\n",
    "[ t . u ]\nx = 1\n",
    "[[a]]\nx = 1\n[[a]]\nx = 2\n[a.b]\ny = 3\n[[a.c]]\nz = 4\n",
    "x = 1\r\ny = 2\r\n",
    "a = 1 # trailing\n  [t]   # header comment\n\tb = 2\n",
    "a = [ { x = 1 }, { x = 2 } ]\n",
    "a = \"x\ty\"\n",
    "k = 9223372036854775807\nl = -288230376151711743\n",  // near the limit: given up
    // empty and odd keys, headers out of order, arrays of tables and their sub-tables
    "[\"\"]\nx = 1\n\"\" = 1\na.\"\" = 1\n[a.\"\"]\n'' = 2\n",
    "1234 = 1\n3.14159 = 'pi'\ntrue = 1\na=1#c\n",
    "[a]\n[a.b]\n[a.b.c]\n[a.d]\n",
    "[a.b.c]\n[a.b]\n[a]\n",
    "[[a.b]]\n[a]\n",
    "a = [[]]\nb = [{}, []]\nx = { a = [ 1,\n 2 ] }\n",
    " [a] \n\t\nk = \"\\\\\" \n",
    "a.b = 1\na.c.d = 2\n",
    "a = +0\nb = -0\nc = 0o0\n",
};

const std::vector<std::string> given_up = {
    "a = 1.5\n",
    "a = 1e3\n",
    "a = inf\n",
    "a = 1979-05-27\n",
    "a = 07:32:00\n",
    "a = 0x1f\n",
    "a = 0b101\n",
    "a = \"\"\"x\"\"\"\n",
    "a = '''x'''\n",
    "a = \"\\u00e9\"\n",
    "a = \"\xc3\xa9\"\n",
    "a = 1\na = 2\n",
    "[t]\n[t]\n",
    "a.b = 1\n[a]\n",
    "a = [1]\n[[a]]\n",
    "[a]\nb.c = 1\n[a.b]\n",
    "a = { x = 1, }\n",
    "a = {\n x = 1 }\n",
    "a = 01\n",
    "a = 1__0\n",
    "a = 1_\n",
    "a = _1\n",
    "a = +0o7\n",
    "a = \"x\n",
    "a = 'x\x01'\n",
    "# \x01\n",
    "a = 1\rb = 2\n",
    "[a\n",
    "[[a]\n",
    "a == 1\n",
    "= 1\n",
    "a = \n",
    "a = tru\n",
    "a = truex\n",
    "a = 1 2\n",
    "[a]\nb = 1\n[a.b]\n",
    "a = {}\na.b = 1\n",
    "[a.b]\n[a]\nb.c = 1\n",
    "[x]\na.b = 1\n[x.a.c]\n",  // valid TOML, but a header through a dotted key's table
    "[a.b]\n[[a]]\n",
    "a = 0o777777777777777777777\n",
};

std::uint64_t next(std::uint64_t& x) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

}  // namespace

TEST_CASE("plain TOML: the example configs are read as toml++ reads them", "[config][toml]") {
    const auto docs = example_configs();
    REQUIRE(docs.size() >= 5);
    for (const std::string& text : docs) {
        INFO(text);
        bool plain = false;
        CHECK(check(text, &plain) == "");
        CHECK(plain);  // a config as the docs write it takes the fast path
    }
}

TEST_CASE("plain TOML: hand-written documents", "[config][toml]") {
    for (const std::string& text : plain_documents) {
        INFO(text);
        bool plain = false;
        CHECK(check(text, &plain) == "");
        if (text.find("922337203685477580") == std::string::npos) CHECK(plain);
    }
    for (const std::string& text : given_up) {
        INFO(text);
        CHECK_FALSE(hookctl::toml_doc::parse_plain_toml(text).has_value());
    }
}

TEST_CASE("plain TOML: deep nesting is left to toml++, not recursed into", "[config][toml]") {
    // 32 levels are read; a million would overflow the stack if recursed into.
    const std::string ok = "a = " + std::string(31, '[') + std::string(31, ']') + "\n";
    bool plain = false;
    CHECK(check(ok, &plain) == "");
    CHECK(plain);
    for (const std::string& open : {std::string("["), std::string("{ b = ")}) {
        std::string deep = "a = ";
        for (int i = 0; i < 1'000'000; ++i) deep += open;
        INFO(open);
        CHECK_FALSE(hookctl::toml_doc::parse_plain_toml(deep).has_value());
    }
}

TEST_CASE("plain TOML: a table of thousands of keys is left to toml++", "[config][toml]") {
    // Members are found by a linear search: 128 per table are read, more are toml++'s.
    const auto keys = [](int n, const std::string& prefix) {
        std::string text = prefix;
        for (int i = 0; i < n; ++i) text += "k" + std::to_string(i) + " = 1\n";
        return text;
    };
    bool plain = false;
    CHECK(check(keys(128, "[t]\n"), &plain) == "");
    CHECK(plain);
    CHECK_FALSE(hookctl::toml_doc::parse_plain_toml(keys(129, "")).has_value());
    CHECK_FALSE(hookctl::toml_doc::parse_plain_toml(keys(5000, "[t]\n")).has_value());
    std::string inline_table = "t = { k0 = 1";
    for (int i = 1; i < 200; ++i) inline_table += ", k" + std::to_string(i) + " = 1";
    CHECK_FALSE(hookctl::toml_doc::parse_plain_toml(inline_table + " }\n").has_value());
    CHECK(check(inline_table + " }\n") == "");  // and toml++ reads it
}

TEST_CASE("plain TOML: mutants read as toml++ reads them, or left to it", "[config][toml]") {
    std::vector<std::string> seeds = example_configs();
    seeds.insert(seeds.end(), plain_documents.begin(), plain_documents.end());
    const std::string alphabet = "[]{}=.,\"'#\n\r \t01o_+-axyz\\";
    std::uint64_t x = 0x9e3779b97f4a7c15u;
    std::size_t read_plain = 0, total = 0;
    for (const std::string& seed : seeds) {
        for (int k = 0; k < 1500; ++k) {
            std::string m = seed;
            const int edits = 1 + static_cast<int>(next(x) % 3);
            for (int e = 0; e < edits; ++e) {
                const std::size_t pos = m.empty() ? 0 : next(x) % (m.size() + 1);
                const char c = alphabet[next(x) % alphabet.size()];
                switch (next(x) % 4) {
                case 0:
                    if (pos < m.size()) m.erase(pos, 1);
                    break;
                case 1: m.insert(pos, 1, c); break;
                case 2:
                    if (pos < m.size()) m[pos] = c;
                    break;
                default: {  // a line repeated elsewhere
                    const std::size_t from = m.rfind('\n', pos == 0 ? 0 : pos - 1);
                    const std::size_t start = from == std::string::npos ? 0 : from + 1;
                    const std::size_t end = m.find('\n', start);
                    const std::string line = m.substr(
                        start, end == std::string::npos ? std::string::npos : end - start + 1);
                    m.insert(next(x) % (m.size() + 1), line);
                }
                }
            }
            bool plain = false;
            const std::string d = check(m, &plain);
            if (!d.empty()) {
                INFO(m);
                FAIL(d);
            }
            read_plain += plain;
            ++total;
        }
    }
    INFO(read_plain << " of " << total << " mutants read by the plain parser");
    CHECK(read_plain > total / 10);  // the comparison above is not vacuous
}
