import Foundation

/// GELU, tanh approximation (GPT-2's `gelu_new`):
///   y = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
///   dy/dx = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
public func gelu(_ x: Tensor) -> Tensor {
    elementwise(x, forward: geluForward, derivative: { x, _ in geluDerivative(x) })
}

let geluScale = Float((2.0 / Double.pi).squareRoot())

@inline(__always) public func geluForward(_ x: Float) -> Float {
    let u = geluScale * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1 + Foundation.tanh(u))
}

@inline(__always) public func geluDerivative(_ x: Float) -> Float {
    let u = geluScale * (x + 0.044715 * x * x * x)
    let t = Foundation.tanh(u)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * geluScale * (1 + 3 * 0.044715 * x * x)
}
