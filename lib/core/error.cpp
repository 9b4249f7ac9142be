// escape_for_display(): how a hostile value appears inside an error message.
// Values come from daemons and may hold newlines, escape sequences or megabytes;
// the message must stay one short, unambiguous line whatever they contain.
#include "error.hpp"

#include <fmt/format.h>

namespace hookctl {

std::string escape_for_display(const std::string& value, std::size_t max) {
    std::string out;
    const std::size_t shown = value.size() < max ? value.size() : max;
    out.reserve(shown + 16);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        // Backslash and quote are escaped too: callers wrap the result in quotes,
        // and a literal "\x0a" in the value must not read like an escaped newline.
        if (c == '\\' || c == '"') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    if (shown < value.size()) out += fmt::format("... ({} bytes)", value.size());
    return out;
}

}  // namespace hookctl
