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
        let settings = AdamWStepSettings(learningRate: learningRate, weightDecay: weightDecay, beta1: beta1, beta2: beta2,
                                         epsilon: epsilon, correction1: 1 - Foundation.pow(beta1, t),
                                         correction2: 1 - Foundation.pow(beta2, t))
        var reports = parameters.map { ParameterUpdate(name: $0.name, gradientNorm: 0, updateNorm: 0, weightNorm: 0) }
        let (parameters, offsets) = (self.parameters, self.offsets)
        withMutablePointers(&firstMoments, &secondMoments, &updates, &reports) { m, v, update, reports in
            forEachGroup(sizes: parameters.map(\.count)) { group in
                for index in group {
                    let offset = offsets[index]
                    reports[index] = adamWStep(parameters[index], m + offset, v + offset, update + offset, settings)
                }
            }
        }
        hasUpdates = true
        return reports
    }
}

/// The numbers one AdamW step uses for every element: the settings, and the bias corrections
/// 1 - beta1^t and 1 - beta2^t of step t.
struct AdamWStepSettings {
    var learningRate, weightDecay, beta1, beta2, epsilon: Float
    var correction1, correction2: Float
}

/// One parameter's step, with its moments m, v and its update (w_new - w_before) at the given
/// pointers; returns the norms of the weights before, the gradient and the update. Without a
/// gradient the weights stay and the update is 0.
private func adamWStep(_ p: Tensor, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                       _ update: UnsafeMutablePointer<Float>, _ settings: AdamWStepSettings) -> ParameterUpdate {
    guard let gradient = p.grad else {
        update.update(repeating: 0, count: p.count)
        return ParameterUpdate(name: p.name, gradientNorm: 0, updateNorm: 0, weightNorm: l2Norm(p.data))
    }
    let count = p.count
    // sum w_before^2, sum g^2, sum (w_new - w_before)^2, in Double, index by index
    var weightSquares = 0.0, gradientSquares = 0.0, updateSquares = 0.0
    withPointers(gradient) { g in
        withMutablePointers(&p.data) { w in
            for i in 0..<count {
                weightSquares += Double(w[i]) * Double(w[i])
                gradientSquares += Double(g[i]) * Double(g[i])
            }
            adamWUpdate(w, g, m, v, update, count: count, settings)
            for i in 0..<count { updateSquares += Double(update[i]) * Double(update[i]) }
        }
    }
    return ParameterUpdate(name: p.name, gradientNorm: gradientSquares.squareRoot(),
                           updateNorm: updateSquares.squareRoot(), weightNorm: weightSquares.squareRoot())
}

/// The AdamW update of `count` elements, four at a time (their divisions and square roots were
/// most of AdamW's time), the last few one at a time: the same bits as `adamWUpdateReference`.
@inline(__always)
func adamWUpdate(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                 _ v: UnsafeMutablePointer<Float>, _ update: UnsafeMutablePointer<Float>,
                 count: Int, _ settings: AdamWStepSettings) {
    var i = 0
    while i + 4 <= count {
        adamWUpdate4(w + i, g + i, m + i, v + i, update + i, settings)
        i += 4
    }
    adamWUpdateReference(w + i, g + i, m + i, v + i, update + i, count: count - i, settings)
}

/// The AdamW update one element at a time, the formula as it reads: the reference for
/// `adamWUpdate` (tests expect the same bits), which also uses it for its last few elements.
@inline(__always)
func adamWUpdateReference(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                          _ v: UnsafeMutablePointer<Float>, _ update: UnsafeMutablePointer<Float>,
                          count: Int, _ settings: AdamWStepSettings) {
    let (lr, decay, b1, b2, eps) = (settings.learningRate, settings.weightDecay, settings.beta1, settings.beta2, settings.epsilon)
    for i in 0..<count {
        let before = w[i]
        w[i] -= lr * decay * w[i]                          // w = w - lr * weightDecay * w
        m[i] = b1 * m[i] + (1 - b1) * g[i]                 // m = beta1 m + (1 - beta1) g
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]          // v = beta2 v + (1 - beta2) g^2
        let mHat = m[i] / settings.correction1             // mhat = m / (1 - beta1^t)
        let vHat = v[i] / settings.correction2             // vhat = v / (1 - beta2^t)
        w[i] -= lr * mHat / (vHat.squareRoot() + eps)      // w = w - lr * mhat / (sqrt(vhat) + eps)
        update[i] = w[i] - before
    }
}

/// The AdamW update of four elements side by side, each lane the same operations, in the same
/// order, as `adamWUpdateReference`.
@inline(__always)
private func adamWUpdate4(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                          _ v: UnsafeMutablePointer<Float>, _ update: UnsafeMutablePointer<Float>,
                          _ settings: AdamWStepSettings) {
    func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
    func store(_ x: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD4<Float>.self) }
    let (lr, decay, b1, b2, eps) = (settings.learningRate, settings.weightDecay, settings.beta1, settings.beta2, settings.epsilon)
    let before = load(w), gradient = load(g)
    var weight = before
    weight -= lr * decay * weight
    let first = b1 * load(m) + (1 - b1) * gradient
    let second = b2 * load(v) + (1 - b2) * gradient * gradient
    let mHat = first / settings.correction1
    let vHat = second / settings.correction2
    weight -= lr * mHat / (vHat.squareRoot() + eps)
    store(first, m)
    store(second, v)
    store(weight, w)
    store(weight - before, update)
}
