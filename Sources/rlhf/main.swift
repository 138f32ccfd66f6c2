import Numerics

Allocator.keepFreedMemory()   // reuse freed arrays instead of page-faulting fresh ones every step
RLHF.main()
