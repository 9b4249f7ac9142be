#!/bin/bash
# cli/symbol-order.txt lists the functions hook events run, for lld to put first in
# hookctl's code (tools/symbol_order.sh). The list goes stale as the code changes:
# a renamed or removed function is silently left out of the ordering. This fails when
# more than a tenth of the listed functions are missing from the binary (regenerate
# the list), and, when meson linked hookctl with the list, checks that the link did
# what it is for: the listed functions are the first in the code, together.
. "$(dirname "$0")/lib.sh"

LIST=$SOURCE_ROOT/cli/symbol-order.txt
# A sanitizer build is compiled otherwise (clang, instrumented, other inlining), so its
# functions are not the ones the list names; the plain build's suite checks the list.
if [ -n "${HOOKCTL_SANITIZED:-}" ]; then
    echo "SKIP: the list names the plain build's functions, not those of this -fsanitize=$HOOKCTL_SANITIZED build"
    exit 77
fi
command -v nm >/dev/null || { echo "SKIP: nm missing (package binutils)"; exit 77; }
grep -v -e '^#' -e '^$' "$LIST" | sort -u >"$WORK/listed"
nm --defined-only "$HOOKCTL" | awk 'NF == 3 && $2 ~ /^[tTwWi]$/ { print $3 }' | sort -u >"$WORK/defined"
listed=$(wc -l <"$WORK/listed")
missing=$(comm -23 "$WORK/listed" "$WORK/defined" | wc -l)
expect_same "$([ "$listed" -ge 500 ] && echo yes)" yes "cli/symbol-order.txt lists $listed functions (a hook run runs over a thousand)"
if [ $((missing * 10)) -le "$listed" ]; then
    pass
else
    fail "$missing of the $listed functions in cli/symbol-order.txt are not in $HOOKCTL: run tools/symbol_order.sh (as root) and commit the list; first missing: $(comm -23 "$WORK/listed" "$WORK/defined" | head -3 | tr '\n' ' ')"
fi

if [ "${HOOKCTL_SYMBOL_ORDER:-0}" = 1 ]; then
    # From the first to the last listed function, in per cent of the whole code's span:
    # together, that is a third here (unlisted code comes along: a listed function moves
    # its whole section, and glibc's and Boost's sections hold several functions);
    # linked without the list, they are spread over nine tenths of it.
    span=$(nm --defined-only -n "$HOOKCTL" | python3 -c '
import sys
listed = set(open(sys.argv[1]).read().split())
rows = [line.split() for line in sys.stdin]
code = [(int(r[0], 16), r[2]) for r in rows if len(r) == 3 and r[1] in "tTwWi"]
hot = [a for a, name in code if name in listed]
print((hot[-1] - hot[0]) * 100 // (code[-1][0] - code[0][0]))' "$WORK/listed")
    expect_same "$([ "$span" -le 40 ] && echo yes)" yes \
        "the listed functions span $span % of hookctl's code (at most 40 % when linked with the list): the link did not order them"
else
    echo "# hookctl linked without the list (no lld, or -Dsymbol_order=disabled): layout not checked"
fi
finish
