import Foundation

/// AdamW with PyTorch's semantics (`torch.optim.AdamW`, Loshchilov and Hutter 2019), step t = 1, 2, ...:
///   w = w - lr * weightDecay * w                 (decoupled weight decay, applied first)
///   m = beta1 m + (1 - beta1) g
///   v = beta2 v + (1 - beta2) g^2
///   mhat = m / (1 - beta1^t);  vhat = v / (1 - beta2^t)
///   w = w - lr * mhat / (sqrt(vhat) + eps)       (eps added after the square root)
public final class AdamW: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Steps taken so far (t).
    public private(set) var stepCount = 0
    /// The change of every parameter in the last step, w_new - w_before (empty before the first).
    public var lastUpdates: [[Float]] {
        guard hasUpdates else { return [] }
        return parameters.indices.map { Array(updates[offsets[$0] ..< offsets[$0] + parameters[$0].count]) }
    }
    // m, v and the last update of every parameter, one after another in one array each (as
    // llm.c keeps them); parameter i starts at offsets[i].
    private var firstMoments: [Float]
    private var secondMoments: [Float]
    private var updates: [Float]
    private var hasUpdates = false
    private let offsets: [Int]

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        var offsets: [Int] = [], total = 0
        for p in parameters { offsets.append(total); total += p.count }
        self.offsets = offsets
        firstMoments = [Float](repeating: 0, count: total)
        secondMoments = [Float](repeating: 0, count: total)
        updates = [Float](repeating: 0, count: total)
    }

    /// A copy of the optimiser's state (moments and step), to restore after an interrupted step.
    public struct State { let step: Int; let first: [Float]; let second: [Float] }
    public var state: State { State(step: stepCount, first: firstMoments, second: secondMoments) }
    public func restore(_ state: State) {
        stepCount = state.step
        firstMoments = state.first
        secondMoments = state.second
    }

    /// One update of every parameter. Parameters are independent, so with ComputeThreads.count > 1 they
    /// are split across threads (`forEachGroup`); each one's loop, and so each number, is the
    /// same whichever thread runs it. The norms in the report are summed in index order, in
    /// Double; nothing the size of the model is allocated.
    @discardableResult public func step() -> [ParameterUpdate] {
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - Foundation.pow(beta1, t)
        let correction2 = 1 - Foundation.pow(beta2, t)
        let (lr, decay, b1, b2, eps) = (learningRate, weightDecay, beta1, beta2, epsilon)
        var reports = parameters.map { ParameterUpdate(name: $0.name, gradientNorm: 0, updateNorm: 0, weightNorm: 0) }
        firstMoments.withUnsafeMutableBufferPointer { allFirst in
            secondMoments.withUnsafeMutableBufferPointer { allSecond in
                updates.withUnsafeMutableBufferPointer { allUpdates in
                    reports.withUnsafeMutableBufferPointer { reports in
                        forEachGroup(sizes: parameters.map(\.count)) { group in
                            for index in group {
                                let p = parameters[index], offset = offsets[index]
                                let (m, v, update) = (allFirst.baseAddress! + offset, allSecond.baseAddress! + offset,
                                                      allUpdates.baseAddress! + offset)
                                // sum w_before^2, sum g^2, sum (w_new - w_before)^2, in Double, index by index
                                var weightSquares = 0.0, gradientSquares = 0.0, updateSquares = 0.0
                                if let gradient = p.grad {
                                    gradient.withUnsafeBufferPointer { g in
                                        p.data.withUnsafeMutableBufferPointer { w in
                                            for i in 0..<w.count {
                                                weightSquares += Double(w[i]) * Double(w[i])
                                                gradientSquares += Double(g[i]) * Double(g[i])
                                            }
                                            // the update, four elements at a time (its divisions
                                            // and square roots were most of AdamW's time)
                                            var i = 0
                                            while i + 4 <= w.count {
                                                adamWUpdate4(w.baseAddress! + i, g.baseAddress! + i, m + i, v + i, update + i,
                                                             lr: lr, decay: decay, b1: b1, b2: b2, eps: eps,
                                                             correction1: correction1, correction2: correction2)
                                                i += 4
                                            }
                                            for i in i..<w.count {
                                                let before = w[i]
                                                w[i] -= lr * decay * w[i]
                                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                                let mHat = m[i] / correction1
                                                let vHat = v[i] / correction2
                                                w[i] -= lr * mHat / (vHat.squareRoot() + eps)
                                                update[i] = w[i] - before
                                            }
                                            for i in 0..<w.count { updateSquares += Double(update[i]) * Double(update[i]) }
                                        }
                                    }
                                } else {
                                    for value in p.data { weightSquares += Double(value) * Double(value) }
                                    update.update(repeating: 0, count: p.count)
                                }
                                reports[index] = ParameterUpdate(name: p.name, gradientNorm: gradientSquares.squareRoot(),
                                                                 updateNorm: updateSquares.squareRoot(),
                                                                 weightNorm: weightSquares.squareRoot())
                            }
                        }
                    }
                }
            }
        }
        hasUpdates = true
        return reports
    }
}

/// The AdamW update of four elements side by side, each lane the same operations, in the same
/// order, as the one-element loop in `step` (which handles the last few elements).
@inline(__always)
private func adamWUpdate4(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                          _ v: UnsafeMutablePointer<Float>, _ update: UnsafeMutablePointer<Float>,
                          lr: Float, decay: Float, b1: Float, b2: Float, eps: Float,
                          correction1: Float, correction2: Float) {
    func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
    func store(_ x: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD4<Float>.self) }
    let before = load(w), gradient = load(g)
    var weight = before
    weight -= lr * decay * weight
    let first = b1 * load(m) + (1 - b1) * gradient
    let second = b2 * load(v) + (1 - b2) * gradient * gradient
    let mHat = first / correction1
    let vHat = second / correction2
    weight -= lr * mHat / (vHat.squareRoot() + eps)
    store(first, m)
    store(second, v)
    store(weight, w)
    store(weight - before, update)
}
