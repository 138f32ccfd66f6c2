import Testing
import Foundation
import Synchronization
@testable import Numerics

/// Matrix products split across threads give the bits of one OpenBLAS call on one thread.
@Suite struct BLASTests {
    /// C = alpha op(A) op(B) + beta C through BLAS.sgemm at a given thread count.
    func product(threads: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                 beta: Float, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        let a = (0..<(m * k)).map { _ in rng.nextNormal() }, b = (0..<(k * n)).map { _ in rng.nextNormal() }
        var c = (0..<(m * n)).map { _ in rng.nextNormal() }
        ComputeThreads.$forThisTask.withValue(threads) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75,
                                   a: pa.baseAddress!, b: pb.baseAddress!, beta: beta, c: pc.baseAddress!)
                    }
                }
            }
        }
        return c
    }

    /// The shapes of the benchmark configs' products (forward and both backward products) and odd ones.
    @Test(arguments: [(2048, 384, 128), (2048, 128, 512), (128, 512, 2048), (1024, 64, 256), (64, 256, 1024),
                      (2048, 1024, 128), (1024, 4096, 256), (333, 517, 129), (37, 900, 1000), (900, 37, 1000),
                      (100, 100, 100), (16, 16, 16)])
    func splitProductsGiveTheBitsOfOneThread(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            for beta: Float in [0, 1] {
                let seed = UInt64(m * 31 + n * 7 + k)
                let one = product(threads: 1, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, beta: beta, seed: seed)
                for threads in [2, 3] {
                    let many = product(threads: threads, transposeA: transposeA, transposeB: transposeB,
                                       m: m, n: n, k: k, beta: beta, seed: seed)
                    let differing = zip(one, many).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(m)x\(n)x\(k) transposeA \(transposeA) transposeB \(transposeB) beta \(beta), \(threads) threads: \(differing) numbers differ")
                }
            }
        }
    }

    /// OpenBLAS runs one thread, also after the benchmark's product on its own threads.
    @Test func openBLASStaysOnOneThread() {
        let a = [Float](repeating: 1, count: 64 * 64), b = [Float](repeating: 2, count: 64 * 64)
        var c = [Float](repeating: 0, count: 64 * 64)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemmOnOpenBLASThreads(2, m: 64, n: 64, k: 64, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                }
            }
        }
        #expect(c.allSatisfy { $0 == 128 })
        #expect(BLAS.openBLASThreads == 1)
    }

    @Test func productsAreSplitIntoAlignedBlocksAboveOpenBLASSmallKernels() {
        // 2048 rows of C: two blocks of 1024 rows
        let rows = ProductSplit(m: 2048, n: 384, k: 128, threads: 2)
        #expect(rows.parts == 2 && rows.alongRows && rows.block(0) == 0..<1024 && rows.block(1) == 1024..<2048)
        // dW = x^T dy: C is [128, 512], its columns are the longer side
        let columns = ProductSplit(m: 128, n: 512, k: 2048, threads: 2)
        #expect(columns.parts == 2 && !columns.alongRows && columns.block(1) == 256..<512)
        // blocks start at multiples of 16: 333 rows are 176 + 157
        let odd = ProductSplit(m: 333, n: 517, k: 129, threads: 2)
        #expect(odd.parts == 2 && !odd.alongRows && odd.block(0) == 0..<272 && odd.block(1) == 272..<517)
        // every block has more than 100^3 multiply-adds, or there is no split
        for (m, n, k) in [(100, 100, 100), (128, 128, 64), (64, 32, 900), (16, 16, 16)] {
            #expect(ProductSplit(m: m, n: n, k: k, threads: 2).parts == 1, "\(m)x\(n)x\(k)")
        }
        #expect(ProductSplit(m: 4096, n: 256, k: 256, threads: 1).parts == 1)
        // 8 threads on a product that fits only 3 blocks of more than 100^3
        let three = ProductSplit(m: 512, n: 64, k: 100, threads: 8)
        #expect(three.parts == 3)
        for part in 0..<three.parts {
            #expect(three.block(part).lowerBound % 16 == 0)
            #expect(three.block(part).count * 64 * 100 > 1_000_000)
        }
    }
}

/// The worker threads run every part exactly once, and fall back to one thread when busy.
@Suite struct WorkerThreadsTests {
    @Test func everyPartRunsOnce() {
        for parts in [1, 2, 3, 7] {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
            counts.initialize(repeating: 0)
            defer { counts.deallocate() }
            for _ in 0..<200 { WorkerThreads.shared.run(parts: parts) { counts[$0] += 1 } }
            #expect(Array(counts) == [Int](repeating: 200, count: parts))
        }
    }

    @Test func aJobInsideAJobRunsItsPartsOnItsOwnThread() {
        let cells = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 5)
        cells.initialize(repeating: 0)
        defer { cells.deallocate() }
        WorkerThreads.shared.run(parts: 4) { outer in
            WorkerThreads.shared.run(parts: 5) { inner in cells[outer * 5 + inner] += outer * 10 + inner }
        }
        #expect(Array(cells) == (0..<4).flatMap { outer in (0..<5).map { outer * 10 + $0 } })
    }

    @Test func jobsFromManyThreadsAtOnceAllComplete() async {
        let totals = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 3)
                    sums.initialize(repeating: 0)
                    defer { sums.deallocate() }
                    for round in 0..<100 { WorkerThreads.shared.run(parts: 3) { sums[$0] += task + round } }
                    return sums.reduce(0, +)
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals.sorted() == (0..<8).map { 3 * (100 * $0 + 4950) })
    }

    /// Parts really run on two threads at once: each waits until the other has started.
    @Test func twoPartsRunAtTheSameTime() {
        final class Flags: @unchecked Sendable { let started = Atomic<Int>(0) }   // bit p: part p has started
        // another test may hold the pool (its parts then run one after another): try again
        var overlapped = false
        for _ in 0..<50 where !overlapped {
            let flags = Flags()
            let waitLimit = Date().addingTimeInterval(0.2)
            var sawOther = [false, false]
            sawOther.withUnsafeMutableBufferPointer { saw in
                WorkerThreads.shared.run(parts: 2) { part in
                    flags.started.bitwiseOr(1 << part, ordering: .sequentiallyConsistent)
                    while Date() < waitLimit {
                        if flags.started.load(ordering: .sequentiallyConsistent) & (1 << (1 - part)) != 0 { saw[part] = true; break }
                    }
                }
            }
            overlapped = sawOther == [true, true]
        }
        #expect(overlapped)
    }
}
