// std::visit with one lambda per alternative: overloaded{[](const A&) {...}, ...}.
#pragma once

namespace hookctl {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace hookctl
