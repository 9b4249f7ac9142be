// Test helper: a DnsQuerier that answers every query from a list (the last one
// repeats) and counts them; no socket.
#pragma once

#include "dns_updater.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace hookctl::test {

class ScriptedQuerier : public DnsQuerier {
public:
    std::vector<Result> results;
    int calls = 0;
    Result query(const IpAddress&, std::uint16_t, const std::string&, DnsType,
                 std::uint32_t) override {
        ++calls;
        if (results.empty()) return {std::nullopt, "no answer within 1000 ms"};
        return results[std::min<std::size_t>(static_cast<std::size_t>(calls - 1),
                                             results.size() - 1)];
    }
};

}  // namespace hookctl::test
