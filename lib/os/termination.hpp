// SIGTERM and SIGINT as a request to stop, not a kill: pppd sends SIGTERM to its
// scripts when it exits and they are still running. A hook that is asked to stop
// finishes the action it is in (a running command is stopped), records what it
// did and still owes, and exits.
#pragma once

namespace hookctl {

// Installs the handlers (without SA_RESTART, so a blocking wait returns EINTR).
void catch_termination();
bool termination_requested();

// SIGHUP as a request to reload (`hookctl watch`: config again, then a resync).
void catch_reload();
// Whether a SIGHUP came since the last call.
bool take_reload_request();

}  // namespace hookctl
