// Facts about this CPU and a hint to it.
//
// Whether this CPU (and the operating system) can run AVX2 and FMA instructions: the
// VectorExp module is compiled for them, so Numerics asks before calling it.
#if defined(__x86_64__)
#include <cpuid.h>

static inline int rlhf_cpu_has_avx2_fma(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!fma || !osxsave || !avx) return 0;
    // the operating system saves the AVX registers (XCR0 bits 1 and 2)
    unsigned int xcr0, xcr0High;
    __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0High) : "c"(0));
    if ((xcr0 & 6) != 6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx >> 5) & 1;  // AVX2
}
#else
static inline int rlhf_cpu_has_avx2_fma(void) { return 0; }
#endif

// A hint to the CPU that this thread is waiting in a loop (x86 `pause`): it lets the other
// hyper-thread run and saves power while a worker waits for the next job.
static inline void rlhf_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}
