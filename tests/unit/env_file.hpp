// Test helper: load a captured hook environment (tests/data/dhcpcd/<scenario>/NN-REASON.env,
// one VAR=value per line with `\\` and `\n` escapes) with the production reader, so
// tests and `hookctl --env-file` agree on the format.
#pragma once

#include "event.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hookctl::test {

inline Environment read_env_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse_env_file(text.str(), path);
}

// A fixture under HOOKCTL_TEST_DATA, e.g. data_path("dhcpcd/a-initial-start/08-BOUND6.env").
inline std::string data_path(const std::string& relative) {
#ifdef HOOKCTL_TEST_DATA
    return std::string(HOOKCTL_TEST_DATA) + "/" + relative;
#else
    return relative;
#endif
}

// A dhcpcd RawEvent from a fixture: dhcpcd passes no arguments, only the environment.
inline RawEvent dhcpcd_raw_event(const std::string& relative) {
    RawEvent raw;
    raw.source = Source::dhcpcd;
    raw.env = relevant_environment(Source::dhcpcd, read_env_file(data_path(relative)));
    return raw;
}

}  // namespace hookctl::test
