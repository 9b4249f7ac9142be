/* The least a process costs on this machine: no C library, no start-up code, one
 * exit_group(0). bench/hook_bench.sh times it beside the static floor (glibc's
 * start-up and exit, nothing else) and hookctl started and exited at main, to show
 * what process start costs before any program's own code runs.
 *
 * Built by bench/hook_bench.sh with `cc -O2 -static -nostdlib`. x86-64 only. */
void _start(void) {
    __asm__ volatile("mov $231, %eax\n\txor %edi, %edi\n\tsyscall");
}
