import Foundation
import Synchronization

/// How many threads the numeric core uses: matrix products, the row loops of LayerNorm, GELU
/// and cross-entropy, attention's (batch, head) pairs and AdamW's parameters are split across
/// them (`WorkerThreads`). Every split keeps each number's arithmetic as it is on one thread,
/// so the thread count changes the speed, never a result: the same seed gives the same bits
/// with 1 thread or 2.
public enum ComputeThreads {
    private static let processCount = Atomic<Int>(1)

    /// The count for the whole process; 1 until set.
    public static var count: Int {
        get { processCount.load(ordering: .relaxed) }
        set { processCount.store(Swift.max(1, newValue), ordering: .relaxed) }
    }

    /// A count for this task only, e.g. a test comparing 1 and 2 threads while other tests run
    /// with the process's count.
    @TaskLocal public static var forThisTask: Int? = nil

    /// The count a session starts with: one per core, at most 8 (the products of these model
    /// sizes gain little beyond that).
    public static var machineDefault: Int {
        Swift.min(Swift.max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)
    }

    /// The count that applies here.
    static var current: Int { forThisTask ?? count }
}

/// Splits independent work 0..<count into `ComputeThreads.current` contiguous parts and runs them
/// at once. Only for loops whose iterations do not depend on each other, e.g. the rows of
/// LayerNorm: each row's arithmetic is the same whichever thread runs it. With 1 thread, or
/// less than `minimumWork` numbers to touch in all (`workPerItem` each), `body(0..<count)`
/// simply runs here.
@inline(__always)
func forEachPart(_ count: Int, workPerItem: Int, minimumWork: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let threads = ComputeThreads.current
    guard threads > 1, count > 1, count * workPerItem >= minimumWork else {
        body(0..<count)
        return
    }
    let parts = Swift.min(threads, count)
    let partSize = (count + parts - 1) / parts
    WorkerThreads.shared.run(parts: parts) { part in
        let start = part * partSize
        if start < count { body(start..<Swift.min(count, start + partSize)) }
    }
}

/// Splits items 0..<sizes.count into `ComputeThreads.current` contiguous groups of about equal
/// total size (e.g. the parameters of a model, for AdamW) and runs the groups at once, like
/// `forEachPart`.
func forEachGroup(sizes: [Int], minimumWork: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let threads = ComputeThreads.current
    let total = sizes.reduce(0, +)
    guard threads > 1, sizes.count > 1, total >= minimumWork else {
        body(0..<sizes.count)
        return
    }
    // group g ends at the first item whose running total reaches (g + 1) / threads of the whole
    var ends: [Int] = [], runningTotal = 0
    for (index, size) in sizes.enumerated() {
        runningTotal += size
        if runningTotal * threads >= (ends.count + 1) * total { ends.append(index + 1) }
    }
    if ends.last != sizes.count { ends.append(sizes.count) }
    WorkerThreads.shared.run(parts: ends.count) { group in
        let start = group == 0 ? 0 : ends[group - 1]
        if start < ends[group] { body(start..<ends[group]) }
    }
}
