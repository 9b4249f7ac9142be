/* The clock of the hook benchmark: runs one program and appends its wall time,
 * from just before the process is created to just after it has been reaped, in
 * microseconds to a file. Timing from outside the measured process like this
 * counts its whole start-up and exit; timing inside the benchmark's bash would
 * also count bash's own fork, which costs more than the faster hooks measured.
 *
 *   timer OUTFILE PROGRAM [ARGS...]
 *
 * PROGRAM is a path (no PATH search), started with posix_spawn (vfork-like, so
 * the timer's own size does not matter), with this process's environment and
 * file descriptors: run it under `env -i VAR=...` to give it a daemon's
 * environment. Exit status: PROGRAM's, or 125 if it could not run or was killed.
 *
 * Built by bench/hook_bench.sh with `cc -O2 -static`. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char** environ;

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: timer OUTFILE PROGRAM [ARGS...]\n");
        return 125;
    }
    struct timespec t0, t1;
    pid_t pid;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int err = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (err != 0) {
        fprintf(stderr, "timer: cannot run %s: %s\n", argv[2], strerror(err));
        return 125;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 125;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L;
    FILE* out = fopen(argv[1], "a");
    if (out == NULL || fprintf(out, "%ld\n", us) < 0 || fclose(out) != 0) {
        fprintf(stderr, "timer: cannot append to %s\n", argv[1]);
        return 125;
    }
    if (!WIFEXITED(status)) {
        fprintf(stderr, "timer: %s killed by signal %d\n", argv[2], WTERMSIG(status));
        return 125;
    }
    return WEXITSTATUS(status);
}
