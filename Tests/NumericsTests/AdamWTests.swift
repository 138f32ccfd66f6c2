import Foundation
import Testing
@testable import Numerics

/// AdamW's fast update (four elements at a time, parameters split across threads) against the
/// plain one-element loop beside it: the same bits, for odd sizes and on 1, 2 and 3 threads.
@Suite struct AdamWTests {
    /// `adamWUpdate` on 0 to 9 elements and a few more gives what `adamWUpdateReference` gives.
    @Test func updateMatchesReference() {
        var rng = RandomGenerator(seed: 61)
        let settings = AdamWStepSettings(learningRate: 1e-2, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                         correction1: 1 - Foundation.pow(Float(0.9), 3), correction2: 1 - Foundation.pow(Float(0.999), 3))
        for count in Array(0...9) + [13, 31, 1027] {
            let w = randomFloats(count, &rng), g = randomFloats(count, &rng)
            let m = randomFloats(count, &rng, scale: 0.1), v = randomFloats(count, &rng, scale: 0.01).map { $0 * $0 }
            func run(_ update: AdamWUpdate) -> [[Float]] {
                var (w, m, v, change) = (w, m, v, [Float](repeating: 0, count: count))
                withPointers(g) { g in
                    withMutablePointers(&w, &m, &v, &change) { w, m, v, change in update(w, g, m, v, change, count, settings) }
                }
                return [w, m, v, change]
            }
            let fast = run(adamWUpdate), reference = run(adamWUpdateReference)
            for (index, name) in ["w", "m", "v", "update"].enumerated() {
                expectBitwiseEqual(fast[index], reference[index], "\(name), \(count) elements")
            }
        }
    }

    /// Three steps of `AdamW` on parameters of odd sizes (one without a gradient), on 1, 2 and 3
    /// threads: weights, moments, updates and the reported norms are those of the plain loop.
    @Test func stepMatchesReference() {
        let sizes = [1, 2, 3, 4, 5, 7, 9, 13, 4099, 40_001, 6]   // 44,150 numbers: split across threads
        let withoutGradient = 10
        let (lr, decay, b1, b2, eps): (Float, Float, Float, Float, Float) = (1e-2, 0.1, 0.9, 0.999, 1e-8)
        var rng = RandomGenerator(seed: 62)
        let initial = sizes.map { randomFloats($0, &rng) }
        let gradients = (0..<3).map { _ in sizes.map { randomFloats($0, &rng) } }

        // the reference: every parameter one element at a time, on one thread
        var w = initial, m = sizes.map { [Float](repeating: 0, count: $0) }, v = m, update = m
        var referenceNorms: [[(gradient: Double, update: Double, weight: Double)]] = []
        for (step, stepGradients) in gradients.enumerated() {
            let t = Float(step + 1)
            let settings = AdamWStepSettings(learningRate: lr, weightDecay: decay, beta1: b1, beta2: b2, epsilon: eps,
                                             correction1: 1 - Foundation.pow(b1, t), correction2: 1 - Foundation.pow(b2, t))
            var norms: [(gradient: Double, update: Double, weight: Double)] = []
            for i in sizes.indices {
                let weightNorm = l2Norm(w[i])
                guard i != withoutGradient else {
                    norms.append((0, 0, weightNorm))
                    continue
                }
                withPointers(stepGradients[i]) { g in
                    withMutablePointers(&w[i], &m[i], &v[i], &update[i]) { w, m, v, update in
                        adamWUpdateReference(w, g, m, v, update, count: sizes[i], settings)
                    }
                }
                norms.append((l2Norm(stepGradients[i]), l2Norm(update[i]), weightNorm))
            }
            referenceNorms.append(norms)
        }

        for threads in 1...3 {
            ComputeThreads.$forThisTask.withValue(threads) {
                let parameters = initial.map { Tensor(shape: [$0.count], data: $0, requiresGrad: true) }
                let adam = AdamW(parameters: parameters, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: decay)
                var reports: [[ParameterUpdate]] = []
                for stepGradients in gradients {
                    for (i, p) in parameters.enumerated() where i != withoutGradient {
                        p.zeroGrad()
                        p.accumulateGrad { grad in for j in 0..<p.count { grad[j] = stepGradients[i][j] } }
                    }
                    reports.append(adam.step())
                }
                for i in sizes.indices {
                    let what = "parameter \(i) (\(sizes[i]) numbers), \(threads) threads"
                    let offset = sizes[..<i].reduce(0, +)
                    expectBitwiseEqual(parameters[i].data, w[i], "weights, \(what)")
                    expectBitwiseEqual(Array(adam.state.first[offset..<(offset + sizes[i])]), m[i], "m, \(what)")
                    expectBitwiseEqual(Array(adam.state.second[offset..<(offset + sizes[i])]), v[i], "v, \(what)")
                    expectBitwiseEqual(adam.lastUpdates[i], i == withoutGradient ? [Float](repeating: 0, count: sizes[i]) : update[i],
                                       "last update, \(what)")
                    for step in 0..<3 {
                        let (report, norms) = (reports[step][i], referenceNorms[step][i])
                        #expect(report.gradientNorm == norms.gradient && report.updateNorm == norms.update
                                && report.weightNorm == norms.weight, "norms at step \(step + 1), \(what)")
                    }
                }
            }
        }
    }

    typealias AdamWUpdate = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, AdamWStepSettings) -> Void
}
