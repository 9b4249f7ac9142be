// Deferred iostreams. <iostream> gives every file that includes it a static
// std::ios_base::Init, and the first one constructed builds std::cout and the other
// seven streams and, with them, the classic std::locale and its facets: about 55 µs
// of a hook's ~1 ms, measured (a static C++ program that includes <iostream> against
// one that does not, bench/README.md). Boost.Program_options' own objects include
// <iostream>, so linking it runs that at every start. The static build wraps the
// constructor (-Wl,--wrap, cli/meson.build): at start-up the wrapper does nothing,
// and ensure_iostreams() runs the real one. run_cli calls it before every command
// but the pppd and dhcpcd hooks, whose output goes through stdio.
#include "cli.hpp"

#ifdef HOOKCTL_DEFER_IOSTREAMS
// The Itanium C++ ABI's complete-object constructor std::ios_base::Init::Init().
// The class is empty: the object's address is not used. The names are the linker's
// (--wrap=SYMBOL calls __wrap_SYMBOL and names the original __real_SYMBOL).
extern "C" void __real__ZNSt8ios_base4InitC1Ev(void* self);  // NOLINT(bugprone-reserved-identifier)
extern "C" void __wrap__ZNSt8ios_base4InitC1Ev(void*) {}     // NOLINT(bugprone-reserved-identifier)
#endif

namespace hookctl::cli {

void ensure_iostreams() {
#ifdef HOOKCTL_DEFER_IOSTREAMS
    static bool built = false;
    if (built) return;
    built = true;
    static unsigned char init_object;
    __real__ZNSt8ios_base4InitC1Ev(&init_object);
#endif
}

}  // namespace hookctl::cli
