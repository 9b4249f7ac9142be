// SystemExecutor: one Action → the one component that does it; see system_executor.hpp.
#include "system_executor.hpp"

#include <chrono>

#include <fmt/format.h>

namespace hookctl {
namespace {

ActionResult failed(std::string message) {
    return {ActionResult::Status::failed, std::move(message), 0};
}

// replace = remove the old value, then add the new one. A failed removal stops
// there: adding while the old object may still be in place could leave both.
template <typename T, typename Remove, typename Add>
ActionResult replace(const Action& action, const T& object, Remove remove, Add add) {
    if (action.previous) {
        const T* old = std::get_if<T>(&*action.previous);
        if (!old)
            return failed(fmt::format("replace {}: previous value is of another kind",
                                      describe(Object{object})));
        ActionResult removed = remove(*old);
        if (!removed.ok()) return removed;
        ActionResult added = add(object);
        if (added.ok() && removed.status == ActionResult::Status::done)
            added.status = ActionResult::Status::done;
        return added;
    }
    return add(object);
}

}  // namespace

SystemExecutor::SystemExecutor(const SystemExecutorOptions& options, ProcessRunner& runner,
                               DnsQuerier& querier)
    : runner_(runner),
      deadline_(options.deadline),
      sysctls_(options.proc_sys_root),
      netlink_(options.route_protocol),
      files_(runner, options.deadline, options.validator_timeout_ms),
      reloads_(runner, options.deadline),
      dns_(runner, querier, options.dns) {}

ActionResult SystemExecutor::apply(const Action& action) {
    auto start = std::chrono::steady_clock::now();
    ActionResult r = dispatch(action);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    r.elapsed_us = static_cast<std::uint32_t>(us.count());
    return r;
}

ActionResult SystemExecutor::dispatch(const Action& action) {
    switch (action.op) {
    case Action::Op::run: return run_command(runner_, action.command, deadline_);
    case Action::Op::reload: return reloads_.reload(action.service);
    case Action::Op::add:
    case Action::Op::replace:
    case Action::Op::remove: break;
    }
    if (!action.object)
        return failed(fmt::format("{}: action without an object", to_string(action.op)));
    const Object& o = *action.object;
    if (const auto* s = std::get_if<SysctlObject>(&o)) return apply_sysctl(action, *s);
    if (const auto* r = std::get_if<RuleObject>(&o)) return apply_rule(action, *r);
    if (const auto* r = std::get_if<RouteObject>(&o)) return apply_route(action, *r);
    if (const auto* f = std::get_if<FileObject>(&o)) return apply_file(action, *f);
    return dns_.apply(action);
}

// Sysctls are set, never reverted: on ip-down/ipv6-down the interface (ppp0) is
// usually gone with its /proc/sys directory, and for interfaces that stay, the old
// value is not ours to restore (networkd, NetworkManager or the admin may have set
// it since). The next up event writes the desired values again.
ActionResult SystemExecutor::apply_sysctl(const Action& action, const SysctlObject& sysctl) {
    if (action.op == Action::Op::remove)
        return {ActionResult::Status::unchanged, "sysctls are not reverted", 0};
    return sysctls_.ensure(sysctl);
}

ActionResult SystemExecutor::apply_rule(const Action& action, const RuleObject& rule) {
    if (action.op == Action::Op::remove) return netlink_.remove_rule(rule);
    return replace(
        action, rule, [this](const RuleObject& r) { return netlink_.remove_rule(r); },
        [this](const RuleObject& r) { return netlink_.add_rule(r); });
}

ActionResult SystemExecutor::apply_route(const Action& action, const RouteObject& route) {
    if (action.op == Action::Op::remove) return netlink_.remove_route(route);
    return replace(
        action, route, [this](const RouteObject& r) { return netlink_.remove_route(r); },
        [this](const RouteObject& r) { return netlink_.add_route(r); });
}

ActionResult SystemExecutor::apply_file(const Action& action, const FileObject& file) {
    if (action.op == Action::Op::remove) return files_.remove(file);
    return files_.ensure(file);
}

std::vector<Object> SystemExecutor::list_owned(OwnedKinds kinds) {
    std::vector<Object> owned;
    if (kinds.rules)
        for (auto& r : netlink_.list_owned_rules()) owned.emplace_back(std::move(r));
    if (kinds.routes)
        for (auto& r : netlink_.list_owned_routes()) owned.emplace_back(std::move(r));
    return owned;
}

bool SystemExecutor::matches(const Object& wanted, const Object& present) const {
    if (const auto* w = std::get_if<RuleObject>(&wanted))
        if (const auto* p = std::get_if<RuleObject>(&present))
            return netlink::kernel_rule_matches(*w, *p);
    if (const auto* w = std::get_if<RouteObject>(&wanted))
        if (const auto* p = std::get_if<RouteObject>(&present))
            return netlink::kernel_route_matches(*w, *p);
    return wanted == present;
}

namespace {

// The real process runner and DNS querier live as long as the executor that uses them.
class OwningSystemExecutor : public Executor {
public:
    OwningSystemExecutor(const Config& config, Deadline deadline)
        : runner_(config.settings.path), system_(options(config, deadline), runner_, querier_) {}
    ActionResult apply(const Action& a) override { return system_.apply(a); }
    std::vector<Object> list_owned(OwnedKinds kinds) override { return system_.list_owned(kinds); }
    bool matches(const Object& w, const Object& p) const override { return system_.matches(w, p); }

private:
    static SystemExecutorOptions options(const Config& config, Deadline deadline) {
        SystemExecutorOptions o;
        o.route_protocol = config.settings.route_protocol;
        o.deadline = deadline;
        o.validator_timeout_ms = config.settings.command_timeout_ms;
        o.dns = dns_updater_options(config, deadline);
        return o;
    }
    SystemProcessRunner runner_;
    UdpDnsQuerier querier_;
    SystemExecutor system_;
};

}  // namespace

std::unique_ptr<Executor> make_system_executor(const Config& config, Deadline deadline) {
    return std::make_unique<OwningSystemExecutor>(config, deadline);
}

}  // namespace hookctl
