#!/bin/bash
# The hostile-input catalogue: every string a daemon hands hookctl, attacked with
# shell metacharacters, quotes, newlines and braces (aimed at radvd.conf, files and
# nsupdate scripts), path traversal, overlong values, bytes that are not text,
# duplicated and contradicting variables, absurd prefix lengths and lifetimes, and
# every special address class where a global one belongs; and the config's values.
#
# Real executor, unprivileged: the config below owns only a file and commands (no
# rules or sysctls), so nothing needs root. Each hostile event must be:
#   rejected: exit 2, stderr "hookctl: <the variable or argument>: ...", the
#     rejection in the journal naming it, state.json and the written file byte for
#     byte as before, no command run (a canary file would appear);
#   or, where the documented outcome is lenient (one entry of a router's or a
#   server's list that cannot stand for the uplink): "warning: <variable>: ...
#   entry ignored", and the entry nowhere in state.json or the written file.
# The count of cases is printed; the issue asks for at least 150.
. "$(dirname "$0")/lib.sh"

EXECVE_ENV=${EXECVE_ENV:-$(dirname "$HOOKCTL")/../tests/execve_env}
[ -x "$EXECVE_ENV" ] || { echo "execve_env not found: set EXECVE_ENV"; exit 1; }
CANARY=$WORK/ran
OUTFILE=$WORK/out.conf
cat >"$CONFIG" <<EOF
[uplink.isp]
interface = "wan0"
on.BOUND6 = [["/usr/bin/touch", "$CANARY"]]
on.BOUND = [["/usr/bin/touch", "$CANARY"]]
on.ROUTERADVERT = [["/usr/bin/touch", "$CANARY"]]
on.DELEGATED6 = [["/usr/bin/touch", "$CANARY"]]

[uplink.tkom]
interface = "ppp0"
on.ip-up = [["/usr/bin/touch", "$CANARY"]]
on.ipv6-up = [["/usr/bin/touch", "$CANARY"]]

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[[file]]
path = "$OUTFILE"
content = "prefix {lan.prefix}\naddress {lan.address}\nipv4 {isp.ipv4}\nppp {tkom.ipv4}\n"
EOF

# The baseline every case starts from: a bound lease, an RA, pppd up.
read_env_file "$FIXTURES/a-initial-start/08-BOUND6.env"
BOUND6=("${ENV_VARS[@]}")
BOUND=(reason=BOUND interface=wan0 new_ip_address=192.0.2.7 new_subnet_cidr=24 new_routers=192.0.2.1
       "new_domain_name_servers=192.0.2.53 192.0.2.54" new_domain_search=example.test new_dhcp_lease_time=600)
RA=(reason=ROUTERADVERT interface=wan0 nd1_from=fe80::1 nd1_lifetime=1800 nd1_flags=MO
    nd1_prefix_information1_prefix=2001:db8:ffff:: nd1_prefix_information1_length=64
    nd1_prefix_information1_flags=LA nd1_prefix_information1_pltime=14400
    nd1_prefix_information1_vltime=86400 nd1_rdnss1_servers=2001:db8:ffff::53 nd1_rdnss1_lifetime=600
    nd1_dnssl1_search=example.test nd1_dnssl1_lifetime=600 nd1_addr1=2001:db8:ffff::5/64)
hookctl_env() { "$EXECVE_ENV" "${@/#/-e}" -- "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" dhcpcd; }
# execve_env takes "-e NAME=VALUE" pairs: expand an array into them.
run_env() {
    local args=() kv
    for kv in "$@"; do args+=(-e "$kv"); done
    LAST_CMD="dhcpcd event: $(printf '%q ' "$@" | head -c 300)"
    "$EXECVE_ENV" "${args[@]}" -- "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" dhcpcd >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}
run_ppp() {
    LAST_CMD="ppp $(printf '%q ' "$@" | head -c 300)"
    env -i "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" ppp "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}
baseline() {
    run_env "${BOUND6[@]}" && run_env "${RA[@]}" && run_env "${BOUND[@]}"
    run_ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 ""
    rm -f "$CANARY"
    BEFORE_STATE=$(sha256sum <"$STATE/state.json")
    BEFORE_FILE=$(sha256sum <"$OUTFILE")
}
baseline
[ -f "$OUTFILE" ] && pass || fail "the baseline did not write $OUTFILE"

CASES=0
# The newest journal line (the last line of an id is its entry): read directly, one
# jq per case, because the suite also runs under ASan where every hookctl is slow.
last_journal() {
    local seg
    seg=$(ls "$STATE"/journal/*.jsonl | tail -1)
    tail -n 1 "$seg" | jq -c '{status, error}'
}

# Checks the last run as a rejection naming $1.
rejected() {
    local what=$1 name=$2
    CASES=$((CASES + 1))
    local ok=1 why=
    [ "$RC" = 2 ] || { ok=0; why="exit $RC"; }
    [ ! -e "$WORK/pwned" ] || { ok=0; why="$why; something was evaluated"; }
    grep -qF -- "hookctl: $what: " <<<"$ERR" || { ok=0; why="$why; stderr does not name $what"; }
    [ ! -e "$CANARY" ] || { ok=0; why="$why; a command ran"; rm -f "$CANARY"; }
    [ "$(sha256sum <"$STATE/state.json")" = "$BEFORE_STATE" ] || { ok=0; why="$why; state.json changed"; }
    [ "$(sha256sum <"$OUTFILE")" = "$BEFORE_FILE" ] || { ok=0; why="$why; $OUTFILE changed"; }
    [ ! -e "$WORK/pwned" ] || { ok=0; why="$why; something was evaluated"; }
    local j
    j=$(last_journal)
    grep -qF '"status":"rejected"' <<<"$j" && grep -qF "\"error\":\"$what: " <<<"$j" ||
        { ok=0; why="$why; journal: $j"; }
    if [ $ok = 1 ]; then pass; else fail "$name: $why"; baseline; fi
}

# Checks the last run as the lenient outcome: the entry named $1 was left out.
ignored() {
    local what=$1 name=$2 value=$3
    CASES=$((CASES + 1))
    local ok=1 why=
    [ "$RC" = 0 ] || [ "$RC" = 1 ] || { ok=0; why="exit $RC"; }
    grep -qF -- "warning: $what: " <<<"$OUT" && grep -qF "entry ignored" <<<"$OUT" ||
        { ok=0; why="$why; no warning naming $what"; }
    ! grep -qF -- "\"$value" "$STATE/state.json" || { ok=0; why="$why; $value in state.json"; }
    ! grep -qF -- "$value" "$OUTFILE" || { ok=0; why="$why; $value in $OUTFILE"; }
    if [ $ok = 1 ]; then pass; else fail "$name: $why"; fi
    baseline
}

# with BASE_ARRAY VAR VALUE: the base environment with VAR set to VALUE.
with() {
    local -n with_base=$1
    local var=$2 value=$3 kv
    local out=()
    for kv in "${with_base[@]}"; do [ "${kv%%=*}" = "$var" ] || out+=("$kv"); done
    out+=("$var=$value")
    CASE_ENV=("${out[@]}")
}

BIG=$(head -c 5000 /dev/zero | tr '\0' a)
# Payloads that no typed value may contain (name|value).
PAYLOADS=(
    'command substitution|$(touch '"$WORK"'/pwned)'
    'backticks|`touch '"$WORK"'/pwned`'
    'semicolon|2001:db8::1; reboot'
    'single quote|'"'"' || true '"'"
    'double quote|"x"'
    'newline and brace|x'$'\n''};interface eth0 {'
    'template brace|{lan.prefix}'
    'path traversal|../../etc/passwd'
    'overlong|'"$BIG"
    'not text|'$'\xff\xfe\x01'
    'NUL-free control|'$'\x1b[2J'
    'pipe|a|b'
)
payload_name() { echo "${1%%|*}"; }
payload_value() { echo "${1#*|}"; }

# 1. Every variable the parser reads in a BOUND6, a BOUND and an RA, every payload.
attack() {
    local base=$1 var=$2 lists=${3:-}
    local p
    for p in "${PAYLOADS[@]}"; do
        with "$base" "$var" "$(payload_value "$p")"
        run_env "${CASE_ENV[@]}"
        rejected "$var" "$var: $(payload_name "$p")"
    done
}
for var in reason interface new_dhcp6_ia_pd1_prefix1 new_dhcp6_ia_pd1_prefix1_length \
           new_dhcp6_ia_pd1_prefix1_pltime new_dhcp6_ia_pd1_prefix1_vltime new_dhcp6_ia_pd1_iaid \
           new_dhcp6_ia_na1_ia_addr1 new_dhcp6_ia_na1_ia_addr1_vltime new_dhcp6_name_servers \
           new_dhcp6_domain_search; do
    attack BOUND6 "$var"
done
for var in new_ip_address new_subnet_cidr new_routers new_domain_name_servers new_domain_search \
           new_dhcp_lease_time; do
    attack BOUND "$var"
done
for var in nd1_from nd1_lifetime nd1_flags nd1_prefix_information1_prefix nd1_prefix_information1_length \
           nd1_prefix_information1_vltime nd1_rdnss1_servers nd1_dnssl1_search nd1_addr1; do
    attack RA "$var"
done

# 2. pppd's arguments, each position, some payloads (argv[2] tty and [3] speed too).
for p in "${PAYLOADS[@]}"; do
    v=$(payload_value "$p")
    for pos in 1 2 3 4 5; do
        args=(ppp0 eth0 0 198.51.100.7 203.0.113.1 "")
        args[$((pos - 1))]=$v
        run_ppp ip-up "${args[@]}"
        rejected "argv[$pos]" "ip-up argv[$pos]: $(payload_name "$p")"
    done
    # argv[6], ipparam, is the admin's free text from pppd's options: printable
    # text is kept as text (JSON-escaped in state.json, shown escaped); anything
    # else is refused. Nothing of it ever reaches a shell, a file or an argv.
    run_ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 "$v"
    CASES=$((CASES + 1))
    if ! LC_ALL=C eval '[[ $v == *[![:print:]]* ]]' && [ ${#v} -le 255 ]; then
        [ "$RC" = 0 ] && [ ! -e "$WORK/pwned" ] && ! grep -qF -- "$v" "$OUTFILE" && pass ||
            fail "ipparam $(payload_name "$p"): rc $RC"
        baseline
    else
        CASES=$((CASES - 1))
        rejected "argv[6]" "ip-up ipparam: $(payload_name "$p")"
    fi
done
# ...and through pppd's environment when argv is short.
for p in "${PAYLOADS[@]:0:6}"; do
    v=$(payload_value "$p")
    LAST_CMD="ip-up with IPLOCAL=$(payload_name "$p")"
    env -i IFNAME=ppp0 "IPLOCAL=$v" IPREMOTE=203.0.113.1 "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" \
        ppp ip-up >"$WORK/.out" 2>"$WORK/.err"
    RC=$?; OUT=$(cat "$WORK/.out"); ERR=$(cat "$WORK/.err")
    rejected IPLOCAL "IPLOCAL: $(payload_name "$p")"
    env -i IFNAME=ppp0 IPLOCAL=198.51.100.7 IPREMOTE=203.0.113.1 "DNS1=$v" "$HOOKCTL" --config "$CONFIG" \
        --state-dir "$STATE" ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 >"$WORK/.out" 2>"$WORK/.err"
    RC=$?; OUT=$(cat "$WORK/.out"); ERR=$(cat "$WORK/.err")
    rejected DNS1 "DNS1: $(payload_name "$p")"
done

# 3. Numbers out of range: prefix lengths over 128, lifetimes over 32 bits, signs.
for v in 129 255 1000 -1 +64 0x40 ' 64' 64.0; do
    with BOUND6 new_dhcp6_ia_pd1_prefix1_length "$v"; run_env "${CASE_ENV[@]}"
    rejected new_dhcp6_ia_pd1_prefix1_length "PD length $v"
    with RA nd1_prefix_information1_length "$v"; run_env "${CASE_ENV[@]}"
    rejected nd1_prefix_information1_length "RA length $v"
done
for v in 4294967296 99999999999999999999 -5 1e9; do
    with BOUND6 new_dhcp6_ia_pd1_prefix1_vltime "$v"; run_env "${CASE_ENV[@]}"
    rejected new_dhcp6_ia_pd1_prefix1_vltime "PD vltime $v"
    with BOUND new_dhcp_lease_time "$v"; run_env "${CASE_ENV[@]}"
    rejected new_dhcp_lease_time "lease time $v"
done

# 4. Special addresses where a global one belongs.
#    A delegated prefix or an IA_NA or RA entry: left out with a warning (one bad
#    entry from a server or any host on the uplink must not hide the rest).
for pl in ::/0 ::/56 ::1/128 fe80::/64 ff02::/16 ff05::/56 ::ffff:192.0.2.0/120 ::192.0.2.0/120 \
          4000::/56 2001:db8::/8 2001:db8::/72 2001:db8::/0; do
    with BOUND6 new_dhcp6_ia_pd1_prefix1 "${pl%/*}"
    step=("${CASE_ENV[@]}")
    with step new_dhcp6_ia_pd1_prefix1_length "${pl#*/}"
    run_env "${CASE_ENV[@]}"
    ignored new_dhcp6_ia_pd1_prefix1 "delegated $pl" "${pl%/*}/${pl#*/}"
done
for a in :: ::1 fe80::1234 ff02::1234 ::ffff:192.0.2.1 4000::1; do
    with BOUND6 new_dhcp6_ia_na1_ia_addr1 "$a"; run_env "${CASE_ENV[@]}"
    ignored new_dhcp6_ia_na1_ia_addr1 "IA_NA $a" "$a\""
done
for pl in ::/0 fe80::/64 ff02::/64 ::ffff:0.0.0.0/96; do
    with RA nd1_prefix_information1_prefix "${pl%/*}"
    step=("${CASE_ENV[@]}")
    with step nd1_prefix_information1_length "${pl#*/}"
    run_env "${CASE_ENV[@]}"
    ignored nd1_prefix_information1_prefix "RA prefix $pl" "\"${pl%/*}/${pl#*/}"
done
#    The uplink's own IPv4 address or its peer: the lease or the link is refused.
for a in 0.0.0.0 255.255.255.255 127.0.0.1 224.0.0.1 239.255.255.250 240.0.0.1 169.254.1.1 0.1.2.3; do
    with BOUND new_ip_address "$a"; run_env "${CASE_ENV[@]}"
    rejected new_ip_address "DHCPv4 address $a"
    with BOUND new_routers "$a"; run_env "${CASE_ENV[@]}"
    rejected new_routers "DHCPv4 router $a"
    [ "$a" = 0.0.0.0 ] && continue  # pppd's "no peer address" (noremoteip)
    run_ppp ip-up ppp0 eth0 0 198.51.100.7 "$a" ""
    rejected "argv[5]" "ppp peer $a"
done
for a in 0.0.0.0 255.255.255.255 127.0.0.1 224.0.0.1 240.0.0.1; do
    run_ppp ip-up ppp0 eth0 0 "$a" 203.0.113.1 ""
    rejected "argv[4]" "ppp local $a"
done
#    An RA not from a link-local router, and ipv6-up with global "link-local" ones.
with RA nd1_from 2001:db8::1; run_env "${CASE_ENV[@]}"; rejected nd1_from "RA from a global address"
run_ppp ipv6-up ppp0 eth0 0 2001:db8::1 fe80::2 ""; rejected "argv[4]" "ipv6-up local not link-local"
run_ppp ipv6-up ppp0 eth0 0 fe80::1 ff02::1 ""; rejected "argv[5]" "ipv6-up peer multicast"

# 5. Duplicated variables (an environment is any list; env(1) cannot make one):
#    which value was meant is unknowable, so the event is refused.
for var in reason interface new_dhcp6_ia_pd1_prefix1 new_dhcp6_ia_pd1_iaid; do
    value=$(printf '%s\n' "${BOUND6[@]}" | sed -n "s/^$var=//p")
    run_env "${BOUND6[@]}" "$var=$value"
    rejected "$var" "$var twice, same value"
done
run_env "${BOUND6[@]}" reason=EXPIRE6
rejected reason "reason twice: BOUND6 and EXPIRE6"
run_env "${BOUND[@]}" new_ip_address=192.0.2.99
rejected new_ip_address "new_ip_address twice, contradicting"
#    Contradicting argv and environment: argv wins (pppd built it for this call; its
#    environment accumulates), and the environment's value is not used at all.
env -i IFNAME=ppp9 IPLOCAL=127.0.0.1 "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" ppp ip-up \
    ppp0 eth0 0 198.51.100.7 203.0.113.1 "" >"$WORK/.out" 2>&1
CASES=$((CASES + 1))
grep -q "ppp ip-up on ppp0: " "$WORK/.out" && ! grep -q ppp9 "$STATE/state.json" && pass ||
    fail "argv against IFNAME/IPLOCAL: argv did not win: $(head -3 "$WORK/.out")"
baseline

# 6. The config: hostile values in a root-owned file are still values, checked.
config_case() {  # name, TOML
    CASES=$((CASES + 1))
    printf '%s\n' "$2" >"$WORK/c.toml"
    chmod 600 "$WORK/c.toml"
    hk check "$WORK/c.toml"
    if [ "$RC" = 2 ] && grep -qE "^hookctl: $WORK/c.toml:[0-9]+(:[0-9]+)?: " <<<"$ERR"; then pass
    else fail "config: $1: rc $RC: $ERR"; fi
}
U='[uplink.u]
interface = "wan0"'
config_case "interface with a slash" '[uplink.u]
interface = "../etc"'
config_case "interface with a semicolon" '[uplink.u]
interface = "eth0;reboot"'
config_case "interface with a newline" '[uplink.u]
interface = "eth0\nx"'
config_case "overlong interface" '[uplink.u]
interface = "abcdefghijklmnopq"'
config_case "a shell line as argv" "$U
on.ip-up = [[\"rm -rf /tmp/x\"]]"
config_case "a relative program path" "$U
on.ip-up = [[\"bin/x\"]]"
config_case "an empty argv" "$U
on.ip-up = [[]]"
config_case "an unknown event" "$U
on.ip-upp = [[\"/bin/true\"]]"
config_case "a unit with a semicolon" "[radvd]
reload = \"radvd.service;reboot\""
config_case "a unit starting with a dash" "[radvd]
reload = \"--now\""
config_case "a relative file path" '[[file]]
path = "etc/x"
content = "x"'
config_case "a file path with .." '[[file]]
path = "/etc/../root/x"
content = "x"'
config_case "an unbalanced template brace" '[[file]]
path = "/tmp/x"
content = "a { b"'
config_case "a template closing brace" '[[file]]
path = "/tmp/x"
content = "a } b"'
config_case "a template naming nothing" '[[file]]
path = "/tmp/x"
content = "{nobody.prefix}"'
config_case "a dnssl with a semicolon" "$U
[lan.l]
interface = \"int0\"
prefix = { from = \"u\" }
[radvd]
interface.l = { dnssl = \"a;b\" }"
config_case "a DNS name with a space" "[[dns]]
server = \"::1\"
zone = \"dyn example\"
records = [ { name = \"r\", aaaa = \"::1\" } ]"
config_case "a DNS record name with a newline" "[[dns]]
server = \"::1\"
zone = \"dyn.example\"
records = [ { name = \"r\nupdate add evil\", aaaa = \"::1\" } ]"
config_case "a sysctl key with a slash" "$U
sysctl.ipv6 = { \"../../kernel/x\" = 1 }"
config_case "a sysctl value with a newline" "$U
sysctl.ipv6 = { accept_ra = \"1\n2\" }"
config_case "a token with prefix bits" "$U
token = \"2001:db8::1\""
config_case "a table name with a space" "[[rule]]
to = \"198.51.100.0/24\"
table = \"kd x\""
config_case "a /0 rule selector" "[[rule]]
from = \"::/0\"
table = 100"
config_case "a mode in decimal" '[[file]]
path = "/tmp/x"
content = "x"
mode = 644'
config_case "a NUL in a string" '[[file]]
path = "/tmp/x\u0000y"
content = "x"'
config_case "settings.path relative" '[settings]
path = "bin:/usr/bin"'
config_case "a huge number" "[[rule]]
to = \"198.51.100.0/24\"
table = 99999999999"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$WORK/huge.toml"
chmod 600 "$WORK/huge.toml"
hk check "$WORK/huge.toml"
CASES=$((CASES + 1))
[ "$RC" = 2 ] && grep -qF "a config is at most" <<<"$ERR" && pass || fail "a 2 MB config: rc $RC $ERR"

echo "# hostile catalogue: $CASES cases"
[ "$CASES" -ge 150 ] && pass || fail "only $CASES cases"
finish
