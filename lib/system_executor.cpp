// SystemExecutor: one Action → the one component that does it. Kept to dispatch:
// how a sysctl is written or a rule is sent lives in sysctl.cpp and netlink.cpp.
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
            return failed(fmt::format("replace {}: previous value is of another kind", describe(Object{object})));
        ActionResult removed = remove(*old);
        if (!removed.ok())
            return removed;
        ActionResult added = add(object);
        if (added.ok() && removed.status == ActionResult::Status::done)
            added.status = ActionResult::Status::done;
        return added;
    }
    return add(object);
}

}  // namespace

SystemExecutor::SystemExecutor(SystemExecutorOptions options)
    : sysctls_(std::move(options.proc_sys_root)), netlink_(options.route_protocol) {}

ActionResult SystemExecutor::apply(const Action& action) {
    auto start = std::chrono::steady_clock::now();
    ActionResult r = dispatch(action);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    r.elapsed_us = static_cast<std::uint32_t>(us.count());
    return r;
}

ActionResult SystemExecutor::dispatch(const Action& action) {
    switch (action.op) {
    case Action::Op::run:
        return delegate(run_handler_, "run", action);
    case Action::Op::reload:
        return delegate(reload_handler_, "reload", action);
    case Action::Op::add:
    case Action::Op::replace:
    case Action::Op::remove:
        break;
    }
    if (!action.object)
        return failed(fmt::format("{}: action without an object", to_string(action.op)));
    const Object& o = *action.object;
    if (const auto* s = std::get_if<SysctlObject>(&o))
        return apply_sysctl(action, *s);
    if (const auto* r = std::get_if<RuleObject>(&o))
        return apply_rule(action, *r);
    if (const auto* r = std::get_if<RouteObject>(&o))
        return apply_route(action, *r);
    if (std::holds_alternative<FileObject>(o))
        return delegate(file_handler_, "file", action);
    return delegate(dns_handler_, "dns", action);
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
    if (action.op == Action::Op::remove)
        return netlink_.remove_rule(rule);
    return replace(
        action, rule, [this](const RuleObject& r) { return netlink_.remove_rule(r); },
        [this](const RuleObject& r) { return netlink_.add_rule(r); });
}

ActionResult SystemExecutor::apply_route(const Action& action, const RouteObject& route) {
    if (action.op == Action::Op::remove)
        return netlink_.remove_route(route);
    return replace(
        action, route, [this](const RouteObject& r) { return netlink_.remove_route(r); },
        [this](const RouteObject& r) { return netlink_.add_route(r); });
}

ActionResult SystemExecutor::delegate(const Handler& handler, const char* kind, const Action& action) {
    if (!handler)
        return failed(fmt::format("no executor for {} in this build", kind));
    return handler(action);
}

std::vector<Object> SystemExecutor::list_owned() {
    std::vector<Object> owned;
    for (auto& r : netlink_.list_owned_rules())
        owned.emplace_back(std::move(r));
    for (auto& r : netlink_.list_owned_routes())
        owned.emplace_back(std::move(r));
    return owned;
}

bool SystemExecutor::matches(const Object& wanted, const Object& present) const {
    if (const auto* w = std::get_if<RuleObject>(&wanted))
        if (const auto* p = std::get_if<RuleObject>(&present)) return kernel_rule_matches(*w, *p);
    if (const auto* w = std::get_if<RouteObject>(&wanted))
        if (const auto* p = std::get_if<RouteObject>(&present)) return kernel_route_matches(*w, *p);
    return wanted == present;
}

}  // namespace hookctl
