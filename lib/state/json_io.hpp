// JSON forms of facts, owned objects, raw events and transitions: the state files,
// the journal and every `--json` output use these. Loading re-validates every value
// through the same parse_* functions the daemons' input goes through, so a damaged
// state file is an error that names the field, not undefined behaviour.
#pragma once

#include "event.hpp"
#include "facts.hpp"
#include "objects.hpp"
#include "plan.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

namespace hookctl {

using Json = nlohmann::ordered_json;

// Parses a state file or journal line. hookctl writes integers only, so a number with
// a fraction or an exponent, or an integer beyond 64 bits (nlohmann keeps those as
// doubles), is damage: refused here (std::invalid_argument), because converting such
// a double to an integer type later would be undefined behaviour (found by fuzz_state).
Json parse_state_json(const char* first, const char* last);
inline Json parse_state_json(const std::string& text) {
    return parse_state_json(text.data(), text.data() + text.size());
}
// state.json itself is read into a tree with std::map objects: ordered_json keeps an
// object's members in a vector of (const key, value) pairs, which copies every member,
// subtree and all, each time the object grows while it is parsed (callgrind, a RENEW6
// that saves: 2.02 -> 1.86 M instructions with the std::map tree). Its readers below
// take that tree; a journal line (ordered, as written) is read with parse_state_json.
using StateTree = nlohmann::json;
StateTree parse_state_tree(const char* first, const char* last);
inline StateTree parse_state_tree(const std::string& text) {
    return parse_state_tree(text.data(), text.data() + text.size());
}

// Compact JSON written straight to text, members in the order they are given: the
// bytes ordered_json's dump() writes for the same members (a string that is not
// UTF-8 gets U+FFFD, as dump's `replace` writes it). state.json and the journal line
// of a run that acts are written at every such event, and building them as trees
// first cost more than the rest of writing them (bench/README.md).
class JsonWriter {
public:
    // `continuing`: `out` already holds an object's first members; the next key
    // follows them.
    explicit JsonWriter(std::string& out, bool continuing = false)
        : out_(out), first_(!continuing) {}
    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    void key(std::string_view k);
    void string(const std::string& v);
    template <class Int>
    void integer(Int v) {
        start_value();
        fmt::format_to(std::back_inserter(out_), "{}", v);
        first_ = false;
    }
    void boolean(bool v) {
        start_value();
        out_ += v ? "true" : "false";
        first_ = false;
    }
    // A member: key and value.
    void member(std::string_view k, const std::string& v) {
        key(k);
        string(v);
    }
    void member(std::string_view k, const char* v) {
        key(k);
        string(v);
    }
    void member(std::string_view k, bool v) {
        key(k);
        boolean(v);
    }
    template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
    void member(std::string_view k, Int v) {
        key(k);
        integer(v);
    }
    // A member whose value is an array of strings, each made by `text` from an item.
    template <class Range, class Text>
    void strings(std::string_view k, const Range& items, Text text) {
        key(k);
        begin_array();
        for (const auto& x : items) string(text(x));
        end_array();
    }
    template <class Range>
    void strings(std::string_view k, const Range& items) {
        strings(k, items, [](const auto& x) { return x.to_string(); });
    }

private:
    void start_value() {
        if (after_key_)
            after_key_ = false;
        else if (!first_)
            out_ += ',';
    }
    void open(char c) {
        start_value();
        out_ += c;
        first_ = true;
    }
    void close(char c) {
        out_ += c;
        first_ = false;
    }
    std::string& out_;
    bool first_;
    bool after_key_ = false;
};

// state.json's text (compact, one line): written without building a tree; the to_json()
// forms of the same values are this writer's text, parsed, so the two cannot differ.
std::string state_json_text(const Facts& facts, const std::vector<OwnedObject>& applied,
                            const std::vector<ServiceAction>& pending);

Json to_json(const Facts& f);
Facts facts_from_json(const StateTree& j);

Json to_json(const InterfaceFacts& f);

Json to_json(const Object& o);
Object object_from_json(const Json& j);

Json to_json(const OwnedObject& o);
OwnedObject owned_from_json(const StateTree& j);

// A raw event as JSON text: what the daemon passed, values that are not UTF-8 as
// {"hex": ...} so replay gets the same bytes. Written straight to text because every
// hook run journals its event, and building it as a JSON tree first cost more than
// the rest of an unchanged event's journal line (bench/README.md); to_json() parses it.
void append_json_text(std::string& out, const RawEvent& e);
Json to_json(const RawEvent& e);
RawEvent raw_event_from_json(const Json& j);

Json to_json(const Transition& t);
Json to_json(const Action& a);  // for output and the journal (not read back)
// The same as text: the journal line of every run that acts is written with these.
void write_json(JsonWriter& w, const Transition& t);
void write_action_members(JsonWriter& w, const Action& a);  // without the braces

Json to_json(const Command& c);
Json to_json(const ServiceAction& s);
ServiceAction service_from_json(const StateTree& j);

}  // namespace hookctl
