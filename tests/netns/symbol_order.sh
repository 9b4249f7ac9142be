#!/bin/bash
# cli/symbol-order.txt must still list what hook events run: tools/symbol_order.sh
# writes a fresh list from this build's binary (callgrind on the benchmark's events
# in a scratch namespace), and this fails when more than a tenth of the functions the
# events run now are missing from the committed list (a new or renamed hot function:
# run the tool and commit its list). tests/cli/symbol_order.sh checks the other
# direction (listed functions that no longer exist) and the layout. exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

# Valgrind cannot run a binary built with AddressSanitizer; the plain build's suite
# runs this.
if [ -n "${HOOKCTL_SANITIZED:-}" ]; then
    echo "SKIP: valgrind does not run a -fsanitize=$HOOKCTL_SANITIZED binary; the plain build's suite runs this"
    exit 77
fi
netns_require_root "for the scratch namespace tools/symbol_order.sh runs the events in"
netns_require_tools valgrind valgrind
HOOKCTL=$(netns_find_hookctl)
root=$NETNS_REPO_ROOT
WORK=$(mktemp -d /tmp/hookctl-symorder-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

out=$(HOOKCTL=$HOOKCTL bash "$root/tools/symbol_order.sh" -o "$WORK/fresh.txt" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/#   /'
check "tools/symbol_order.sh ran the seven events and wrote a list" "[ $rc = 0 ] && [ -s '$WORK/fresh.txt' ]"
grep -v -e '^#' -e '^$' "$WORK/fresh.txt" | sort -u >"$WORK/fresh"
grep -v -e '^#' -e '^$' "$root/cli/symbol-order.txt" | sort -u >"$WORK/committed"
fresh=$(wc -l <"$WORK/fresh")
unlisted=$(comm -23 "$WORK/fresh" "$WORK/committed" | wc -l)
echo "# the events run $fresh functions; $unlisted of them are not in cli/symbol-order.txt"
check "the events run over a thousand functions ($fresh)" "[ $fresh -ge 1000 ]"
check_detail() { comm -23 "$WORK/fresh" "$WORK/committed" | head -5 | sed 's/^/#   not listed: /'; }
check "cli/symbol-order.txt lists at least nine tenths of them (else: sudo bash tools/symbol_order.sh, commit the list)" \
    "[ $((unlisted * 10)) -le $fresh ]"
unset -f check_detail
check "no namespace of the tool's left" "! ip netns list | grep -q hookctl-symorder"
netns_done
