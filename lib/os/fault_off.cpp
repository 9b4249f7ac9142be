// The production side of fault.hpp: nothing happens at a fault point.
#include "fault.hpp"

namespace hookctl {

void fault_point(const char*) {}

}  // namespace hookctl
