// fmt's compiled part, built once here. Debian ships fmt compiled only as a shared
// library (a dynamic load on every hook run), and fmt's header-only mode compiles
// this part into every file of the project instead (most of a fresh build's time).
// format-inl.h defines fmt's non-template functions; the explicit instantiations
// below are the ones format.h declares `extern template` without FMT_HEADER_ONLY.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
template FMT_API auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
}  // namespace detail
FMT_END_NAMESPACE
