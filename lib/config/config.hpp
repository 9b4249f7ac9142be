// The declarative config (one TOML file), as typed values. load_config() parses and
// validates it completely: every error carries file:line:column, what is wrong and a
// hint (for an unknown key, the nearest known key). Nothing here reads facts; the
// expressions are resolved later by desired() against the facts.
#pragma once

#include "error.hpp"
#include "net_types.hpp"
#include "objects.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hookctl {

struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;
    std::string to_string() const;  // "hookctl.toml:12:3"
};

// A reference to a fact, optionally with a host token added:
//   "tkom.ipv4"  "int.prefix"  "int.address"  "int.prefix + ::c0a0:808"  "kd.prefix"
// or a literal address/prefix: "198.51.100.10/32", "2001:db8::1".
// Fields (what each yields):
//   uplink: ipv4 (address)      ipv4-peer (address)   ipv6 (address: DHCPv6 IA_NA, else
//           prefix + token when set, else SLAAC)   prefix (IPv6 /64 on the link: RA prefix, else
//           the IA_NA address's /64)      delegated (the IA_PD prefix)  link-local (address)
//   lan:    prefix (the derived sub-prefix)   address (prefix + address-token)
// "X.prefix + TOKEN" and "X.delegated + TOKEN" yield an address.
struct ValueExpr {
    enum class Field { none, ipv4, ipv4_peer, ipv6, prefix, delegated, link_local, address };
    std::string text;  // as written, for messages
    SourceLocation where;
    // literal (Field::none): exactly one of these
    std::optional<IpAddress> literal_address;
    std::optional<IpPrefix> literal_prefix;
    // fact reference
    std::string owner;  // uplink or lan name
    Field field = Field::none;
    std::optional<IpAddress> token;
    bool yields_prefix() const;  // else an address
    Family family() const;       // literal's; ipv4, ipv4-peer: v4; others v6
};

// The syntax of one expression (see ValueExpr). Owner names and which field an owner
// has are checked by parse_config, which knows the uplinks and lans. `what` (e.g.
// "rule[2].from") prefixes error messages. Throws ConfigError at `where`.
ValueExpr parse_value_expr(std::string_view text, const SourceLocation& where,
                           std::string_view what = "");
std::string to_string(ValueExpr::Field f);  // "ipv4-peer", ...; "" for none

// `on.<event> = [[argv...], ...]`: event names are pppd script names (ip-up, ...)
// and dhcpcd reasons (BOUND6, ...).
using EventCommands = std::map<std::string, std::vector<Command>>;

struct Sysctls {
    std::map<std::string, std::string> ipv4;  // net.ipv4.conf.<if>.<key>
    std::map<std::string, std::string> ipv6;  // net.ipv6.conf.<if>.<key>
};

// Where an uplink's facts come from. `hooks`: the events of pppd and dhcpcd (and
// only those). `kernel`: rtnetlink dumps of the interface's link state and addresses,
// taken by `hookctl watch` or a networkd/NetworkManager dispatcher hook, for an
// uplink another manager runs (systemd-networkd, NetworkManager, ifupdown, SLAAC).
enum class UplinkSource { hooks, kernel };

struct UplinkConfig {
    std::string name;
    InterfaceName interface;
    UplinkSource source = UplinkSource::hooks;
    Sysctls sysctl;
    EventCommands on;
    std::optional<IpAddress> token;        // the uplink's own IPv6 address = prefix + token
    std::optional<std::uint32_t> pd_iaid;  // use only the IA_PD with this IAID
    SourceLocation where;
};

struct LanConfig {
    std::string name;
    InterfaceName interface;
    std::string prefix_from;  // an uplink name
    std::uint32_t subnet = 0;
    std::uint8_t length = 64;
    std::optional<IpAddress> address_token;
    Sysctls sysctl;
    SourceLocation where;
};

// Routing table names → numbers: iproute2's rt_tables (read by the caller, see
// rt_tables.hpp) with the config's own [tables] on top; an input of desired().
using TableNames = std::map<std::string, std::uint32_t>;

// A routing table by number or by name from rt_tables; names are resolved when
// desired state is computed (the name table is an input, read once per run).
struct TableRef {
    std::optional<std::uint32_t> id;
    std::string name;
    std::string to_string() const;
};

struct RuleConfig {
    std::vector<ValueExpr> from;  // empty: all; several: one rule each
    std::vector<ValueExpr> to;
    std::optional<InterfaceName> iif;
    std::optional<InterfaceName> oif;
    std::optional<std::uint32_t> fwmark;
    std::optional<std::uint32_t> fwmask;
    RuleAction action = RuleAction::lookup;
    TableRef table;
    std::optional<std::uint32_t> priority;  // default: settings.rule_priority
    std::optional<Family> family;           // needed only when from/to are both empty
    std::string while_up;                   // uplink name: exists only while it is up
    SourceLocation where;
};

struct RouteConfig {
    ValueExpr to;  // "default" is stored as literal ::/0 or 0/0 by family
    std::optional<ValueExpr> via;
    std::optional<InterfaceName> dev;
    TableRef table;
    std::optional<std::uint32_t> metric;
    RouteType type = RouteType::unicast;
    std::string while_up;
    SourceLocation where;
};

// How long a LAN prefix that went away is still announced as deprecated, unless
// [radvd.interface.LAN] deprecate-old says otherwise: RFC 4862 5.5.3e's two hours,
// the most a host keeps an address once its valid lifetime is cut.
inline constexpr std::uint32_t default_deprecate_old_seconds = 7200;

struct RadvdInterfaceConfig {
    std::string lan;                 // lan name (its interface and prefix)
    bool managed = false;            // AdvManagedFlag
    bool other = false;              // AdvOtherConfigFlag
    std::uint32_t min_interval = 0;  // 0: radvd's default
    std::uint32_t max_interval = 0;
    std::uint32_t preferred_lifetime = 0;  // 0: radvd's default
    std::uint32_t valid_lifetime = 0;
    std::uint32_t deprecate_old_seconds = default_deprecate_old_seconds;
    std::vector<ValueExpr> rdnss;
    std::vector<DomainName> dnssl;
    SourceLocation where;
};

struct RadvdConfig {
    std::string file = "/etc/radvd.conf";
    // Defaults: radvd's own config test (it exits on a file it cannot parse), and a
    // reload of the Debian unit, whose ExecReload re-tests and sends SIGHUP.
    std::vector<ServiceAction> reload{
        ServiceAction{ServiceAction::Kind::reload, "radvd.service", "", "", {}}};
    std::vector<std::string> validate{"radvd", "-c", "-C", "{}"};
    std::vector<RadvdInterfaceConfig> interfaces;
    SourceLocation where;
};

// A template: literal text with `{expr}` placeholders; `{{` and `}}` are braces.
// Rendering is each part's literal, then its expr's value; only the last part may
// lack an expr. An empty template has no parts.
struct TemplatePart {
    std::string literal;
    std::optional<ValueExpr> expr;
};
using Template = std::vector<TemplatePart>;

// `where` locates the string value (its opening quote). With `exact_columns` (the
// value was written on one line without escapes) errors point at the offending
// character inside it; otherwise at `where`.
Template parse_template(std::string_view text, SourceLocation where, std::string_view what = "",
                        bool exact_columns = false);

struct FileConfig {
    std::string path;
    Template content;
    std::uint32_t mode = 0644;
    std::string owner;
    std::string group;
    std::vector<std::string> validate;
    std::vector<ServiceAction> on_change;
    SourceLocation where;
};

struct DnsRecordConfig {
    std::string name;  // relative to the zone, or "@"
    DnsType type = DnsType::aaaa;
    ValueExpr value;
    std::optional<std::uint32_t> ttl;
    SourceLocation where;
};

struct DnsZoneConfig {
    std::string server;  // address
    std::uint16_t port = 53;
    std::string key_file;
    DomainName zone;
    std::uint32_t ttl = 300;
    std::uint32_t timeout_ms = 3000;
    std::vector<DnsRecordConfig> records;
    SourceLocation where;
};

struct Settings {
    std::uint32_t rule_priority = 10000;  // default priority of rules without one
    std::uint8_t route_protocol = 211;    // netlink protocol tag on rules and routes
    std::uint32_t command_timeout_ms = 5000;
    std::uint32_t hook_budget_ms = 20000;
    std::uint32_t journal_max_entries = 1000;
    // fsync state files before renaming them into place. Off by default: an fsync
    // costs milliseconds per file on every hook run, while the state is a cache of
    // what the daemons report again at their next event (see docs/design.md).
    bool durable_state = false;
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    // When dhcpcd runs hookctl itself as its `script` (the fast install, docs/
    // install.md), the program that runs dhcpcd's stock hooks afterwards, with the
    // same environment: "/usr/lib/dhcpcd/dhcpcd-run-hooks". Empty: they do not run.
    std::string dhcpcd_hooks;
    // When pppd runs hookctl itself as its ip-up-script etc. (a link named after the
    // script, not in /etc/ppp/<script>.d), the directory of the distribution's
    // wrappers to run afterwards with the same arguments: "/etc/ppp". Empty: none.
    std::string ppp_scripts;
    // `hookctl watch`: how long after the first change notification it reads the
    // kernel, so a burst (DAD finishing, a renumbering's several addresses) is one run.
    std::uint32_t watch_settle_ms = 200;
};

struct Config {
    std::string file;  // path it was loaded from
    Settings settings;
    std::map<std::string, UplinkConfig> uplinks;
    std::map<std::string, LanConfig> lans;
    std::vector<RuleConfig> rules;
    std::vector<RouteConfig> routes;
    std::optional<RadvdConfig> radvd;
    std::vector<DnsZoneConfig> dns;
    std::vector<FileConfig> files;
    // [tables]: routing table names of this config (name = number), used on top of
    // iproute2's rt_tables so a config can name its tables without editing /etc.
    std::map<std::string, std::uint32_t> tables;

    const UplinkConfig* uplink_for(const InterfaceName& ifname) const;
    // The interfaces of the uplinks with source = "kernel", sorted.
    std::vector<InterfaceName> kernel_interfaces() const;
    // By name; nullptr when there is none.
    const UplinkConfig* find_uplink(const std::string& name) const;
    const LanConfig* find_lan(const std::string& name) const;
};

// Throws ConfigError; `text` is the file content, `file` its name for messages.
Config parse_config(const std::string& text, const std::string& file);
Config load_config(const std::string& path);

class ConfigError : public Error {
public:
    ConfigError(SourceLocation where, const std::string& message, const std::string& hint = "");
    const SourceLocation& where() const { return where_; }

private:
    SourceLocation where_;
};

}  // namespace hookctl
