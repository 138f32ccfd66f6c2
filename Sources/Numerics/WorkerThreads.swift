import Foundation
import Synchronization
import CCPUFeatures

/// The threads that run the parts of one piece of numeric work at the same time: the rows of
/// LayerNorm, the (batch, head) pairs of attention, the row blocks of a matrix product.
///
/// Why our own threads: OpenBLAS and Dispatch each kept threads of their own, and on a 2-core
/// machine OpenBLAS's threads spun (sched_yield) while Dispatch's ran the row loops: a quarter
/// of a training step's time went to the scheduler. Now OpenBLAS always runs one thread, on the
/// thread that calls it, and every split goes through these workers.
///
/// How a job runs: the caller publishes it and takes parts itself; each idle worker takes parts
/// too, one at a time, until none is left; the caller returns when every part has finished. Who
/// runs a part never changes what it computes, so a busy or slow worker only costs time. A worker
/// that finds no job spins for a short while (the next job of a training step is microseconds
/// away), then sleeps until one comes.
///
/// Only one job runs at a time. A job started while another runs (a matrix product inside a
/// split loop, or two tests at once) runs its parts one after another on its own thread.
final class WorkerThreads: @unchecked Sendable {
    static let shared = WorkerThreads()

    /// One job: parts 0 ..< parts of `body`, each taken exactly once.
    private final class Job: @unchecked Sendable {
        let parts: Int
        /// The caller's closure, which lives until every part has finished.
        let body: UnsafePointer<(Int) -> Void>
        let nextPart = Atomic<Int>(0)
        let finishedParts = Atomic<Int>(0)

        init(parts: Int, body: UnsafePointer<(Int) -> Void>) {
            self.parts = parts
            self.body = body
        }

        /// Takes and runs parts until none is left. A worker that comes late takes none.
        func work() {
            while true {
                let part = nextPart.wrappingAdd(1, ordering: .relaxed).oldValue
                guard part < parts else { return }
                body.pointee(part)
                finishedParts.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    /// Guards `current` and `workerCount`; sleeping workers wait on it.
    private let condition = NSCondition()
    private var current: Job?
    private var workerCount = 0
    /// Counts the jobs published; a worker compares it with the last one it saw.
    private let published = Atomic<Int>(0)
    /// Whether a caller holds the pool.
    private let inUse = Atomic<Bool>(false)
    /// How long a worker spins for a new job before it sleeps (about 0.2 ms).
    private let spinsBeforeSleeping = 4_096

    /// Runs body(0), ..., body(parts - 1), on up to `parts` threads at once (this one and
    /// parts - 1 workers). Returns when all have finished.
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { inUse.store(false, ordering: .releasing) }
        startWorkers(upTo: parts - 1)
        withoutActuallyEscaping(body) { body in
            var body = body
            withUnsafePointer(to: &body) { pointer in
                let job = Job(parts: parts, body: pointer)
                condition.lock()
                current = job
                published.wrappingAdd(1, ordering: .releasing)
                condition.broadcast()
                condition.unlock()
                job.work()
                var spins = 0
                while job.finishedParts.load(ordering: .acquiring) < parts {
                    spins += 1
                    if spins < spinsBeforeSleeping { rlhf_cpu_relax() } else { sched_yield() }
                }
                condition.lock()
                current = nil
                condition.unlock()
            }
        }
    }

    /// Starts workers until there are `count` (they are never stopped: idle ones sleep).
    private func startWorkers(upTo count: Int) {
        condition.lock()
        defer { condition.unlock() }
        while workerCount < count {
            workerCount += 1
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "rlhf worker \(workerCount)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            var spins = 0
            while published.load(ordering: .acquiring) == seen && spins < spinsBeforeSleeping {
                rlhf_cpu_relax()
                spins += 1
            }
            condition.lock()
            while published.load(ordering: .relaxed) == seen { condition.wait() }
            seen = published.load(ordering: .relaxed)
            let job = current
            condition.unlock()
            job?.work()
        }
    }
}
