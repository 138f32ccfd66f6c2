import CMalloc

/// How the C allocator keeps the memory that tensors free.
///
/// A training step makes and frees tens of MB of arrays (activations, their gradients). By
/// default glibc gives freed memory at the top of its heap back to the kernel, and serves big
/// arrays with fresh pages from mmap; the next step then gets new pages, which the kernel zeroes
/// on the first write to each 4 KiB (a page fault). Whether that happens every step depends on
/// where the last array of a step happens to lie, so the cost came and went with small changes.
///
/// `keepFreedMemory()` asks glibc to keep freed memory for reuse instead: arrays up to
/// `largestHeapArray` bytes come from the heap, and the heap is only shrunk when more than
/// `trimThreshold` bytes are free at its top. It changes where arrays live, never a number.
/// The resident memory stays at the peak of a step. A no-op where the C library is not glibc.
public enum Allocator {
    /// glibc's largest allowed M_MMAP_THRESHOLD (32 MiB on 64-bit systems).
    public static let largestHeapArray = 32 << 20
    /// Free bytes at the top of the heap before glibc returns them to the kernel.
    public static let trimThreshold = 1 << 30

    /// Call once, at the start of the program.
    public static func keepFreedMemory() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(largestHeapArray))
        _ = mallopt(M_TRIM_THRESHOLD, Int32(trimThreshold))
        #endif
    }
}
