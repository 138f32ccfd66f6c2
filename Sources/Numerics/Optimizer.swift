/// What one optimiser step did to one parameter tensor.
public struct ParameterUpdate: Sendable {
    public let name: String
    /// ||g||: L2 norm of the gradient used (after clipping).
    public let gradientNorm: Double
    /// ||w_new - w_old||: L2 norm of the change.
    public let updateNorm: Double
    /// ||w_old||: L2 norm of the weights before the step.
    public let weightNorm: Double
    /// ||update|| / ||w||: about 1e-3 is healthy; much larger means the learning rate is too high.
    public var updateToWeightRatio: Double { weightNorm > 0 ? updateNorm / weightNorm : 0 }
}

/// An optimiser changes parameters using their gradients.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    var learningRate: Float { get set }
    /// Applies one update from the current gradients and reports it per parameter.
    /// The change made to each parameter is kept in `lastUpdates` for inspection.
    @discardableResult func step() -> [ParameterUpdate]
    var lastUpdates: [[Float]] { get }
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGrad() } }
}

/// Global-norm gradient clipping, with PyTorch's `clip_grad_norm_` semantics:
///   total = sqrt(sum over all parameters of ||g||^2)
///   if total > maxNorm: every g *= maxNorm / (total + 1e-6)
/// Returns the total norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Double {
    var totalSquared = 0.0
    for p in parameters { if let g = p.grad { for v in g { totalSquared += Double(v) * Double(v) } } }
    let total = totalSquared.squareRoot()
    let coefficient = Double(maxNorm) / (total + 1e-6)
    if coefficient < 1 {
        for p in parameters where p.grad != nil {
            p.accumulateGrad { g in for i in 0..<p.count { g[i] = Float(Double(g[i]) * coefficient) } }
        }
    }
    return total
}

/// The first parameter whose gradient holds a NaN or an infinity, if any.
public func firstNonFiniteGradient(_ parameters: [Tensor]) -> Tensor? {
    parameters.first { p in p.grad?.contains { !$0.isFinite } ?? false }
}
