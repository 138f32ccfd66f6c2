import Testing
import Numerics
import Foundation

/// One finite-difference gradient check per differentiable op, on random shapes.
/// Tolerance: max relative error below 2e-2, with h = 1e-2 in float32 forward passes
/// (float32 rounding of the forward pass alone gives errors of order 1e-3).
let gradientTolerance = 2e-2

func randomTensor(_ shape: [Int], _ rng: inout RandomGenerator, scale: Float = 1) -> Tensor {
    Tensor.randomNormal(shape, std: scale, rng: &rng)
}

func expectGradientsMatch(_ result: GradientCheckResult, _ op: String) {
    #expect(result.maxRelativeError < gradientTolerance, "\(op): \(result)")
    #expect(result.checkedElements > 0)
}

@Suite struct GradientChecks {
    @Test func elementwiseOps() {
        var rng = RandomGenerator(seed: 11)
        let rows = 2 + rng.nextInt(below: 3), cols = 2 + rng.nextInt(below: 4)
        let a = randomTensor([rows, cols], &rng), b = randomTensor([rows, cols], &rng)
        expectGradientsMatch(checkGradients(of: { add(a, b) }, inputs: [a, b]), "add")
        expectGradientsMatch(checkGradients(of: { subtract(a, b) }, inputs: [a, b]), "subtract")
        expectGradientsMatch(checkGradients(of: { multiply(a, b) }, inputs: [a, b]), "multiply")
        expectGradientsMatch(checkGradients(of: { scale(a, by: -1.7) }, inputs: [a]), "scale")
        expectGradientsMatch(checkGradients(of: { exponential(a) }, inputs: [a]), "exp")
        expectGradientsMatch(checkGradients(of: { square(a) }, inputs: [a]), "square")
        expectGradientsMatch(checkGradients(of: { logSigmoid(scale(a, by: 4)) }, inputs: [a]), "logSigmoid")
        let positive = Tensor(shape: a.shape, data: a.data.map { abs($0) + 0.5 })
        expectGradientsMatch(checkGradients(of: { logarithm(positive) }, inputs: [positive]), "log")
    }

    @Test func minimumMaximumClamp() {
        // values kept away from the kinks, where the derivative jumps
        let a = Tensor(shape: [2, 3], data: [0.1, -0.9, 1.5, 2.2, -0.3, 0.7])
        let b = Tensor(shape: [2, 3], data: [0.6, -0.2, 0.4, 1.1, -1.3, 1.9])
        expectGradientsMatch(checkGradients(of: { minimum(a, b) }, inputs: [a, b]), "minimum")
        expectGradientsMatch(checkGradients(of: { maximum(a, b) }, inputs: [a, b]), "maximum")
        expectGradientsMatch(checkGradients(of: { clamp(a, min: -0.5, max: 0.8) }, inputs: [a]), "clamp")
    }

    @Test func reductionsAndReshapes() {
        var rng = RandomGenerator(seed: 12)
        let x = randomTensor([3, 5], &rng)
        expectGradientsMatch(checkGradients(of: { sum(x) }, inputs: [x]), "sum")
        expectGradientsMatch(checkGradients(of: { mean(x) }, inputs: [x]), "mean")
        expectGradientsMatch(checkGradients(of: { sumRows(x) }, inputs: [x]), "sumRows")
        expectGradientsMatch(checkGradients(of: { reshape(x, [5, 3]) }, inputs: [x]), "reshape")
        expectGradientsMatch(checkGradients(of: { selectRows(x, [2, 0, 2]) }, inputs: [x]), "selectRows")
        expectGradientsMatch(checkGradients(of: { placeRows(x, at: [4, 0, 2], count: 6) }, inputs: [x]), "placeRows")
    }

    @Test func matmulAndLinear() {
        var rng = RandomGenerator(seed: 13)
        let m = 2 + rng.nextInt(below: 4), k = 2 + rng.nextInt(below: 4), n = 2 + rng.nextInt(below: 4)
        let a = randomTensor([m, k], &rng), b = randomTensor([k, n], &rng), bt = randomTensor([n, k], &rng)
        expectGradientsMatch(checkGradients(of: { matmul(a, b) }, inputs: [a, b]), "matmul")
        expectGradientsMatch(checkGradients(of: { matmul(a, bt, transposeB: true) }, inputs: [a, bt]), "matmul^T")
        let bias = randomTensor([n], &rng)
        expectGradientsMatch(checkGradients(of: { linear(a, b, bias) }, inputs: [a, b, bias]), "linear")
    }

    @Test func geluSoftmaxLogSoftmax() {
        var rng = RandomGenerator(seed: 14)
        let x = randomTensor([3, 6], &rng, scale: 2)
        expectGradientsMatch(checkGradients(of: { gelu(x) }, inputs: [x]), "gelu")
        expectGradientsMatch(checkGradients(of: { softmax(x) }, inputs: [x]), "softmax")
        expectGradientsMatch(checkGradients(of: { logSoftmax(x) }, inputs: [x]), "logSoftmax")
    }

    /// LayerNorm takes its rows' statistics four at a time; any row count gives the same bits as
    /// the formula one row at a time, and the same gradients.
    @Test(arguments: [1, 3, 4, 5, 7, 9])
    func layerNormRowsInGroupsOfFour(rows: Int) {
        var rng = RandomGenerator(seed: 16)
        let x = randomTensor([rows, 8], &rng, scale: 2)
        let weight = randomTensor([8], &rng), bias = randomTensor([8], &rng)
        let y = layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5).data
        for r in 0..<rows {
            let row = Array(x.data[(r * 8)..<(r * 8 + 8)])
            var mean: Float = 0
            for v in row { mean += v }
            mean /= 8
            var variance: Float = 0
            for v in row { variance += (v - mean) * (v - mean) }
            variance /= 8
            let rstd = 1 / (variance + 1e-5).squareRoot()
            let expected = (0..<8).map { (row[$0] - mean) * rstd * weight.data[$0] + bias.data[$0] }
            #expect(Array(y[(r * 8)..<(r * 8 + 8)]).map(\.bitPattern) == expected.map(\.bitPattern), "row \(r) of \(rows)")
        }
        let result = checkGradients(of: { layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5) },
                                    inputs: [x, weight, bias])
        expectGradientsMatch(result, "layerNorm, \(rows) rows")
    }

    @Test func layerNormAllInputs() {
        var rng = RandomGenerator(seed: 15)
        let x = randomTensor([4, 8], &rng, scale: 2)
        let weight = randomTensor([8], &rng), bias = randomTensor([8], &rng)
        let result = checkGradients(of: { layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5) },
                                    inputs: [x, weight, bias])
        expectGradientsMatch(result, "layerNorm")
    }

    @Test func embeddingGather() {
        var rng = RandomGenerator(seed: 16)
        let table = randomTensor([7, 4], &rng)
        expectGradientsMatch(checkGradients(of: { embedding([3, 0, 3, 6], table) }, inputs: [table]), "embedding")
    }

    @Test func causalAttention() {
        var rng = RandomGenerator(seed: 17)
        let (batch, time, channels, heads) = (2, 5, 8, 2)
        let qkv = randomTensor([batch * time, 3 * channels], &rng)
        let result = checkGradients(of: { causalSelfAttention(qkv, batch: batch, time: time, heads: heads) },
                                    inputs: [qkv])
        expectGradientsMatch(result, "attention")
    }

    @Test func causalAttentionAtRows() {
        var rng = RandomGenerator(seed: 19)
        let (batch, time, channels, heads) = (2, 5, 8, 2)
        let qkv = randomTensor([batch * time, 3 * channels], &rng)
        let result = checkGradients(of: { causalSelfAttention(qkv, batch: batch, time: time, heads: heads, atRows: [0, 3, 4, 7, 9]) },
                                    inputs: [qkv])
        expectGradientsMatch(result, "attention at rows")
    }

    @Test func crossEntropyWithMaskAndLogProbGather() {
        var rng = RandomGenerator(seed: 18)
        let logits = randomTensor([5, 6], &rng, scale: 2)
        let targets: [Int32] = [1, 5, 0, 2, 2]
        let mask: [Float] = [0, 1, 1, 0, 1]
        expectGradientsMatch(checkGradients(of: { crossEntropy(logits, targets: targets, mask: mask) },
                                            inputs: [logits]), "crossEntropy")
        expectGradientsMatch(checkGradients(of: { gatherLogProbabilities(logits, ids: targets) },
                                            inputs: [logits]), "gatherLogProbabilities")
        // only the needed rows: the same numbers there, and the same gradient through a mask
        let needed = mask.map { $0 != 0 }
        let full = gatherLogProbabilities(logits, ids: targets).data
        let some = gatherLogProbabilities(logits, ids: targets, needed: needed).data
        for r in 0..<5 { #expect(needed[r] ? some[r].bitPattern == full[r].bitPattern : some[r] == 0) }
        let maskTensor = Tensor(shape: [5], data: mask)
        expectGradientsMatch(checkGradients(of: { gatherLogProbabilities(logits, ids: targets, needed: needed) * maskTensor },
                                            inputs: [logits]), "gatherLogProbabilities(needed:)")
    }
}

@Suite struct KnownValues {
    @Test func crossEntropyOfUniformLogitsIsLogV() {
        let logits = Tensor.zeros([3, 8])
        let loss = crossEntropy(logits, targets: [1, 2, 3])
        #expect(abs(loss.item - Float(Foundation.log(8.0))) < 1e-6)
    }

    @Test func maskedTokensDoNotCount() {
        var rng = RandomGenerator(seed: 3)
        let logits = randomTensor([4, 5], &rng)
        let a = crossEntropy(logits, targets: [0, 1, 2, 3], mask: [0, 0, 1, 1]).item
        let b = crossEntropy(logits, targets: [4, 4, 2, 3], mask: [0, 0, 1, 1]).item
        #expect(a == b)
    }

    @Test func logSigmoidIsStableAtExtremes() {
        #expect(stableLogSigmoid(-200) == -200)
        #expect(stableLogSigmoid(200) == 0)
        #expect(abs(stableLogSigmoid(0) - -Float(Foundation.log(2.0))) < 1e-7)
    }

    @Test func tiedWeightsReceiveBothGradients() {
        // y = sum(E[ids] . E^T): the table is used twice, its gradient is the sum of both uses
        var rng = RandomGenerator(seed: 4)
        let table = randomTensor([5, 3], &rng)
        let result = checkGradients(of: { matmul(embedding([1, 4], table), table, transposeB: true) },
                                    inputs: [table])
        expectGradientsMatch(result, "tied embedding")
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
        let y = withoutGradients { square(x) }
        #expect(!y.requiresGrad)
        #expect(GradMode.isEnabled)
    }
}

/// The row loops (LayerNorm, GELU, cross-entropy) split across threads give the same bits as
/// one thread: each row's arithmetic does not depend on which thread runs it.
@Suite struct RowThreadTests {
    func forwardAndBackward(threads: Int) -> [[Float]] {
        ComputeThreads.$forThisTask.withValue(threads) {
            var rng = RandomGenerator(seed: 41)
            let x = randomTensor([96, 512], &rng, scale: 2)
            let weight = randomTensor([512], &rng, scale: 1), bias = randomTensor([512], &rng, scale: 1)
            for tensor in [x, weight, bias] { tensor.requiresGrad = true }
            let targets = (0..<96).map { Int32($0 * 5 % 512) }
            let mask: [Float] = (0..<96).map { $0 % 3 == 0 ? 0 : 1 }
            let loss = crossEntropy(gelu(layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5)), targets: targets, mask: mask)
            loss.backward()
            return [loss.data, x.grad!, weight.grad!, bias.grad!]
        }
    }

    @Test func twoThreadsGiveTheSameBitsAsOne() {
        let one = forwardAndBackward(threads: 1), two = forwardAndBackward(threads: 2)
        for (a, b) in zip(one, two) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern)) }
    }

    /// Attention splits its (batch, head) pairs across threads the same way.
    func attention(threads: Int) -> [[Float]] {
        ComputeThreads.$forThisTask.withValue(threads) {
            var rng = RandomGenerator(seed: 42)
            let qkv = randomTensor([3 * 40, 3 * 48], &rng, scale: 1)
            qkv.requiresGrad = true
            let out = causalSelfAttention(qkv, batch: 3, time: 40, heads: 4)
            let weights = randomTensor([3 * 40, 48], &rng, scale: 1)
            sum(out * weights).backward()
            return [out.data, qkv.grad!]
        }
    }

    /// AdamW updates groups of parameters on separate threads.
    func adamSteps(threads: Int) -> (weights: [[Float]], updates: [[Float]], norms: [Double]) {
        ComputeThreads.$forThisTask.withValue(threads) {
            var rng = RandomGenerator(seed: 43)
            let parameters = [[300, 64], [64], [64, 256], [256], [7]].map { shape -> Tensor in
                let p = randomTensor(shape, &rng, scale: 1)
                p.requiresGrad = true
                return p
            }
            let adam = AdamW(parameters: parameters, learningRate: 1e-2)
            var norms: [Double] = []
            for _ in 0..<3 {
                adam.zeroGradients()
                for p in parameters { p.accumulateGrad { g in for i in 0..<p.count { g[i] = rng.nextNormal() } } }
                norms += adam.step().flatMap { [$0.gradientNorm, $0.updateNorm, $0.weightNorm] }
            }
            return (parameters.map(\.data), adam.lastUpdates, norms)
        }
    }

    @Test func adamWGivesTheSameBitsOnTwoThreads() {
        let one = adamSteps(threads: 1), two = adamSteps(threads: 2)
        #expect(one.weights.map { $0.map(\.bitPattern) } == two.weights.map { $0.map(\.bitPattern) })
        #expect(one.updates.map { $0.map(\.bitPattern) } == two.updates.map { $0.map(\.bitPattern) })
        #expect(one.norms == two.norms)
        #expect(one.updates.map(\.count) == [300 * 64, 64, 64 * 256, 256, 7])
    }

    @Test func attentionGivesTheSameBitsOnTwoThreads() {
        let one = attention(threads: 1), two = attention(threads: 2)
        for (a, b) in zip(one, two) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern)) }
    }

    /// Attention at chosen rows splits its heads across threads.
    func attentionAtRows(threads: Int) -> [[Float]] {
        ComputeThreads.$forThisTask.withValue(threads) {
            var rng = RandomGenerator(seed: 44)
            let qkv = randomTensor([3 * 40, 3 * 48], &rng, scale: 1)
            qkv.requiresGrad = true
            let rows = [39, 41, 60, 79, 119]
            let out = causalSelfAttention(qkv, batch: 3, time: 40, heads: 4, atRows: rows)
            let weights = randomTensor([rows.count, 48], &rng, scale: 1)
            sum(out * weights).backward()
            return [out.data, qkv.grad!]
        }
    }

    @Test func attentionAtRowsGivesTheSameBitsOnThreeThreads() {
        let one = attentionAtRows(threads: 1)
        for threads in [2, 3] {
            for (a, b) in zip(one, attentionAtRows(threads: threads)) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern)) }
        }
    }
}
