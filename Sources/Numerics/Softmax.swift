import Foundation

// Softmax and log-softmax over the last dimension, computed stably by subtracting the row max.

/// p_i = exp(x_i - max) / sum_j exp(x_j - max);  dx_i = p_i (dp_i - sum_j p_j dp_j)
public func softmax(_ x: Tensor) -> Tensor {
    let (rows, columns) = (x.rows, x.columns)
    var output = [Float](repeating: 0, count: x.count)
    x.data.withUnsafeBufferPointer { px in
        output.withUnsafeMutableBufferPointer { py in
            for r in 0..<rows {
                softmaxRow(px.baseAddress! + r * columns, py.baseAddress! + r * columns, columns)
            }
        }
    }
    return Tensor(shape: x.shape, data: output, parents: [x]) { out in
        let dout = out.grad!
        x.accumulateGrad { dx in
            for r in 0..<rows {
                let base = r * columns
                var dot: Float = 0
                for c in 0..<columns { dot += out.data[base + c] * dout[base + c] }
                for c in 0..<columns { dx[base + c] += out.data[base + c] * (dout[base + c] - dot) }
            }
        }
    }
}

/// log p_i = x_i - max - log sum_j exp(x_j - max);  dx_i = dy_i - p_i sum_j dy_j
public func logSoftmax(_ x: Tensor) -> Tensor {
    let (rows, columns) = (x.rows, x.columns)
    var output = [Float](repeating: 0, count: x.count)
    for r in 0..<rows {
        let base = r * columns
        let logNormalizer = x.data.withUnsafeBufferPointer { logSumExp($0.baseAddress! + base, columns) }
        for c in 0..<columns { output[base + c] = x.data[base + c] - logNormalizer }
    }
    return Tensor(shape: x.shape, data: output, parents: [x]) { out in
        let dout = out.grad!
        x.accumulateGrad { dx in
            for r in 0..<rows {
                let base = r * columns
                var total: Float = 0
                for c in 0..<columns { total += dout[base + c] }
                for c in 0..<columns { dx[base + c] += dout[base + c] - Foundation.exp(out.data[base + c]) * total }
            }
        }
    }
}

/// One row of softmax: y = exp(x - max) / sum exp(x - max). Returns the max and the sum, so
/// log sum exp(x) = max + log(sum) comes from the same exps.
@inline(__always) @discardableResult
public func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) -> (max: Float, sum: Float) {
    var maxValue = -Float.infinity
    for i in 0..<count { maxValue = Swift.max(maxValue, x[i]) }
    for i in 0..<count { y[i] = x[i] - maxValue }
    exp(y, into: y, count: count)   // eight at a time (Exp.swift)
    var total: Float = 0
    for i in 0..<count { total += y[i] }
    let inverse = 1 / total
    for i in 0..<count { y[i] *= inverse }
    return (maxValue, total)
}

/// log sum_i exp(x_i) = max + log sum_i exp(x_i - max).
@inline(__always)
public func logSumExp(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var maxValue = -Float.infinity
    for i in 0..<count { maxValue = Swift.max(maxValue, x[i]) }
    if maxValue == -Float.infinity { return maxValue }
    return withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { scratch in
        let e = scratch.baseAddress!
        for i in 0..<count { e[i] = x[i] - maxValue }
        exp(e, into: e, count: count)   // eight at a time (Exp.swift)
        var total: Float = 0
        for i in 0..<count { total += e[i] }
        return maxValue + Foundation.log(total)
    }
}
