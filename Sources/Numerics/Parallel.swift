import Foundation

/// Splits independent work 0..<count into `BLAS.threads` contiguous parts and runs them at once
/// (DispatchQueue.concurrentPerform). Only for loops whose iterations do not depend on each other,
/// e.g. the rows of LayerNorm: each row's arithmetic is the same whichever thread runs it, so no
/// number depends on the thread count. With 1 thread, or less than `minimumWork` numbers to
/// touch in all (`workPerItem` each), `body(0..<count)` simply runs here.
@inline(__always)
func forEachPart(_ count: Int, workPerItem: Int, minimumWork: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let threads = RowThreads.count ?? BLAS.threads
    guard threads > 1, count > 1, count * workPerItem >= minimumWork else {
        body(0..<count)
        return
    }
    let parts = Swift.min(threads, count)
    let partSize = (count + parts - 1) / parts
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let start = part * partSize
        if start < count { body(start..<Swift.min(count, start + partSize)) }
    }
}

/// Splits items 0..<sizes.count into `BLAS.threads` contiguous groups of about equal total size
/// (e.g. the parameters of a model, for AdamW) and runs the groups at once, like `forEachPart`.
func forEachGroup(sizes: [Int], minimumWork: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let threads = RowThreads.count ?? BLAS.threads
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
    DispatchQueue.concurrentPerform(iterations: ends.count) { group in
        let start = group == 0 ? 0 : ends[group - 1]
        if start < ends[group] { body(start..<ends[group]) }
    }
}

/// The thread count of the row loops when it should differ from `BLAS.threads`, for this task
/// only. Tests compare 1 and 2 threads with it, without touching the process-wide BLAS setting
/// that other tests running at the same time rely on.
public enum RowThreads {
    @TaskLocal public static var count: Int? = nil
}
