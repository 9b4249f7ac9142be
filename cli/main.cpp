// hookctl entry point: copy argv and the environment once, hand them to the CLI.
#include "commands.hpp"

#include <chrono>
#include <ctime>

extern char** environ;

int main(int argc, char** argv) {
    hookctl::cli::Invocation inv;
    inv.started = std::chrono::steady_clock::now();
    inv.argv0 = argc > 0 ? argv[0] : "hookctl";
    for (int i = 1; i < argc; ++i) inv.args.emplace_back(argv[i]);
    for (char** e = environ; e && *e; ++e) {
        const std::string kv = *e;
        const auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        // An environment may name a variable twice (execve takes any list); which one a
        // daemon meant is unknowable, so the parsers refuse what they would read.
        if (!inv.env.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second)
            inv.duplicated.push_back(kv.substr(0, eq));
    }
    inv.now = static_cast<hookctl::Timestamp>(std::time(nullptr));
    return hookctl::cli::run_cli(inv);
}
