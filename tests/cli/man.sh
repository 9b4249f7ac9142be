#!/bin/bash
# The man pages as built (docs/meson.build: hookctl.8 from docs/hookctl.8.md,
# hookctl.toml.5 from docs/config.md): groff has no warning about them in the C
# locale and in UTF-8 (the check lintian makes), they render, and they do not fall
# behind the binary: every command of --help has its section in hookctl(8), and
# every section of config.md is in hookctl.toml(5).
. "$(dirname "$0")/lib.sh"

command -v man >/dev/null || { echo "SKIP: man not installed (package man-db)"; exit 77; }
MAN_DIR=${BUILD_ROOT:-$SOURCE_ROOT/build}/docs
if [ ! -f "$MAN_DIR/hookctl.8" ]; then
    echo "SKIP: $MAN_DIR/hookctl.8 not built (meson option man_pages, needs python3)"
    exit 77
fi

for page in hookctl.8 hookctl.toml.5; do
    run_cmd env LC_ALL=C man --warnings -l "$MAN_DIR/$page"
    expect_rc 0
    expect_stderr_empty
    run_cmd env LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN_DIR/$page"
    expect_rc 0
    expect_stderr_empty
done

run_cmd env LC_ALL=C MANWIDTH=80 man -l "$MAN_DIR/hookctl.8"
expect_stdout_contains "hookctl - typed pppd, dhcpcd and dispatcher hook for Linux routers"
expect_stdout_contains "EXIT STATUS"
page8=$OUT
hk --help
for c in $(sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' <<<"$OUT"); do
    grep -qE "^   $c( |$)" <<<"$page8" && pass || fail "hookctl(8) has no section for the command '$c'"
done
# And each global option of the usage line.
for o in $(head -1 <<<"$OUT" | grep -oE -- '--[a-z-]+'); do
    grep -qF -- "$o" <<<"$page8" && pass || fail "hookctl(8) does not mention $o"
done

run_cmd env LC_ALL=C MANWIDTH=80 man -l "$MAN_DIR/hookctl.toml.5"
expect_stdout_contains "hookctl.toml - the configuration of hookctl(8)"
page5=$OUT
while read -r heading; do
    title=$(sed -e 's/^## //' -e 's/`//g' <<<"$heading")
    grep -qxF "$title" <<<"$page5" && pass || fail "hookctl.toml(5) lacks the section '$title'"
done < <(grep '^## ' "$SOURCE_ROOT/docs/config.md")

finish
