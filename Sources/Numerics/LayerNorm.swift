import Foundation

/// LayerNorm over the last dimension (C channels):
///   mean = (1/C) sum x;  var = (1/C) sum (x - mean)^2;  rstd = 1 / sqrt(var + eps)
///   xhat = (x - mean) rstd;  y = xhat * weight + bias
/// Backward (as in llm.c's layernorm_backward):
///   dbias += dy;  dweight += dy * xhat
///   dxhat = dy * weight
///   dx = rstd (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
    let (rows, channels) = (x.rows, x.columns)
    precondition(weight.count == channels && bias.count == channels,
                 "layerNorm: input \(x.shape), weight \(weight.shape), bias \(bias.shape)")
    var normalized: [Float] = []   // xhat, kept for backward
    var inverseStd: [Float] = []   // rstd per row
    let output = uninitializedFloats(x.count) { output in
        normalized = uninitializedFloats(x.count) { normalized in
            inverseStd = uninitializedFloats(rows) { inverseStd in
                x.data.withUnsafeBufferPointer { input in
                    weight.data.withUnsafeBufferPointer { w in
                        bias.data.withUnsafeBufferPointer { b in
                            forEachPart(rows, workPerItem: channels) { part in
                                // mean and rstd of four rows at a time (rowStatistics), then each row
                                for first in stride(from: part.lowerBound, to: part.upperBound, by: 4) {
                                    let count = Swift.min(4, part.upperBound - first)
                                    let (means, rstds) = rowStatistics(input.baseAddress! + first * channels,
                                                                       rows: count, channels: channels, epsilon: epsilon)
                                    for j in 0..<count {
                                        let r = first + j
                                        let x = input.baseAddress! + r * channels
                                        let y = output + r * channels, xhat = normalized + r * channels
                                        let (mean, rstd) = (means[j], rstds[j])
                                        inverseStd[r] = rstd
                                        for c in 0..<channels {
                                            xhat[c] = (x[c] - mean) * rstd
                                            y[c] = xhat[c] * w[c] + b[c]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: x.shape, data: output, parents: [x, weight, bias]) { out in
        out.grad!.withUnsafeBufferPointer { dyAll in
            normalized.withUnsafeBufferPointer { xhatAll in
                if bias.requiresGrad {
                    bias.accumulateGrad { db in addColumnSums(of: dyAll.baseAddress!, rows: rows, columns: channels, into: db) }
                }
                if weight.requiresGrad {
                    weight.accumulateGrad { dw in
                        // the channels are independent: split across threads, each in row order
                        forEachPart(channels, workPerItem: rows) { part in
                            for r in 0..<rows {
                                let dy = dyAll.baseAddress! + r * channels, xhat = xhatAll.baseAddress! + r * channels
                                for c in part { dw[c] += dy[c] * xhat[c] }
                            }
                        }
                    }
                }
                if x.requiresGrad {
                    weight.data.withUnsafeBufferPointer { w in
                        x.accumulateGrad { dxAll in
                            forEachPart(rows, workPerItem: channels) { part in
                                // mean(dxhat) and mean(dxhat * xhat) of four rows at a time, then each row
                                for first in stride(from: part.lowerBound, to: part.upperBound, by: 4) {
                                    let count = Swift.min(4, part.upperBound - first)
                                    let (meansDxhat, meansDxhatXhat) = dxhatMeans(
                                        dy: dyAll.baseAddress! + first * channels, xhat: xhatAll.baseAddress! + first * channels,
                                        weight: w.baseAddress!, rows: count, channels: channels)
                                    for j in 0..<count {
                                        let r = first + j
                                        let dy = dyAll.baseAddress! + r * channels, xhat = xhatAll.baseAddress! + r * channels
                                        let dx = dxAll + r * channels
                                        let (meanDxhat, meanDxhatXhat, rstd) = (meansDxhat[j], meansDxhatXhat[j], inverseStd[r])
                                        for c in 0..<channels {
                                            let dxhat = dy[c] * w[c]
                                            dx[c] += rstd * (dxhat - meanDxhat - xhat[c] * meanDxhatXhat)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
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
