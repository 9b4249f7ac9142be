// toml++'s compiled part, built once here rather than in every file that includes
// <toml++/toml.h> (header-only mode); see meson.build (TOML_HEADER_ONLY=0).
#define TOML_IMPLEMENTATION
#include "toml.hpp"
