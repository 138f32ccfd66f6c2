import Jupyter
import Lab
import Numerics

Allocator.keepFreedMemory()   // reuse freed arrays instead of page-faulting fresh ones every step
FuzzHarness.register(.wireMessage)   // the Jupyter kernel's parser joins `rlhf fuzz` (Lab cannot import Jupyter)
RLHF.main()
