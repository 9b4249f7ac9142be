// The real Executor: one Action → the one component that does it. Sysctls through
// /proc/sys (SysctlWriter), rules and routes through rtnetlink (NetlinkRoutes),
// files (FileWriter), DNS records (DnsUpdater), commands and service reloads
// (services.hpp). How each is done lives in those files; this only dispatches.
#pragma once

#include "config.hpp"
#include "dns_updater.hpp"
#include "executor.hpp"
#include "file_writer.hpp"
#include "netlink_routes.hpp"
#include "process.hpp"
#include "services.hpp"
#include "sysctl.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace hookctl {

struct SystemExecutorOptions {
    std::uint8_t route_protocol = 211;  // settings.route-protocol: the ownership tag
    std::string proc_sys_root = "/proc/sys";
    Deadline deadline = Deadline::max();  // the hook's budget: nothing runs past it
    std::uint32_t validator_timeout_ms = 5000;
    DnsUpdaterOptions dns;
};

class SystemExecutor : public Executor {
public:
    // `runner` runs validators, commands, reloads and nsupdate; `querier` checks DNS
    // updates. Both must outlive the executor.
    SystemExecutor(const SystemExecutorOptions& options, ProcessRunner& runner,
                   DnsQuerier& querier);

    // Never throws for a failed action; `elapsed_us` is set on every result.
    //   sysctl add/replace: write if different. remove: "unchanged", never reverted
    //     (see apply_sysctl).
    //   rule/route add: create (ours already there → "unchanged"); remove: delete ours
    //     only (absent → "unchanged"); replace: remove `previous`, then add `object`.
    ActionResult apply(const Action& action) override;
    // The kernel's rules then routes carrying our tag. Throws Error when the kernel
    // cannot be asked: an empty list must mean "none", not "could not look".
    std::vector<Object> list_owned(OwnedKinds kinds = {}) override;
    // kernel_rule_matches / kernel_route_matches; equality for other kinds.
    bool matches(const Object& wanted, const Object& present) const override;

private:
    ActionResult dispatch(const Action& action);
    ActionResult apply_sysctl(const Action& action, const SysctlObject& sysctl);
    ActionResult apply_rule(const Action& action, const RuleObject& rule);
    ActionResult apply_route(const Action& action, const RouteObject& route);
    ActionResult apply_file(const Action& action, const FileObject& file);

    ProcessRunner& runner_;
    Deadline deadline_;
    SysctlWriter sysctls_;
    NetlinkRoutes netlink_;
    FileWriter files_;
    ServiceReloader reloads_;
    DnsUpdater dns_;
};

// The executor of a real run: a SystemExecutor with the real process runner and
// DNS querier, its options from the config, nothing running past `deadline`.
std::unique_ptr<Executor> make_system_executor(const Config& config, Deadline deadline);

}  // namespace hookctl
