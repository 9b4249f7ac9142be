#!/bin/bash
# `hookctl check`: the examples pass; a misspelt key, a missing file, an unknown
# table name and absurd nesting fail with exit 2 and the exact file:line:col message
# and hint.
. "$(dirname "$0")/lib.sh"

for f in "$SOURCE_ROOT"/examples/*.toml; do
    hk check "$f"
    expect_rc 0
    expect_stdout_contains "$f: ok ("
    expect_stderr_empty
done
hk check "$SOURCE_ROOT/examples/lab.toml"
expect_stdout_equals "$SOURCE_ROOT/examples/lab.toml: ok (1 uplinks, 1 lans, 1 rules, 0 routes, 0 files, 0 dns zones, radvd)"
# --config is what check reads without an argument.
hk --config "$SOURCE_ROOT/examples/minimal.toml" check
expect_rc 0
expect_stdout_equals "$SOURCE_ROOT/examples/minimal.toml: ok (1 uplinks, 0 lans, 1 rules, 0 routes, 0 files, 0 dns zones)"

# The config a package installs (examples/default.toml) is valid and declares
# nothing; check says that it takes no action. One uplink is enough to act.
hk check "$SOURCE_ROOT/examples/default.toml"
expect_rc 0
expect_stderr_empty
expect_stdout_equals "$SOURCE_ROOT/examples/default.toml: ok (0 uplinks, 0 lans, 0 rules, 0 routes, 0 files, 0 dns zones)
$SOURCE_ROOT/examples/default.toml: this config takes no action: it declares no uplink, lan, rule, route, file, dns zone or radvd, so events are recorded and nothing is changed
  hint: declare an [uplink.NAME] and what follows from it; hookctl.toml(5) and the examples in /usr/share/doc/hookctl/examples show how"
for f in "$SOURCE_ROOT"/examples/{minimal,router,lab}.toml; do
    hk check "$f"
    expect_stdout_not_contains "takes no action"
done
printf '[settings]\nrule-priority = 20000\n\n[tables]\nkd = 199\n' >"$WORK/settings-only.toml"
hk check "$WORK/settings-only.toml"
expect_rc 0
expect_stdout_contains "$WORK/settings-only.toml: this config takes no action"
printf '[[file]]\npath = "%s/motd"\ncontent = "hello\\n"\n' "$WORK" >"$WORK/file-only.toml"
hk check "$WORK/file-only.toml"
expect_rc 0
expect_stdout_not_contains "takes no action"
# And it is true: with the default config an event is recorded and plans nothing.
hk_env a-initial-start/08-BOUND6 --config "$SOURCE_ROOT/examples/default.toml" --state-dir "$STATE" --simulate dhcpcd
expect_rc 0
expect_stdout_contains "nothing to do"
hk --state-dir "$STATE" events --ids
expect_stdout_equals "1"

# A misspelt key: file:line:col, what, and the nearest known key.
cat >"$WORK/typo.toml" <<'TOML'
[uplink.isp]
interface = "wan0"

[[rule]]
from = "isp.prefix"
tabel = 100
TOML
hk check "$WORK/typo.toml"
expect_rc 2
expect_stdout_equals ""
expect_stderr_equals "hookctl: $WORK/typo.toml:6:1: unknown key 'tabel' in [[rule]]
  hint: did you mean 'table'?"

cat >"$WORK/restrat.toml" <<'TOML'
[radvd]
file = "/etc/radvd.conf"
  restrat = "radvd.service"
TOML
hk check "$WORK/restrat.toml"
expect_rc 2
expect_stderr_equals "hookctl: $WORK/restrat.toml:3:3: unknown key 'restrat' in [radvd]
  hint: did you mean 'restart'?"

# A missing file.
hk check "$WORK/nonexistent.toml"
expect_rc 2
expect_stderr_equals "hookctl: $WORK/nonexistent.toml: cannot read the config file: No such file or directory"

# A table name neither [tables] nor rt_tables defines.
cat >"$WORK/table.toml" <<'TOML'
[tables]
kd = 199

[uplink.isp]
interface = "wan0"

[[rule]]
from = "isp.prefix"
table = "kdd"
TOML
hk check "$WORK/table.toml"
expect_rc 2
expect_stdout_equals ""
expect_stderr_equals "$WORK/table.toml:7:1: table 'kdd' is not in rt_tables
  hint: did you mean 'kd'?"
# The same name defined in [tables] is fine.
sed -i 's/"kdd"/"kd"/' "$WORK/table.toml"
hk check "$WORK/table.toml"
expect_rc 0

# hookctl acts as root on what its config says: like sudoers, a config anyone else
# could have written is refused.
cp "$WORK/table.toml" "$WORK/open.toml"
chmod 0666 "$WORK/open.toml"
hk check "$WORK/open.toml"
expect_rc 2
expect_stderr_equals "hookctl: $WORK/open.toml: writable by group or others (mode 0666): another user could change what hookctl does as root
  hint: chmod go-w $WORK/open.toml"
chmod 0640 "$WORK/open.toml"
hk check "$WORK/open.toml"
expect_rc 0
if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$WORK/open.toml"
    hk check "$WORK/open.toml"
    expect_rc 2
    expect_stderr_contains "owned by uid $(id -u nobody), not by root"
fi
mkfifo "$WORK/fifo.toml"
hk check "$WORK/fifo.toml"
expect_rc 2
expect_stderr_equals "hookctl: $WORK/fifo.toml: the config is not a regular file"

# Arrays and inline tables nested 200,000 deep (within the 1 MiB a config may be): a
# config error from toml++'s depth limit, not a stack overflow in a recursive reader.
python3 -c 'print("a = " + "[" * 200000 + "]" * 200000)' >"$WORK/deep.toml"
hk check "$WORK/deep.toml"
expect_rc 2
expect_stderr_contains "exceeded maximum nested value depth"
python3 -c 'print("a = " + "[{ b = " * 100000)' >"$WORK/deep-inline.toml"
hk check "$WORK/deep-inline.toml"
expect_rc 2
expect_stderr_contains "exceeded maximum nested value depth"
# 100,000 keys in one table: the first unknown key named. (The plain reader leaves a
# table that wide to toml++, whose tables are maps: searching a list of members took
# 12 s here. The unit test checks that limit; a time bound here would depend on the
# build, 0.17 s plain, 6 s with the sanitizers.)
python3 -c 'print("\n".join("k%d=1" % i for i in range(100000)))' >"$WORK/wide.toml"
hk check "$WORK/wide.toml"
expect_rc 2
expect_stderr_contains "unknown key 'k0' in the top level"

finish
