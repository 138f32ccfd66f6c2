/// Plain stochastic gradient descent:  w = w - lr * g
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public private(set) var lastUpdates: [[Float]] = []

    public init(parameters: [Tensor], learningRate: Float) {
        self.parameters = parameters
        self.learningRate = learningRate
    }

    @discardableResult public func step() -> [ParameterUpdate] {
        lastUpdates = []
        return parameters.map { p in
            let weightNorm = p.norm
            var update = [Float](repeating: 0, count: p.count)
            if let g = p.grad {
                for i in 0..<p.count {
                    let before = p.data[i]
                    p.data[i] -= learningRate * g[i]
                    update[i] = p.data[i] - before
                }
            }
            lastUpdates.append(update)
            return ParameterUpdate(name: p.name, gradientNorm: p.grad.map(l2Norm) ?? 0,
                                   updateNorm: l2Norm(update), weightNorm: weightNorm)
        }
    }
}
