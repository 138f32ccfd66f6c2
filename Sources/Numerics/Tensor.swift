import Foundation

/// A tensor: float32 numbers in one contiguous row-major array, with a shape.
///
/// A tensor made by an operation remembers its inputs (`parents`) and how to send a gradient
/// back to them (`backwardFunction`), so that `backward()` can apply the chain rule.
/// A tensor never refers to the tensors made from it, so a graph has no reference cycles and
/// is freed as soon as the last result (usually the loss) goes away.
public final class Tensor: CustomStringConvertible {
    /// The size of each dimension, outermost first, e.g. `[batch * time, channels]`.
    public let shape: [Int]
    /// The values, row-major: the last dimension varies fastest.
    public var data: [Float]
    /// d(loss)/d(this tensor), same shape as `data`; `nil` until a gradient reaches it.
    public internal(set) var grad: [Float]?
    /// Whether gradients should flow into this tensor (true for parameters).
    public var requiresGrad: Bool
    /// A name for displays, e.g. `transformer.h.0.attn.c_attn.weight`.
    public var name: String

    let parents: [Tensor]
    let backwardFunction: ((Tensor) -> Void)?

    /// A leaf tensor (an input or a parameter).
    public init(shape: [Int], data: [Float], requiresGrad: Bool = false, name: String = "") {
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) numbers, data has \(data.count)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
        self.name = name
        self.parents = []
        self.backwardFunction = nil
    }

    /// The result of an operation. The backward function receives this result (with its
    /// gradient filled in) and adds into the gradients of `parents`.
    init(shape: [Int], data: [Float], parents: [Tensor], backward: @escaping (Tensor) -> Void) {
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) numbers, data has \(data.count)")
        self.shape = shape
        self.data = data
        self.name = ""
        let tracked = GradMode.isEnabled && parents.contains { $0.requiresGrad }
        self.requiresGrad = tracked
        self.parents = tracked ? parents : []
        self.backwardFunction = tracked ? backward : nil
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false, name: String = "") -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)),
               requiresGrad: requiresGrad, name: name)
    }

    public static func scalar(_ value: Float) -> Tensor { Tensor(shape: [1], data: [value]) }

    /// Numbers drawn from N(0, std^2) with our own seeded generator.
    public static func randomNormal(_ shape: [Int], std: Float, rng: inout RandomGenerator,
                                    requiresGrad: Bool = false, name: String = "") -> Tensor {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = rng.nextNormal() * std }
        return Tensor(shape: shape, data: values, requiresGrad: requiresGrad, name: name)
    }

    public var count: Int { data.count }
    /// The first dimension times all but the last; the last dimension.
    public var rows: Int { shape.count <= 1 ? 1 : count / shape[shape.count - 1] }
    public var columns: Int { shape.last ?? 1 }
    /// The value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements")
        return data[0]
    }

    /// Set the gradient to zero (keeps the storage).
    public func zeroGrad() {
        if grad != nil {
            grad!.withUnsafeMutableBufferPointer { buffer in buffer.update(repeating: 0) }
        }
    }

    /// Forget the gradient (frees its storage).
    public func clearGrad() { grad = nil }

    /// Runs `body` with a pointer to the gradient, creating a zero gradient first if needed.
    /// Backward functions use this to add (`+=`) their contribution.
    public func accumulateGrad(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        if grad == nil { grad = zeroFloats(count) }
        grad!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// A detached copy: same numbers, no graph, no gradient.
    public func detached() -> Tensor { Tensor(shape: shape, data: data, name: name) }

    /// L2 norm of the values: sqrt(sum x^2), accumulated in Double.
    public var norm: Double { l2Norm(data) }

    public var description: String {
        let shown = data.prefix(6).map { formatNumber($0) }.joined(separator: ", ")
        let more = count > 6 ? ", ..." : ""
        let label = name.isEmpty ? "Tensor" : name
        var text = "\(label) \(shape) [\(shown)\(more)]"
        if let grad { text += " grad [\(grad.prefix(6).map { formatNumber($0) }.joined(separator: ", "))\(count > 6 ? ", ..." : "")]" }
        return text
    }
}

/// An array of `count` floats that `initialize` fills, every one of them: no zero-filling
/// first (an op's output that a loop or a beta = 0 sgemm writes completely).
@inline(__always)
func uninitializedFloats(_ count: Int, _ initialize: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: Swift.max(count, 1)) { buffer, initialized in
        initialize(buffer.baseAddress!)
        initialized = count
    }
}

/// An array of `count` zeros, filled by the worker threads when it is large.
func zeroFloats(_ count: Int) -> [Float] {
    uninitializedFloats(count) { zeros in
        forEachPart(count, workPerItem: 1, minimumWork: 1 << 16) { part in
            (zeros + part.lowerBound).initialize(repeating: 0, count: part.count)
        }
    }
}

/// sqrt(sum x^2), accumulated in Double.
public func l2Norm(_ values: [Float]) -> Double {
    var total = 0.0
    for v in values { total += Double(v) * Double(v) }
    return total.squareRoot()
}

/// A number with 4 significant decimals, the way every display in the lab shows it.
public func formatNumber(_ value: Float) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    let magnitude = abs(value)
    if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e5) {
        return String(format: "%.3e", Double(value))
    }
    return String(format: "%.4f", Double(value))
}
