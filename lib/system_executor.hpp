// The real Executor: sysctls through /proc/sys (SysctlWriter), rules and routes
// through rtnetlink (NetlinkRoutes). Files, DNS records, commands and service
// reloads are handed to handlers plugged in by their owners; without one such an
// action fails with "no executor for <kind> in this build".
#pragma once

#include "executor.hpp"
#include "netlink.hpp"
#include "sysctl.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace hookctl {

struct SystemExecutorOptions {
    std::uint8_t route_protocol = 211;     // settings.route_protocol: the ownership tag
    std::string proc_sys_root = "/proc/sys";
};

class SystemExecutor : public Executor {
public:
    explicit SystemExecutor(SystemExecutorOptions options);

    // Never throws for a failed action; `elapsed_us` is set on every result.
    //   sysctl add/replace: write if different. remove: "unchanged", never reverted
    //     (see apply_sysctl).
    //   rule/route add: create (ours already there → "unchanged"); remove: delete ours
    //     only (absent → "unchanged"); replace: remove `previous`, then add `object`.
    ActionResult apply(const Action& action) override;
    // The kernel's rules then routes carrying our tag. Throws Error when the kernel
    // cannot be asked: an empty list must mean "none", not "could not look".
    std::vector<Object> list_owned() override;
    // kernel_rule_matches / kernel_route_matches; equality for other kinds.
    bool matches(const Object& wanted, const Object& present) const override;

    // Extension points for the other kinds. A handler gets the whole action (op,
    // object, previous, command or service) and returns its result; elapsed time
    // is filled in here.
    using Handler = std::function<ActionResult(const Action&)>;
    void set_file_handler(Handler h) { file_handler_ = std::move(h); }
    void set_dns_handler(Handler h) { dns_handler_ = std::move(h); }
    void set_run_handler(Handler h) { run_handler_ = std::move(h); }
    void set_reload_handler(Handler h) { reload_handler_ = std::move(h); }

    NetlinkRoutes& netlink() { return netlink_; }
    SysctlWriter& sysctls() { return sysctls_; }

private:
    ActionResult dispatch(const Action& action);
    ActionResult apply_sysctl(const Action& action, const SysctlObject& sysctl);
    ActionResult apply_rule(const Action& action, const RuleObject& rule);
    ActionResult apply_route(const Action& action, const RouteObject& route);
    static ActionResult delegate(const Handler& handler, const char* kind, const Action& action);

    SysctlWriter sysctls_;
    NetlinkRoutes netlink_;
    Handler file_handler_;
    Handler dns_handler_;
    Handler run_handler_;
    Handler reload_handler_;
};

}  // namespace hookctl
