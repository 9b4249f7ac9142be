// libFuzzer target: a pppd hook invocation. The first byte picks the script, the
// first lines are argv (up to 8), the rest "NAME=value" environment lines.
#include "fuzz_input.hpp"

#include "event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* scripts[] = {"ip-up", "ip-down", "ipv6-up", "ipv6-down"};
    hookctl::RawEvent raw;
    raw.source = hookctl::Source::ppp;
    raw.script = scripts[data[0] % 4];
    const auto lines = hookctl::fuzz::lines(data + 1, size - 1);
    std::size_t i = 0;
    for (; i < lines.size() && i < 8 && lines[i].find('=') == std::string::npos; ++i)
        raw.args.push_back(lines[i]);
    hookctl::Environment env;
    for (; i < lines.size(); ++i) {
        const auto eq = lines[i].find('=');
        if (eq != std::string::npos) env.emplace(lines[i].substr(0, eq), lines[i].substr(eq + 1));
    }
    try {
        raw.env = hookctl::relevant_environment(hookctl::Source::ppp, env);
        const hookctl::Event e = hookctl::parse_event(raw);
        (void)e;
    } catch (const hookctl::Error&) {
    }
    return 0;
}
