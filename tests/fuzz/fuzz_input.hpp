// Turning fuzzer bytes into what a daemon hands hookctl: lines, and an environment
// of "NAME=value" lines (the first value of a name wins, as in main()).
#pragma once

#include "event.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hookctl::fuzz {

inline std::vector<std::string> lines(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> out(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == '\n')
            out.emplace_back();
        else
            out.back() += static_cast<char>(data[i]);
    }
    return out;
}

inline Environment environment(const std::uint8_t* data, std::size_t size) {
    Environment env;
    for (const auto& line : lines(data, size)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos && eq > 0) env.emplace(line.substr(0, eq), line.substr(eq + 1));
    }
    return env;
}

}  // namespace hookctl::fuzz
