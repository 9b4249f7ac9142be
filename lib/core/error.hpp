// The one error type of hookctl. Parsers, config loading and the store throw
// hookctl::Error; the CLI catches it at the boundary and prints `hookctl: <what>`.
// Executors never throw for a failed action: they return an ActionResult, so one
// failed action does not stop the independent ones after it.
#pragma once

#include <stdexcept>
#include <string>

namespace hookctl {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A value handed to us by a daemon (argv or environment) failed validation.
// `variable` names where it came from (e.g. "new_dhcp6_ia_pd1_prefix1" or "argv[4]").
class InputError : public Error {
public:
    InputError(std::string variable, const std::string& message)
        : Error(variable + ": " + message), variable_(std::move(variable)) {}
    const std::string& variable() const { return variable_; }

private:
    std::string variable_;
};

// Renders a hostile value for an error message: printable ASCII as is, everything
// else as \xNN, cut to `max` characters with a note of the full length.
std::string escape_for_display(const std::string& value, std::size_t max = 80);

}  // namespace hookctl
