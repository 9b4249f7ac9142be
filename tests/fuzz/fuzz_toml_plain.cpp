// libFuzzer target: the plain TOML parser (lib/config/toml_plain.cpp) against toml++.
// Whatever the plain parser reads, toml++ must read too, to the same document; any
// difference aborts (tests/toml_compare.hpp says what differed).
#include "../toml_compare.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string d =
        hookctl::toml_compare::check(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!d.empty()) {
        std::fprintf(stderr, "toml_plain: %s\n", d.c_str());
        std::abort();
    }
    return 0;
}
