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
    var output = [Float](repeating: 0, count: x.count)
    var normalized = [Float](repeating: 0, count: x.count)   // xhat, kept for backward
    var inverseStd = [Float](repeating: 0, count: rows)      // rstd per row
    for r in 0..<rows {
        let base = r * channels
        var mean: Float = 0
        for c in 0..<channels { mean += x.data[base + c] }
        mean /= Float(channels)
        var variance: Float = 0
        for c in 0..<channels {
            let d = x.data[base + c] - mean
            variance += d * d
        }
        variance /= Float(channels)
        let rstd = 1 / (variance + epsilon).squareRoot()
        inverseStd[r] = rstd
        for c in 0..<channels {
            let xhat = (x.data[base + c] - mean) * rstd
            normalized[base + c] = xhat
            output[base + c] = xhat * weight.data[c] + bias.data[c]
        }
    }
    return Tensor(shape: x.shape, data: output, parents: [x, weight, bias]) { out in
        let dy = out.grad!
        if bias.requiresGrad {
            bias.accumulateGrad { db in
                for r in 0..<rows { for c in 0..<channels { db[c] += dy[r * channels + c] } }
            }
        }
        if weight.requiresGrad {
            weight.accumulateGrad { dw in
                for r in 0..<rows {
                    for c in 0..<channels { dw[c] += dy[r * channels + c] * normalized[r * channels + c] }
                }
            }
        }
        if x.requiresGrad {
            x.accumulateGrad { dx in
                for r in 0..<rows {
                    let base = r * channels
                    var meanDxhat: Float = 0, meanDxhatXhat: Float = 0
                    for c in 0..<channels {
                        let dxhat = dy[base + c] * weight.data[c]
                        meanDxhat += dxhat
                        meanDxhatXhat += dxhat * normalized[base + c]
                    }
                    meanDxhat /= Float(channels)
                    meanDxhatXhat /= Float(channels)
                    for c in 0..<channels {
                        let dxhat = dy[base + c] * weight.data[c]
                        dx[base + c] += inverseStd[r] * (dxhat - meanDxhat - normalized[base + c] * meanDxhatXhat)
                    }
                }
            }
        }
    }
}
