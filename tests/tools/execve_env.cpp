// execve_env: runs a program with exactly the environment entries given, in order,
// duplicates included, which env(1) cannot do (it keeps one value per name). For
// the hostile-input tests: a daemon's environment is any list of strings.
//   execve_env [-e NAME=VALUE]... -- PROGRAM ARGS...
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

int main(int argc, char** argv) {
    std::vector<char*> env;
    int i = 1;
    for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
        if (std::strcmp(argv[i], "-e") == 0 && i + 1 < argc) env.push_back(argv[++i]);
    }
    if (i + 1 >= argc) {
        std::fprintf(stderr, "usage: execve_env [-e NAME=VALUE]... -- PROGRAM ARGS...\n");
        return 2;
    }
    env.push_back(nullptr);
    ::execve(argv[i + 1], argv + i + 1, env.data());
    std::perror(argv[i + 1]);
    return 127;
}
