#!/usr/bin/env python3
"""Checks what the include paths cannot: which third-party headers each layer of
lib/ may include. The build already refuses a project header from a layer above
(each layer's static library sees only the include directories of the layers
below it); a system header like <toml++/toml.h> is always on the path, so a pure
layer could still pull in a library it must not depend on. Run from anywhere;
prints one line per violation and exits 1 if there is any."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Third-party include prefixes and the only layers (or top folders) allowed to use them.
ALLOWED = {
    "toml++/": {"lib/config"},  # through lib/config/toml.hpp
    "nlohmann/": {"lib/state", "lib/engine", "lib/doctor", "cli", "tests"},
    "boost/process": {"lib/system"},
    "boost/program_options": {"cli"},
    "catch2/": {"tests"},
    "libmnl/": set(),  # not used: netlink messages are lib/system/netlink_codec's own
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_of(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).parts
    return "/".join(rel[:2]) if rel[0] == "lib" else rel[0]


def main() -> int:
    problems = []
    for path in sorted(list(ROOT.glob("lib/**/*.[ch]pp")) + list(ROOT.glob("cli/*.[ch]pp"))):
        layer = layer_of(path)
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            header = m.group(1)
            for prefix, layers in ALLOWED.items():
                if header.startswith(prefix) and layer not in layers:
                    allowed = ", ".join(sorted(layers)) or "no layer"
                    problems.append(f"{path.relative_to(ROOT)}:{number}: <{header}> is for {allowed}, not {layer}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
