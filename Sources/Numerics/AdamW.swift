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
    public private(set) var lastUpdates: [[Float]] = []
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
        secondMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    /// A copy of the optimiser's state (moments and step), to restore after an interrupted step.
    public struct State { let step: Int; let first: [[Float]]; let second: [[Float]] }
    public var state: State { State(step: stepCount, first: firstMoments, second: secondMoments) }
    public func restore(_ state: State) {
        stepCount = state.step
        firstMoments = state.first
        secondMoments = state.second
    }

    /// One update of every parameter. The norms in the report are summed in the same loop as
    /// the update (each still in index order, in Double), and last step's `lastUpdates` arrays are
    /// overwritten in place, so a step allocates nothing the size of the model.
    @discardableResult public func step() -> [ParameterUpdate] {
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - Foundation.pow(beta1, t)
        let correction2 = 1 - Foundation.pow(beta2, t)
        if lastUpdates.count != parameters.count { lastUpdates = parameters.map { _ in [] } }
        var reports: [ParameterUpdate] = []
        reports.reserveCapacity(parameters.count)
        for (index, p) in parameters.enumerated() {
            var update: [Float] = []
            swap(&update, &lastUpdates[index])   // reuse last step's storage (no copy)
            if update.count != p.count { update = [Float](repeating: 0, count: p.count) }
            // sum w_before^2, sum g^2, sum (w_new - w_before)^2, in Double, index by index
            var weightSquares = 0.0, gradientSquares = 0.0, updateSquares = 0.0
            if let gradient = p.grad {
                let (lr, decay, b1, b2, eps) = (learningRate, weightDecay, beta1, beta2, epsilon)
                gradient.withUnsafeBufferPointer { g in
                    p.data.withUnsafeMutableBufferPointer { w in
                        firstMoments[index].withUnsafeMutableBufferPointer { m in
                            secondMoments[index].withUnsafeMutableBufferPointer { v in
                                update.withUnsafeMutableBufferPointer { update in
                                    for i in 0..<w.count {
                                        let before = w[i]
                                        weightSquares += Double(before) * Double(before)
                                        gradientSquares += Double(g[i]) * Double(g[i])
                                        w[i] -= lr * decay * w[i]
                                        m[i] = b1 * m[i] + (1 - b1) * g[i]
                                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                        let mHat = m[i] / correction1
                                        let vHat = v[i] / correction2
                                        w[i] -= lr * mHat / (vHat.squareRoot() + eps)
                                        update[i] = w[i] - before
                                        updateSquares += Double(update[i]) * Double(update[i])
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                for value in p.data { weightSquares += Double(value) * Double(value) }
                update.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
            reports.append(ParameterUpdate(name: p.name, gradientNorm: gradientSquares.squareRoot(),
                                           updateNorm: updateSquares.squareRoot(),
                                           weightNorm: weightSquares.squareRoot()))
            swap(&update, &lastUpdates[index])
        }
        return reports
    }
}
