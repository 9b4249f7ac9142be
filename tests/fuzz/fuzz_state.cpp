// libFuzzer target: what hookctl reads back from its state directory, which a power
// cut, a full disk or a person may have damaged: state.json's parts (facts, owned
// objects, owed reloads), a journal entry's raw event, and a journal segment.
#include "journal.hpp"
#include "json_io.hpp"

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Written again as the journal writes it, an event reads back with the same bytes in
// every value; not the names that are not text (they are kept with U+FFFD and may
// then meet another), so those with ASCII names only are compared.
void check_round_trip(const hookctl::RawEvent& e) {
    std::string text;
    hookctl::append_json_text(text, e);
    const hookctl::RawEvent back = hookctl::raw_event_from_json(hookctl::parse_state_json(text));
    bool same = back.source == e.source && back.args == e.args && back.kernel == e.kernel &&
                back.time == e.time;
    for (const auto& [name, value] : e.env)
        if (std::all_of(name.begin(), name.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
            same = same && back.env.count(name) && back.env.at(name) == value;
    if (!same) std::abort();
}

// True when `t` holds a number with a fraction or an exponent (or beyond 64 bits).
bool holds_float(const hookctl::StateTree& t) {
    std::vector<const hookctl::StateTree*> pending{&t};
    while (!pending.empty()) {
        const hookctl::StateTree* v = pending.back();
        pending.pop_back();
        if (v->is_number_float()) return true;
        if (v->is_structured())
            for (const auto& child : *v) pending.push_back(&child);
    }
    return false;
}

// state.json's own reader against nlohmann's parser with hookctl's rule for numbers:
// the same texts accepted, into the same trees. Only nesting deeper than the reader
// takes is refused by it alone.
void compare_readers(const std::string& text) {
    std::optional<hookctl::StateTree> ours, theirs;
    try {
        ours = hookctl::parse_state_tree(text);
    } catch (const std::invalid_argument& e) {
        if (std::string_view(e.what()).find("nested too deeply") != std::string_view::npos) return;
    }
    try {
        hookctl::StateTree t = hookctl::StateTree::parse(text);
        if (!holds_float(t)) theirs = std::move(t);
    } catch (const std::exception&) {
    }
    if (ours.has_value() != theirs.has_value() || (ours && *ours != *theirs)) std::abort();
}

void read_state(const std::string& text) {
    std::optional<hookctl::RawEvent> event;
    try {
        // As StateDir reads state.json: the std::map tree.
        const hookctl::StateTree t = hookctl::parse_state_tree(text);
        if (!t.is_object()) return;
        if (t.contains("facts")) (void)hookctl::facts_from_json(t.at("facts"));
        if (t.contains("applied") && t.at("applied").is_array())
            for (const auto& o : t.at("applied")) (void)hookctl::owned_from_json(o);
        if (t.contains("pending-reloads") && t.at("pending-reloads").is_array())
            for (const auto& s : t.at("pending-reloads")) (void)hookctl::service_from_json(s);
    } catch (const std::exception&) {
        // nlohmann's parse and type errors, and hookctl's: a damaged file is an error
    }
    try {
        // As the journal reads a line: the ordered tree.
        const hookctl::Json j = hookctl::parse_state_json(text);
        if (j.is_object() && j.contains("event"))
            event = hookctl::raw_event_from_json(j.at("event"));
    } catch (const std::exception&) {
        // nlohmann's parse and type errors, and hookctl's: a damaged file is an error
    }
    // Outside the catch: our own text failing to parse is a finding, not damage.
    if (event) check_round_trip(*event);
}

// The segment's directory, removed when the fuzzer exits (a crash leaves it).
std::string& segment_dir() {
    static std::string dir;
    return dir;
}

void remove_segment_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(segment_dir(), ignored);
}

// The same bytes as a journal segment: every line that parses is an entry.
void read_segment(const std::string& text) {
    static const std::string& dir = []() -> const std::string& {
        const auto d =
            std::filesystem::temp_directory_path() / ("hookctl-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        segment_dir() = d.string();
        std::atexit(remove_segment_dir);
        return segment_dir();
    }();
    std::ofstream(dir + "/00000001.jsonl", std::ios::binary | std::ios::trunc) << text;
    try {
        hookctl::Journal journal(dir);
        for (const auto id : journal.ids()) (void)journal.read(id);
    } catch (const hookctl::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    compare_readers(text);
    read_state(text);
    read_segment(text);
    return 0;
}
