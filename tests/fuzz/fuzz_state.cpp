// libFuzzer target: what hookctl reads back from its state directory, which a power
// cut, a full disk or a person may have damaged: state.json's parts (facts, owned
// objects, owed reloads), a journal entry's raw event, and a journal segment.
#include "journal.hpp"
#include "json_io.hpp"

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

void read_state(const std::string& text) {
    try {
        const hookctl::Json j = hookctl::parse_state_json(text);
        if (!j.is_object()) return;
        if (j.contains("facts")) (void)hookctl::facts_from_json(j.at("facts"));
        if (j.contains("applied") && j.at("applied").is_array())
            for (const auto& o : j.at("applied")) (void)hookctl::owned_from_json(o);
        if (j.contains("pending-reloads") && j.at("pending-reloads").is_array())
            for (const auto& s : j.at("pending-reloads")) (void)hookctl::service_from_json(s);
        if (j.contains("event")) {
            const hookctl::RawEvent e = hookctl::raw_event_from_json(j.at("event"));
            // The journal's text writer and the JSON tree agree on every event.
            std::string text;
            hookctl::append_json_text(text, e);
            if (text !=
                hookctl::to_json(e).dump(-1, ' ', false, hookctl::Json::error_handler_t::replace))
                std::abort();
        }
    } catch (const std::exception&) {
        // nlohmann's parse and type errors, and hookctl's: a damaged file is an error
    }
}

// The same bytes as a journal segment: every line that parses is an entry.
void read_segment(const std::string& text) {
    static const std::string dir = [] {
        const auto d =
            std::filesystem::temp_directory_path() / ("hookctl-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d.string();
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
    read_state(text);
    read_segment(text);
    return 0;
}
