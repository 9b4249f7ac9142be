// "Did you mean" for every unknown name hookctl reports (config keys and values,
// owners, fields, commands, pppd scripts, tables): one distance, one wording.
// Errors carry the result as their hint, printed on its own line as
//   hookctl: <file:line:col or command>: unknown ... 'restrat'
//     hint: did you mean 'restart'?
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hookctl {

// The candidate nearest to `word` by edit distance, if it is near enough to be a
// typo (at most max(2, |word|/3) edits and not a full rewrite); else empty.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// "did you mean 'X'?" for nearest(word, candidates), or `otherwise` when there is
// no near candidate.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string otherwise = "");

// The text of an error with its hint, as every hookctl error prints: the message,
// then "\n  hint: " and the hint when there is one.
std::string with_hint(const std::string& message, const std::string& hint);

}  // namespace hookctl
