// toml++, included with its internal checks on in every build, as exceptions.
// toml++ 3.3 guards some parser states with assertions (an input as short as "[#"
// reaches one): by default they abort the process, and where NDEBUG is defined they
// become compiler assumptions, that is undefined behaviour on hostile input. Here
// a failed check throws TomlCheckFailed, which parse_config reports as a config
// error; found by fuzzing (tests/fuzz/regressions/config).
#pragma once

#include <stdexcept>

namespace hookctl {
struct TomlCheckFailed : std::logic_error {
    using std::logic_error::logic_error;
};
// Throws TomlCheckFailed. A function, not a throw expression: the few checks in
// toml++'s noexcept accessors (which hookctl does not call) still terminate.
[[noreturn]] inline void toml_check_failed(const char* check) {
    throw TomlCheckFailed(check);
}
}  // namespace hookctl

#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) ((expr) ? static_cast<void>(0) : ::hookctl::toml_check_failed(#expr))
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")
