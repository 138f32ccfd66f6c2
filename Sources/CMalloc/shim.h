// glibc's allocator controls (mallopt, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD); nothing elsewhere.
#if defined(__linux__)
#include <malloc.h>
#endif
