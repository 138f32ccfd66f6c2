import Foundation

// Element-wise operations. Each forward line sits beside its local derivative.

/// Applies `forward` to every element; backward multiplies the incoming gradient by
/// `derivative(x, y)`, the local derivative dy/dx written in terms of the input and the output.
/// (Always inlined, so that each op's closures are compiled into its own loops.)
@inline(__always)
func elementwise(_ x: Tensor, forward: (Float) -> Float,
                 derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
    let count = x.count
    let output = uninitializedFloats(count) { y in
        withPointers(x.data) { inp in
            for i in 0..<count { y[i] = forward(inp[i]) }
        }
    }
    return Tensor(shape: x.shape, data: output, parents: [x]) { out in
        withPointers(out.grad!, x.data, out.data) { dout, inp, y in
            x.accumulateGrad { dx in
                for i in 0..<count { dx[i] += dout[i] * derivative(inp[i], y[i]) }
            }
        }
    }
}

/// y = exp(x);  dy/dx = y
public func exponential(_ x: Tensor) -> Tensor {
    elementwise(x, forward: { Foundation.exp($0) }, derivative: { _, y in y })
}

/// y = log(x);  dy/dx = 1 / x
public func logarithm(_ x: Tensor) -> Tensor {
    elementwise(x, forward: { Foundation.log($0) }, derivative: { x, _ in 1 / x })
}

/// y = -x;  dy/dx = -1
public func negate(_ x: Tensor) -> Tensor {
    elementwise(x, forward: { -$0 }, derivative: { _, _ in -1 })
}

/// y = c * x;  dy/dx = c
public func scale(_ x: Tensor, by c: Float) -> Tensor {
    elementwise(x, forward: { c * $0 }, derivative: { _, _ in c })
}

/// y = x + c;  dy/dx = 1
public func addScalar(_ x: Tensor, _ c: Float) -> Tensor {
    elementwise(x, forward: { $0 + c }, derivative: { _, _ in 1 })
}

/// y = x^2;  dy/dx = 2x
public func square(_ x: Tensor) -> Tensor {
    elementwise(x, forward: { $0 * $0 }, derivative: { x, _ in 2 * x })
}

/// y = min(max(x, low), high);  dy/dx = 1 inside [low, high], 0 where clipped (as PPO's clip).
public func clamp(_ x: Tensor, min low: Float, max high: Float) -> Tensor {
    elementwise(x, forward: { Swift.min(Swift.max($0, low), high) },
                derivative: { x, _ in (x >= low && x <= high) ? 1 : 0 })
}

/// log sigmoid(x), computed stably as min(x, 0) - log(1 + exp(-|x|));
/// d/dx log sigmoid(x) = 1 - sigmoid(x) = sigmoid(-x).
public func logSigmoid(_ x: Tensor) -> Tensor {
    elementwise(x, forward: { stableLogSigmoid($0) }, derivative: { x, _ in sigmoid(-x) })
}

/// sigmoid(x) = 1 / (1 + exp(-x)), without overflow for large |x|.
public func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

/// log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|)): never overflows, exact for large |x|.
public func stableLogSigmoid(_ x: Float) -> Float {
    Swift.min(x, 0) - Foundation.log1p(Foundation.exp(-Swift.abs(x)))
}

/// A partial derivative of a binary op: a constant (1 for a + b) or a function of (a, b).
/// A constant lets the backward loop run without a call per element; the product
/// `dout * constant` is the same one the function form would compute.
enum Partial {
    case constant(Float)
    case function((Float, Float) -> Float)
}

/// Combines two same-shaped tensors element by element; backward adds
/// `dout * partialA(a, b)` into a and `dout * partialB(a, b)` into b.
/// (Always inlined, so that each op's closures are compiled into its own loops.)
@inline(__always)
func binary(_ a: Tensor, _ b: Tensor, _ name: String, forward: (Float, Float) -> Float,
            partialA: Partial, partialB: Partial) -> Tensor {
    precondition(a.shape == b.shape, "\(name): shapes differ, \(a.shape) and \(b.shape)")
    let count = a.count
    let output = uninitializedFloats(count) { y in
        withPointers(a.data, b.data) { pa, pb in
            forEachPart(count, workPerItem: 1) { part in
                for i in part { y[i] = forward(pa[i], pb[i]) }
            }
        }
    }
    return Tensor(shape: a.shape, data: output, parents: [a, b]) { out in
        withPointers(out.grad!, a.data, b.data) { dout, pa, pb in
            if a.requiresGrad {
                a.accumulateGrad { da in accumulatePartial(da, dout, partialA, pa, pb, count) }
            }
            if b.requiresGrad {
                b.accumulateGrad { db in accumulatePartial(db, dout, partialB, pa, pb, count) }
            }
        }
    }
}

/// d[i] += dout[i] * partial(a[i], b[i]), the elements split across threads
@inline(__always)
func accumulatePartial(_ d: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ partial: Partial,
                       _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) {
    forEachPart(count, workPerItem: 1) { part in
        switch partial {
        case .constant(let c):
            for i in part { d[i] += dout[i] * c }
        case .function(let derivative):
            for i in part { d[i] += dout[i] * derivative(a[i], b[i]) }
        }
    }
}

/// y = a + b;  dy/da = 1, dy/db = 1
public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    binary(a, b, "add", forward: +, partialA: .constant(1), partialB: .constant(1))
}

/// y = a - b;  dy/da = 1, dy/db = -1
public func subtract(_ a: Tensor, _ b: Tensor) -> Tensor {
    binary(a, b, "subtract", forward: -, partialA: .constant(1), partialB: .constant(-1))
}

/// y = a * b;  dy/da = b, dy/db = a
public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
    binary(a, b, "multiply", forward: *, partialA: .function { _, b in b }, partialB: .function { a, _ in a })
}

/// y = min(a, b);  the gradient goes to the smaller one (to a on ties).
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    binary(a, b, "minimum", forward: { Swift.min($0, $1) },
           partialA: .function { a, b in a <= b ? 1 : 0 }, partialB: .function { a, b in a <= b ? 0 : 1 })
}

/// y = max(a, b);  the gradient goes to the larger one (to a on ties).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    binary(a, b, "maximum", forward: { Swift.max($0, $1) },
           partialA: .function { a, b in a >= b ? 1 : 0 }, partialB: .function { a, b in a >= b ? 0 : 1 })
}

public func + (a: Tensor, b: Tensor) -> Tensor { add(a, b) }
public func - (a: Tensor, b: Tensor) -> Tensor { subtract(a, b) }
public func * (a: Tensor, b: Tensor) -> Tensor { multiply(a, b) }
public func * (c: Float, x: Tensor) -> Tensor { scale(x, by: c) }
