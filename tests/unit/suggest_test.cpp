// Did-you-mean: which names are near enough to suggest, and the one wording.
#include "suggest.hpp"

#include <catch2/catch.hpp>

using namespace hookctl;

TEST_CASE("nearest suggests typos, not rewrites", "[suggest]") {
    CHECK(nearest("restrat", {"reload", "restart", "try-restart"}) == "restart");
    CHECK(nearest("interfac", {"interface", "token"}) == "interface");
    CHECK(nearest("prefx", {"prefix", "address"}) == "prefix");
    CHECK(nearest("on", {"to"}) == "");
    CHECK(nearest("zzzzzz", {"interface", "token"}) == "");
    CHECK(nearest("anything", {}) == "");
}

TEST_CASE("did_you_mean and with_hint give every error the same shape", "[suggest]") {
    CHECK(did_you_mean("stauts", {"status", "events"}) == "did you mean 'status'?");
    CHECK(did_you_mean("frobnicate", {"status", "events"}, "see --help") == "see --help");
    CHECK(did_you_mean("frobnicate", {"status"}) == "");
    CHECK(with_hint("unknown command 'x'", "") == "unknown command 'x'");
    CHECK(with_hint("unknown command 'x'", "see --help") ==
          "unknown command 'x'\n  hint: see --help");
}
