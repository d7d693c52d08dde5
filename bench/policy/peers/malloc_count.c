// Counts heap allocations (malloc, calloc, posix_memalign, aligned_alloc) of a process and prints
// the total at exit. Used to check that policy decisions do not allocate:
//   gcc -shared -fPIC -O2 -o /tmp/malloc_count.so bench/policy/peers/malloc_count.c
//   LD_PRELOAD=/tmp/malloc_count.so .build/release/policy-bench --no-trace --case denied-tool
// (run with and without --quick; the difference divided by the extra decisions is per decision).
#include <stdlib.h>
#include <stdio.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_memalign(size_t, size_t);
static unsigned long count;
void *malloc(size_t n) { __atomic_add_fetch(&count, 1, 0); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { __atomic_add_fetch(&count, 1, 0); return __libc_calloc(a, b); }
int posix_memalign(void **p, size_t a, size_t n) { __atomic_add_fetch(&count, 1, 0); *p = __libc_memalign(a, n); return *p ? 0 : 12; }
void *aligned_alloc(size_t a, size_t n) { __atomic_add_fetch(&count, 1, 0); return __libc_memalign(a, n); }
__attribute__((destructor)) static void done(void) { fprintf(stderr, "mallocs %lu\n", count); }
