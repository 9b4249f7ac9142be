#!/bin/bash
# The command line itself: --help, --version, no command, an unknown command (with a
# did-you-mean), unknown options; --dry-run of a hook changes and records nothing.
. "$(dirname "$0")/lib.sh"

hk --help
expect_rc 0
expect_stderr_empty
expect_stdout_contains "usage: hookctl [--config FILE] [--state-dir DIR] [--dry-run] [--json] [--simulate] COMMAND [ARGS]"
for c in dhcpcd ppp plan replay events status check apply; do
    grep -qE "^  $c " <<<"$OUT" && pass || fail "--help lacks $c"
done
help=$OUT
hk -h
expect_rc 0
expect_same "$OUT" "$help" "-h differs from --help"

hk --version
expect_rc 0
expect_stdout_equals "hookctl 0.1.0"

# No command: the usage, on stderr, exit 2.
hk
expect_rc 2
expect_stdout_equals ""
expect_stderr_contains "usage: hookctl"
hk --state-dir "$STATE"
expect_rc 2

hk evnets
expect_rc 2
expect_stderr_equals "hookctl: unknown command 'evnets'
  hint: did you mean 'events'?"
hk stauts
expect_rc 2
expect_stderr_equals "hookctl: unknown command 'stauts'
  hint: did you mean 'status'?"
hk frobnicate
expect_rc 2
expect_stderr_equals "hookctl: unknown command 'frobnicate'
  hint: \`hookctl --help\` lists the commands"
hk --bogus events
expect_rc 2
expect_stderr_contains "hookctl: "
expect_stderr_contains "bogus"
hk events --frob
expect_rc 2
expect_stderr_contains "frob"

# --dry-run of a hook: planned, no state dir, no journal.
lab_config "$CONFIG"
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --dry-run dhcpcd
expect_rc 0
expect_stdout_contains "dhcpcd BOUND6 on wan0: planned"
expect_stdout_contains "[planned] add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_stdout_not_contains "journal #"
expect_file_absent "$STATE"
# Global options may also follow the command.
hk_env a-initial-start/08-BOUND6 dhcpcd --config "$CONFIG" --state-dir "$STATE" --dry-run --json
expect_rc 0
python3 -c 'import json,sys; assert json.load(sys.stdin)["status"] == "planned"' <<<"$OUT" && pass || fail "dhcpcd --json"
expect_file_absent "$STATE"

finish
