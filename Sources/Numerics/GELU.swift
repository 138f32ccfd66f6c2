import Foundation

/// GELU, tanh approximation (GPT-2's `gelu_new`):
///   y = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
///   dy/dx = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
/// Computed with the identity 0.5 (1 + tanh(u)) = sigmoid(2u) = 1 / (1 + exp(-2u)), which needs
/// one exp instead of a tanh; then 1 - tanh(u)^2 = 4 sigmoid(2u) (1 - sigmoid(2u)). The forward
/// pass keeps sigmoid(2u) for every element, so backward computes no exp at all.
public func gelu(_ x: Tensor) -> Tensor {
    let count = x.count
    // out, and gate = sigmoid(2u) = 0.5 (1 + tanh(u)) kept for backward; both written completely
    let (output, gates) = uninitializedFloats(count, count) { out, gate in
        withPointers(x.data) { inp in geluForward(out, gate, inp, count: count) }
    }
    return Tensor(shape: x.shape, data: output, parents: [x]) { out in
        withPointers(out.grad!, x.data, gates) { dout, inp, gate in
            x.accumulateGrad { dinp in geluBackward(dinp, dout, inp, gate, count: count) }
        }
    }
}

/// out = x * gate,  gate = sigmoid(2u) (kept for backward), element by element, split across threads.
func geluForward(_ out: UnsafeMutablePointer<Float>, _ gate: UnsafeMutablePointer<Float>,
                 _ inp: UnsafePointer<Float>, count: Int) {
    forEachPart(count, workPerItem: 1) { part in
        geluGates(inp + part.lowerBound, into: gate + part.lowerBound, count: part.count)
        for i in part { out[i] = inp[i] * gate[i] }
    }
}

/// dinp += dout * dy/dx, element by element (dy/dx from the kept gate: `geluDerivative`), split across threads.
func geluBackward(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                  _ inp: UnsafePointer<Float>, _ gate: UnsafePointer<Float>, count: Int) {
    forEachPart(count, workPerItem: 1) { part in
        for i in part { dinp[i] += dout[i] * geluDerivative(inp[i], gate: gate[i]) }
    }
}

let geluScale = Float((2.0 / Double.pi).squareRoot())

/// 0.5 (1 + tanh(u)) = sigmoid(2u) = 1 / (1 + exp(-2u)),  u = sqrt(2/pi) (x + 0.044715 x^3).
/// (exp(-2u) overflows to infinity for very negative x, and the gate is then exactly 0.)
@inline(__always) func geluGate(_ x: Float) -> Float {
    1 / (1 + Foundation.exp(-2 * geluArgument(x)))
}

/// u = sqrt(2/pi) (x + 0.044715 x^3)
@inline(__always) func geluArgument(_ x: Float) -> Float {
    geluScale * (x + 0.044715 * x * x * x)
}

/// y = 0.5 x (1 + tanh(u)) = x sigmoid(2u)
@inline(__always) public func geluForward(_ x: Float) -> Float { x * geluGate(x) }

/// gate[i] = geluGate(x[i]) for i in 0 ..< count, with the exps eight at a time (Exp.swift):
/// the same numbers as one `geluGate` per element.
func geluGates(_ x: UnsafePointer<Float>, into gate: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { gate[i] = -2 * geluArgument(x[i]) }
    exp(gate, into: gate, count: count)
    for i in 0..<count { gate[i] = 1 / (1 + gate[i]) }
}

/// y[i] = geluForward(x[i]) for i in 0 ..< count (x and y may be the same array), for sampling,
/// which keeps no gates for a backward pass.
public func geluForward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { gates in
        geluGates(x, into: gates.baseAddress!, count: count)
        for i in 0..<count { y[i] = x[i] * gates[i] }
    }
}

/// dy/dx = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
///       = g + 2 x g (1 - g) sqrt(2/pi) (1 + 3 * 0.044715 x^2),  with g = sigmoid(2u)
@inline(__always) public func geluDerivative(_ x: Float) -> Float { geluDerivative(x, gate: geluGate(x)) }

@inline(__always) func geluDerivative(_ x: Float, gate g: Float) -> Float {
    g + 2 * x * g * (1 - g) * geluScale * (1 + 3 * 0.044715 * x * x)
}
