import Testing
@testable import Numerics

/// The fast LayerNorm kernels (four rows at a time, rows split across threads) against the plain
/// one-row versions beside them: the same bits, for 1 to 9 rows, channel counts that are not a
/// multiple of 4, and on 1, 2 and 3 threads.
@Suite struct LayerNormTests {
    static let shapes: [(rows: Int, channels: Int)] =
        (1...9).flatMap { rows in [1, 3, 5, 7, 13, 33].map { (rows, $0) } } + [(6, 64), (37, 1023), (130, 257)]

    /// Forward: out, xhat and rstd as `layerNormForwardReference` makes them.
    @Test func forwardMatchesReference() {
        var rng = RandomGenerator(seed: 51)
        for (rows, channels) in Self.shapes {
            let inp = randomFloats(rows * channels, &rng, scale: 2, shift: 0.5)
            let weight = randomFloats(channels, &rng), bias = randomFloats(channels, &rng)
            let reference = forward(inp, weight, bias, rows, channels, kernel: layerNormForwardReference)
            for threads in 1...3 {
                let fast = ComputeThreads.$forThisTask.withValue(threads) {
                    forward(inp, weight, bias, rows, channels, kernel: layerNormForward)
                }
                let what = "rows \(rows), channels \(channels), \(threads) threads"
                expectBitwiseEqual(fast.out, reference.out, "out, \(what)")
                expectBitwiseEqual(fast.xhat, reference.xhat, "xhat, \(what)")
                expectBitwiseEqual(fast.rstd, reference.rstd, "rstd, \(what)")
            }
        }
    }

    /// Backward: dinp (added into a non-zero start) as `layerNormBackwardReference` makes it, and
    /// dweight as a plain loop over rows makes it.
    @Test func backwardMatchesReference() {
        var rng = RandomGenerator(seed: 52)
        for (rows, channels) in Self.shapes {
            let inp = randomFloats(rows * channels, &rng, scale: 2, shift: -0.3)
            let weight = randomFloats(channels, &rng), bias = randomFloats(channels, &rng)
            let saved = forward(inp, weight, bias, rows, channels, kernel: layerNormForwardReference)
            let dout = randomFloats(rows * channels, &rng), dinpStart = randomFloats(rows * channels, &rng)
            let dweightStart = randomFloats(channels, &rng)
            func run(_ kernel: LayerNormBackward) -> [Float] {
                var dinp = dinpStart
                withPointers(dout, saved.xhat, weight, saved.rstd) { dout, xhat, weight, rstd in
                    withMutablePointers(&dinp) { dinp in kernel(dinp, dout, xhat, weight, rstd, rows, channels) }
                }
                return dinp
            }
            // dweight[c] += sum over rows of dout[r, c] * xhat[r, c], row by row
            var referenceDweight = dweightStart
            for r in 0..<rows {
                for c in 0..<channels { referenceDweight[c] += dout[r * channels + c] * saved.xhat[r * channels + c] }
            }
            let reference = run(layerNormBackwardReference)
            for threads in 1...3 {
                var dweight = dweightStart
                let dinp = ComputeThreads.$forThisTask.withValue(threads) {
                    withPointers(dout, saved.xhat) { dout, xhat in
                        withMutablePointers(&dweight) { layerNormWeightBackward($0, dout, xhat, rows: rows, channels: channels) }
                    }
                    return run(layerNormBackward)
                }
                let what = "rows \(rows), channels \(channels), \(threads) threads"
                expectBitwiseEqual(dinp, reference, "dinp, \(what)")
                expectBitwiseEqual(dweight, referenceDweight, "dweight, \(what)")
            }
        }
    }

    /// The op `layerNorm` itself (its pointers and its backward) gives the reference's output
    /// and input gradient.
    @Test func tensorOpMatchesReference() {
        var rng = RandomGenerator(seed: 53)
        for (rows, channels) in [(1, 3), (5, 7), (9, 13), (37, 1023)] {
            let x = Tensor(shape: [rows, channels], data: randomFloats(rows * channels, &rng, scale: 3, shift: 1), requiresGrad: true)
            let weight = Tensor(shape: [channels], data: randomFloats(channels, &rng), requiresGrad: true)
            let bias = Tensor(shape: [channels], data: randomFloats(channels, &rng), requiresGrad: true)
            let upstream = Tensor(shape: [rows, channels], data: randomFloats(rows * channels, &rng))
            let y = layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5)
            sum(y * upstream).backward()   // dout = upstream
            let saved = forward(x.data, weight.data, bias.data, rows, channels, kernel: layerNormForwardReference)
            var dinp = [Float](repeating: 0, count: rows * channels)
            withPointers(upstream.data, saved.xhat, weight.data, saved.rstd) { dout, xhat, w, rstd in
                withMutablePointers(&dinp) { layerNormBackwardReference($0, dout, xhat, w, rstd, rows: rows, channels: channels) }
            }
            expectBitwiseEqual(y.data, saved.out, "layerNorm output, rows \(rows), channels \(channels)")
            expectBitwiseEqual(x.grad!, dinp, "layerNorm dx, rows \(rows), channels \(channels)")
        }
    }

    typealias LayerNormForward = (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                  UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int, Int, Float) -> Void
    typealias LayerNormBackward = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                                   UnsafePointer<Float>, UnsafePointer<Float>, Int, Int) -> Void

    func forward(_ inp: [Float], _ weight: [Float], _ bias: [Float], _ rows: Int, _ channels: Int,
                 kernel: LayerNormForward) -> (out: [Float], xhat: [Float], rstd: [Float]) {
        uninitializedFloats(rows * channels, rows * channels, rows) { out, xhat, rstd in
            withPointers(inp, weight, bias) { inp, weight, bias in
                kernel(out, xhat, rstd, inp, weight, bias, rows, channels, 1e-5)
            }
        }
    }
}

/// `count` numbers from N(shift, scale^2), from our seeded generator.
func randomFloats(_ count: Int, _ rng: inout RandomGenerator, scale: Float = 1, shift: Float = 0) -> [Float] {
    (0..<count).map { _ in rng.nextNormal() * scale + shift }
}

/// The same bits in every element; on failure, how many differ and the largest difference.
func expectBitwiseEqual(_ actual: [Float], _ expected: [Float], _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) numbers, expected \(expected.count)",
            sourceLocation: sourceLocation)
    let differing = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }
    let largest = differing.map { Swift.abs($0 - $1) }.max() ?? 0
    #expect(differing.isEmpty, "\(what): \(differing.count) of \(expected.count) differ, largest difference \(largest)",
            sourceLocation: sourceLocation)
}
