// libFuzzer target: a kernel event. The first byte picks the trigger (watch,
// networkd, nm); lines with '=' are environment, "argv " lines are arguments, the
// others are the dump's lines (kernel_event.hpp).
#include "fuzz_input.hpp"

#include "kernel_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* triggers[] = {hookctl::kernel_trigger_watch,
                                     hookctl::kernel_trigger_networkd, hookctl::kernel_trigger_nm};
    hookctl::RawEvent raw;
    raw.source = hookctl::Source::kernel;
    raw.script = triggers[data[0] % 3];
    hookctl::Environment env;
    for (const auto& line : hookctl::fuzz::lines(data + 1, size - 1)) {
        if (line.rfind("argv ", 0) == 0)
            raw.args.push_back(line.substr(5));
        else if (const auto eq = line.find('=');
                 eq != std::string::npos && line[0] != 'l' && line[0] != 'a')
            env.emplace(line.substr(0, eq), line.substr(eq + 1));
        else
            raw.kernel.push_back(line);
    }
    try {
        raw.env = hookctl::relevant_environment(hookctl::Source::kernel, env);
        const hookctl::Event e = hookctl::parse_event(raw);
        // What was accepted formats back to lines that parse to the same links.
        const auto links = hookctl::parse_kernel_lines(raw.kernel);
        if (hookctl::parse_kernel_lines(hookctl::kernel_lines(links)) != links) __builtin_trap();
        (void)e;
    } catch (const hookctl::Error&) {
    }
    return 0;
}
