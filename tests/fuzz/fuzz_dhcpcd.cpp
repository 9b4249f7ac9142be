// libFuzzer target: a dhcpcd hook environment. The input is "NAME=value" lines; the
// parser must accept or refuse it with an hookctl Error, never crash, hang or leak.
#include "fuzz_input.hpp"

#include "event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hookctl::RawEvent raw;
    raw.source = hookctl::Source::dhcpcd;
    try {
        raw.env = hookctl::relevant_environment(hookctl::Source::dhcpcd,
                                                hookctl::fuzz::environment(data, size));
        const hookctl::Event e = hookctl::parse_event(raw);
        (void)e;
    } catch (const hookctl::Error&) {
    }
    return 0;
}
