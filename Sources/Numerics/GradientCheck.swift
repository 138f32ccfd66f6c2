/// The result of comparing analytic gradients with finite differences.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// max |analytic - numeric| over every checked element.
    public let maxAbsoluteError: Double
    /// max |analytic - numeric| / max(|analytic|, |numeric|, 1e-2): the error relative to the
    /// size of the gradient, floored so that near-zero gradients do not blow it up.
    public let maxRelativeError: Double
    public let checkedElements: Int

    public var description: String {
        "checked \(checkedElements) elements: max abs error \(maxAbsoluteError), max rel error \(maxRelativeError)"
    }
}

/// Finite-difference gradient check.
///
/// The scalar checked is L = sum_i w_i f(x)_i with fixed random weights w (so every output
/// element matters). The analytic gradient comes from `backward()`; the numeric one from
/// central differences, dL/dx ~ (L(x + h) - L(x - h)) / 2h, with L summed in Double.
/// Float32 forward passes limit the agreement to about 1e-3 relative for h = 1e-2.
public func checkGradients(of function: () -> Tensor, inputs: [Tensor], step h: Float = 1e-2,
                           seed: UInt64 = 1) -> GradientCheckResult {
    var rng = RandomGenerator(seed: seed)
    let probe = withoutGradients { function() }
    let weights = (0..<probe.count).map { _ in rng.nextUniform() * 2 - 1 }

    func weightedSum(_ output: Tensor) -> Double {
        var total = 0.0
        for i in 0..<output.count { total += Double(weights[i]) * Double(output.data[i]) }
        return total
    }

    for x in inputs { x.requiresGrad = true; x.clearGrad() }
    let output = function()
    let loss = sum(multiply(output, Tensor(shape: output.shape, data: weights)))
    loss.backward()

    var maxAbsolute = 0.0, maxRelative = 0.0, checked = 0
    for x in inputs {
        let analytic = x.grad ?? [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let original = x.data[i]
            x.data[i] = original + h
            let plus = withoutGradients { weightedSum(function()) }
            x.data[i] = original - h
            let minus = withoutGradients { weightedSum(function()) }
            x.data[i] = original
            let numeric = (plus - minus) / (2 * Double(h))
            let absolute = abs(Double(analytic[i]) - numeric)
            let relative = absolute / max(abs(Double(analytic[i])), abs(numeric), 1e-2)
            maxAbsolute = max(maxAbsolute, absolute)
            maxRelative = max(maxRelative, relative)
            checked += 1
        }
    }
    return GradientCheckResult(maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative,
                               checkedElements: checked)
}
