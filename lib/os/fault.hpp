// Fault injection for the crash-safety tests: a named point where a test build can
// kill the process as a power cut or pppd's SIGKILL would. The hookctl binary
// links fault_off.cpp (a no-op); tests/ builds hookctl-faults with
// tests/fault_on.cpp, which counts the points it passes and SIGKILLs itself at the
// Nth (HOOKCTL_FAULT=N), so a test can kill a run at every boundary in turn.
#pragma once

namespace hookctl {

void fault_point(const char* where);

}  // namespace hookctl
