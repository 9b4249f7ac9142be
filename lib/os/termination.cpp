// See termination.hpp.
#include "termination.hpp"

#include <csignal>

namespace hookctl {

namespace {

volatile sig_atomic_t requested = 0;
volatile sig_atomic_t reload = 0;

void on_termination(int) {
    requested = 1;
}

void on_reload(int) {
    reload = 1;
}

}  // namespace

void catch_termination() {
    struct sigaction sa {};
    sa.sa_handler = on_termination;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
}

bool termination_requested() {
    return requested != 0;
}

void catch_reload() {
    struct sigaction sa {};
    sa.sa_handler = on_reload;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    ::sigaction(SIGHUP, &sa, nullptr);
}

bool take_reload_request() {
    if (reload == 0) return false;
    reload = 0;
    return true;
}

}  // namespace hookctl
