// libFuzzer target: hookctl.toml. Any text is a config or a ConfigError with a
// location, never a crash.
#include "config.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const hookctl::Config c = hookctl::parse_config(
            std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
        (void)c;
    } catch (const hookctl::Error&) {
    }
    return 0;
}
