import Foundation

/// LayerNorm over the last dimension (C channels):
///   mean = (1/C) sum x;  var = (1/C) sum (x - mean)^2;  rstd = 1 / sqrt(var + eps)
///   xhat = (x - mean) rstd;  y = xhat * weight + bias
/// Backward (as in llm.c's layernorm_backward):
///   dbias += dy;  dweight += dy * xhat
///   dxhat = dy * weight
///   dx = rstd (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
/// The kernels are `layerNormForward` and `layerNormBackward` below; the plain one-row versions
/// they are tested against, bit for bit, are in `layerNormForwardReference` and
/// `layerNormBackwardReference`.
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
    let (rows, channels) = (x.rows, x.columns)
    precondition(weight.count == channels && bias.count == channels,
                 "layerNorm: input \(x.shape), weight \(weight.shape), bias \(bias.shape)")
    // out (rows, C); xhat (rows, C) and rstd (rows) kept for backward; the kernel writes all three
    let (output, normalized, inverseStd) = uninitializedFloats(x.count, x.count, rows) { out, xhat, rstd in
        withPointers(x.data, weight.data, bias.data) { inp, weight, bias in
            layerNormForward(out, xhat, rstd, inp, weight, bias, rows: rows, channels: channels, epsilon: epsilon)
        }
    }
    return Tensor(shape: x.shape, data: output, parents: [x, weight, bias]) { out in
        withPointers(out.grad!, normalized, inverseStd, weight.data) { dout, xhat, rstd, weightData in
            if bias.requiresGrad {
                bias.accumulateGrad { dbias in addColumnSums(of: dout, rows: rows, columns: channels, into: dbias) }
            }
            if weight.requiresGrad {
                weight.accumulateGrad { dweight in
                    layerNormWeightBackward(dweight, dout, xhat, rows: rows, channels: channels)
                }
            }
            if x.requiresGrad {
                x.accumulateGrad { dinp in
                    layerNormBackward(dinp, dout, xhat, weightData, rstd, rows: rows, channels: channels)
                }
            }
        }
    }
}

// MARK: - Kernels: four rows at a time

/// out = xhat * weight + bias, xhat = (inp - mean) rstd, for every row of inp (rows, C); keeps
/// xhat (rows, C) and rstd (rows) for backward. Rows are split across threads; each part takes
/// mean and rstd of four rows at a time (`rowStatistics`), which gives the same bits as one row
/// at a time (`layerNormForwardReference`).
func layerNormForward(_ out: UnsafeMutablePointer<Float>, _ xhat: UnsafeMutablePointer<Float>,
                      _ rstd: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                      _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                      rows: Int, channels: Int, epsilon: Float) {
    forEachPart(rows, workPerItem: channels) { part in
        for first in stride(from: part.lowerBound, to: part.upperBound, by: 4) {
            let count = Swift.min(4, part.upperBound - first)
            let (means, rstds) = rowStatistics(inp + first * channels, rows: count, channels: channels, epsilon: epsilon)
            for j in 0..<count {
                let (r, offset) = (first + j, (first + j) * channels)
                rstd[r] = rstds[j]
                layerNormRow(out + offset, xhat + offset, inp + offset, weight, bias,
                             mean: means[j], rstd: rstds[j], channels: channels)
            }
        }
    }
}

/// One row, once its mean and rstd are known:  xhat = (x - mean) rstd;  y = xhat * weight + bias
@inline(__always)
func layerNormRow(_ y: UnsafeMutablePointer<Float>, _ xhat: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                  _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, mean: Float, rstd: Float, channels: Int) {
    for c in 0..<channels {
        xhat[c] = (x[c] - mean) * rstd
        y[c] = xhat[c] * weight[c] + bias[c]
    }
}

/// dinp += rstd (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dout * weight,
/// for every row (rows, C). Rows are split across threads; each part takes the two means of
/// four rows at a time (`dxhatMeans`), the same bits as one row at a time.
func layerNormBackward(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                       _ xhat: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                       rows: Int, channels: Int) {
    forEachPart(rows, workPerItem: channels) { part in
        for first in stride(from: part.lowerBound, to: part.upperBound, by: 4) {
            let count = Swift.min(4, part.upperBound - first)
            let (meansDxhat, meansDxhatXhat) = dxhatMeans(dy: dout + first * channels, xhat: xhat + first * channels,
                                                          weight: weight, rows: count, channels: channels)
            for j in 0..<count {
                let (r, offset) = (first + j, (first + j) * channels)
                layerNormBackwardRow(dinp + offset, dout + offset, xhat + offset, weight, rstd: rstd[r],
                                     meanDxhat: meansDxhat[j], meanDxhatXhat: meansDxhatXhat[j], channels: channels)
            }
        }
    }
}

/// One row, once mean(dxhat) and mean(dxhat * xhat) are known:
///   dx += rstd (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * weight
@inline(__always)
func layerNormBackwardRow(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>,
                          _ weight: UnsafePointer<Float>, rstd: Float, meanDxhat: Float, meanDxhatXhat: Float,
                          channels: Int) {
    for c in 0..<channels {
        let dxhat = dy[c] * weight[c]
        dx[c] += rstd * (dxhat - meanDxhat - xhat[c] * meanDxhatXhat)
    }
}

/// dweight[c] += sum over rows of dout[r, c] * xhat[r, c]. The channels are independent: they
/// are split across threads, and each adds its rows in row order.
func layerNormWeightBackward(_ dweight: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                             _ xhat: UnsafePointer<Float>, rows: Int, channels: Int) {
    forEachPart(channels, workPerItem: rows) { part in
        for r in 0..<rows {
            let dy = dout + r * channels, xhatRow = xhat + r * channels
            for c in part { dweight[c] += dy[c] * xhatRow[c] }
        }
    }
}

/// mean = (1/C) sum x and rstd = 1 / sqrt((1/C) sum (x - mean)^2 + eps) of up to four rows
/// (packed, C apart) at once: lane j adds row j's numbers in channel order, exactly the additions
/// one row at a time would make, but four independent sums keep the CPU's adders busy.
@inline(__always)
func rowStatistics(_ x: UnsafePointer<Float>, rows: Int, channels: Int, epsilon: Float) -> (mean: SIMD4<Float>, rstd: SIMD4<Float>) {
    // a missing row (rows < 4) repeats the last one; its lane is not used
    let x0 = x, x1 = x + Swift.min(1, rows - 1) * channels
    let x2 = x + Swift.min(2, rows - 1) * channels, x3 = x + Swift.min(3, rows - 1) * channels
    var mean = SIMD4<Float>(repeating: 0)
    for c in 0..<channels { mean += SIMD4(x0[c], x1[c], x2[c], x3[c]) }
    mean /= Float(channels)
    var variance = SIMD4<Float>(repeating: 0)
    for c in 0..<channels {
        let d = SIMD4(x0[c], x1[c], x2[c], x3[c]) - mean
        variance += d * d
    }
    variance /= Float(channels)
    return (mean, 1 / (variance + epsilon).squareRoot())
}

/// mean(dxhat) and mean(dxhat * xhat), dxhat = dy * weight, of up to four rows at once, lane j
/// summing row j in channel order (the same additions as one row at a time; see rowStatistics).
@inline(__always)
func dxhatMeans(dy: UnsafePointer<Float>, xhat: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                rows: Int, channels: Int) -> (meanDxhat: SIMD4<Float>, meanDxhatXhat: SIMD4<Float>) {
    // a missing row (rows < 4) repeats the last one; its lane is not used
    let (o1, o2, o3) = (Swift.min(1, rows - 1) * channels, Swift.min(2, rows - 1) * channels, Swift.min(3, rows - 1) * channels)
    var meanDxhat = SIMD4<Float>(repeating: 0), meanDxhatXhat = SIMD4<Float>(repeating: 0)
    for c in 0..<channels {
        let dxhat = SIMD4(dy[c], dy[o1 + c], dy[o2 + c], dy[o3 + c]) * weight[c]
        meanDxhat += dxhat
        meanDxhatXhat += dxhat * SIMD4(xhat[c], xhat[o1 + c], xhat[o2 + c], xhat[o3 + c])
    }
    return (meanDxhat / Float(channels), meanDxhatXhat / Float(channels))
}

// MARK: - Reference: the same formulas one row at a time

/// LayerNorm forward as the formula reads, one row after another on one thread: the reference
/// that `layerNormForward` is tested against (tests expect the same bits).
func layerNormForwardReference(_ out: UnsafeMutablePointer<Float>, _ xhat: UnsafeMutablePointer<Float>,
                               _ rstd: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                               rows: Int, channels: Int, epsilon: Float) {
    for r in 0..<rows {
        let x = inp + r * channels
        // mean = (1/C) sum x
        var mean: Float = 0
        for c in 0..<channels { mean += x[c] }
        mean /= Float(channels)
        // var = (1/C) sum (x - mean)^2
        var variance: Float = 0
        for c in 0..<channels {
            let d = x[c] - mean
            variance += d * d
        }
        variance /= Float(channels)
        // rstd = 1 / sqrt(var + eps);  xhat = (x - mean) rstd;  y = xhat * weight + bias
        rstd[r] = 1 / (variance + epsilon).squareRoot()
        let offset = r * channels
        layerNormRow(out + offset, xhat + offset, x, weight, bias, mean: mean, rstd: rstd[r], channels: channels)
    }
}

/// LayerNorm's input gradient as the formula reads, one row after another on one thread: the
/// reference that `layerNormBackward` is tested against (tests expect the same bits).
func layerNormBackwardReference(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                                _ xhat: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                                rows: Int, channels: Int) {
    for r in 0..<rows {
        let dy = dout + r * channels, xhatRow = xhat + r * channels
        // mean(dxhat) and mean(dxhat * xhat),  dxhat = dy * weight
        var meanDxhat: Float = 0, meanDxhatXhat: Float = 0
        for c in 0..<channels {
            let dxhat = dy[c] * weight[c]
            meanDxhat += dxhat
            meanDxhatXhat += dxhat * xhatRow[c]
        }
        meanDxhat /= Float(channels)
        meanDxhatXhat /= Float(channels)
        // dx = rstd (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
        layerNormBackwardRow(dinp + r * channels, dy, xhatRow, weight, rstd: rstd[r],
                             meanDxhat: meanDxhat, meanDxhatXhat: meanDxhatXhat, channels: channels)
    }
}
