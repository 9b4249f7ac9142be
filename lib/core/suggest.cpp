// Edit distance and the did-you-mean wording; see suggest.hpp.
#include "suggest.hpp"

#include <algorithm>

namespace hookctl {

namespace {

// Levenshtein distance with one row.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        // d < the longer length: never "suggest" a word that shares nothing.
        if (d < best_distance && d < std::max(word.size(), c.size())) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string otherwise) {
    const std::string near = nearest(word, candidates);
    return near.empty() ? std::move(otherwise) : "did you mean '" + near + "'?";
}

std::string with_hint(const std::string& message, const std::string& hint) {
    return hint.empty() ? message : message + "\n  hint: " + hint;
}

}  // namespace hookctl
