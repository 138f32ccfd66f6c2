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
                                for r in part {
                                    let x = input.baseAddress! + r * channels
                                    let y = output + r * channels, xhat = normalized + r * channels
                                    var mean: Float = 0
                                    for c in 0..<channels { mean += x[c] }
                                    mean /= Float(channels)
                                    var variance: Float = 0
                                    for c in 0..<channels {
                                        let d = x[c] - mean
                                        variance += d * d
                                    }
                                    variance /= Float(channels)
                                    let rstd = 1 / (variance + epsilon).squareRoot()
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
    return Tensor(shape: x.shape, data: output, parents: [x, weight, bias]) { out in
        out.grad!.withUnsafeBufferPointer { dyAll in
            normalized.withUnsafeBufferPointer { xhatAll in
                if bias.requiresGrad {
                    bias.accumulateGrad { db in
                        for r in 0..<rows {
                            let dy = dyAll.baseAddress! + r * channels
                            for c in 0..<channels { db[c] += dy[c] }
                        }
                    }
                }
                if weight.requiresGrad {
                    weight.accumulateGrad { dw in
                        for r in 0..<rows {
                            let dy = dyAll.baseAddress! + r * channels, xhat = xhatAll.baseAddress! + r * channels
                            for c in 0..<channels { dw[c] += dy[c] * xhat[c] }
                        }
                    }
                }
                if x.requiresGrad {
                    weight.data.withUnsafeBufferPointer { w in
                        x.accumulateGrad { dxAll in
                            forEachPart(rows, workPerItem: channels) { part in
                                for r in part {
                                    let dy = dyAll.baseAddress! + r * channels, xhat = xhatAll.baseAddress! + r * channels
                                    let dx = dxAll + r * channels
                                    var meanDxhat: Float = 0, meanDxhatXhat: Float = 0
                                    for c in 0..<channels {
                                        let dxhat = dy[c] * w[c]
                                        meanDxhat += dxhat
                                        meanDxhatXhat += dxhat * xhat[c]
                                    }
                                    meanDxhat /= Float(channels)
                                    meanDxhatXhat /= Float(channels)
                                    let rstd = inverseStd[r]
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
