// Routing table names as iproute2 resolves them ("kd" → 199), so a config can say
// `table = "kd"` and mean what `ip rule ... lookup kd` means on the same machine.
#pragma once

#include "config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hookctl {

// Pure: adds the "<id> <name>" lines of one rt_tables file to `into` (a later
// definition of a name wins, as when iproute2 reads the files in the same order).
// ids are decimal or 0x-hex, up to 32 bits; '#' starts a comment; blank lines are
// skipped. Returns one message per line it could not use ("3: cannot parse 'x y z'"),
// which the caller may log; such lines are skipped rather than fatal, because one
// bad line in a file hookctl does not own must not stop routing changes.
std::vector<std::string> parse_table_names(std::string_view text, TableNames& into);

// The builtins (unspec 0, default 253, main 254, local 255), then iproute2's files
// in iproute2 ≥ 6.5's order (6.1 on Debian 12 reads only the /etc ones, which
// this order includes):
//   <root>/etc/iproute2/rt_tables, or if it does not exist the distribution default
//   <root>/usr/share/iproute2/rt_tables (or <root>/usr/lib/iproute2/rt_tables);
//   <root>/usr/{share,lib}/iproute2/rt_tables.d/*.conf unless /etc has the same name;
//   <root>/etc/iproute2/rt_tables.d/*.conf, in name order.
// `root` ("" = the real filesystem) lets tests use a temporary tree. Missing files
// are normal; unreadable ones are skipped.
TableNames read_table_names(const std::string& root = "");

}  // namespace hookctl
