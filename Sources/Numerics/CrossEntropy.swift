import Foundation

/// Mean next-token cross-entropy over the tokens whose mask is non-zero:
///   loss = sum_i mask_i * (-log softmax(logits_i)[target_i]) / sum_i mask_i
/// (a zero mask leaves out e.g. prompt tokens in SFT; with no counted token the loss is 0).
///   dlogits_i = mask_i / sum(mask) * (softmax(logits_i) - onehot(target_i))
public func crossEntropy(_ logits: Tensor, targets: [Int32], mask: [Float]? = nil) -> Tensor {
    let (rows, vocabulary) = (logits.rows, logits.columns)
    precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
    let weights = mask ?? [Float](repeating: 1, count: rows)
    precondition(weights.count == rows, "crossEntropy: mask of \(weights.count) for \(rows) rows")
    let counted = weights.reduce(0, +)
    let normalizer: Float = counted > 0 ? 1 / counted : 0
    for r in 0..<rows where weights[r] != 0 {
        let target = Int(targets[r])
        precondition(target >= 0 && target < vocabulary, "crossEntropy: target \(target) outside 0..<\(vocabulary)")
    }
    var rowLosses = [Float](repeating: 0, count: rows)   // -log p[target] of each counted row
    // every row of p is written below (a row left out of the mean gets zeros), so no zero-filling first
    let probabilities = uninitializedFloats(logits.count) { probs in
        withPointers(logits.data) { inp in
            withMutablePointers(&rowLosses) { losses in
                crossEntropyForward(losses, probs, inp, targets, weights, rows: rows, vocabulary: vocabulary)
            }
        }
    }
    // the weighted sum, in row order, in Double
    var total = 0.0
    for r in 0..<rows where weights[r] != 0 { total += Double(weights[r]) * Double(rowLosses[r]) }
    return Tensor(shape: [1], data: [Float(total) * normalizer], parents: [logits]) { out in
        let dloss = out.grad![0] * normalizer
        withPointers(probabilities) { probs in
            logits.accumulateGrad { dlogits in
                crossEntropyBackward(dlogits, dloss, probs, targets, weights, rows: rows, vocabulary: vocabulary)
            }
        }
    }
}

/// losses[r] = -log p[target_r] and probs[r] = p = softmax(logits_r) for every row whose weight
/// is non-zero (the other rows of probs get zeros); rows are split across threads.
///   -log p[target] = logsumexp(logits_r) - logits_r[target],  logsumexp = max + log sum exp(x - max)
/// (the sum from the same exps as p).
func crossEntropyForward(_ losses: UnsafeMutablePointer<Float>, _ probs: UnsafeMutablePointer<Float>,
                         _ logits: UnsafePointer<Float>, _ targets: [Int32], _ weights: [Float],
                         rows: Int, vocabulary: Int) {
    forEachPart(rows, workPerItem: vocabulary) { part in
        for r in part {
            let x = logits + r * vocabulary, p = probs + r * vocabulary
            guard weights[r] != 0 else {
                p.initialize(repeating: 0, count: vocabulary)
                continue
            }
            let (maxValue, sum) = softmaxRow(x, p, vocabulary)
            let logNormalizer = maxValue + Foundation.log(sum)
            losses[r] = logNormalizer - x[Int(targets[r])]
        }
    }
}

/// dlogits_r += dloss * weight_r * (p_r - onehot(target_r)) for every counted row, split across
/// threads (dloss = d(loss) / sum(mask)).
func crossEntropyBackward(_ dlogits: UnsafeMutablePointer<Float>, _ dloss: Float, _ probs: UnsafePointer<Float>,
                          _ targets: [Int32], _ weights: [Float], rows: Int, vocabulary: Int) {
    forEachPart(rows, workPerItem: vocabulary) { part in
        for r in part where weights[r] != 0 {
            let dx = dlogits + r * vocabulary, p = probs + r * vocabulary
            let w = dloss * weights[r]
            for v in 0..<vocabulary { dx[v] += w * p[v] }
            dx[Int(targets[r])] -= w
        }
    }
}

/// The log-probability of a chosen token in each row:
///   y_i = log softmax(logits_i)[ids_i]   (logits [N, V], ids [N]  ->  y [N])
///   dlogits_i = dy_i * (onehot(ids_i) - softmax(logits_i))
/// With `needed`, only those rows are computed (the log-softmax is the costly part); the others
/// hold 0 and must not be used (their gradient must be 0), e.g. prompt and padding positions.
public func gatherLogProbabilities(_ logits: Tensor, ids: [Int32], needed: [Bool]? = nil) -> Tensor {
    let (rows, vocabulary) = (logits.rows, logits.columns)
    precondition(ids.count == rows, "gatherLogProbabilities: \(ids.count) ids for \(rows) rows")
    precondition(needed == nil || needed!.count == rows, "gatherLogProbabilities: \(needed!.count) flags for \(rows) rows")
    var output = [Float](repeating: 0, count: rows)
    var logNormalizers = [Float](repeating: 0, count: rows)
    withPointers(logits.data) { inp in
        for r in 0..<rows where needed?[r] ?? true {
            let id = Int(ids[r])
            precondition(id >= 0 && id < vocabulary, "gatherLogProbabilities: id \(id) outside 0..<\(vocabulary)")
            logNormalizers[r] = logSumExp(inp + r * vocabulary, vocabulary)
            output[r] = inp[r * vocabulary + id] - logNormalizers[r]
        }
    }
    return Tensor(shape: [rows], data: output, parents: [logits]) { out in
        let dy = out.grad!
        withPointers(logits.data) { inp in
            logits.accumulateGrad { dlogits in
                logProbabilitiesBackward(dlogits, dy, inp, logNormalizers, ids, needed, rows: rows, vocabulary: vocabulary)
            }
        }
    }
}

/// dlogits_r += dy_r * (onehot(id_r) - p_r),  p_r = exp(logits_r - logsumexp_r), for every row
/// with a gradient, one row at a time, eight exps at a time.
func logProbabilitiesBackward(_ dlogits: UnsafeMutablePointer<Float>, _ dy: [Float], _ logits: UnsafePointer<Float>,
                              _ logNormalizers: [Float], _ ids: [Int32], _ needed: [Bool]?, rows: Int, vocabulary: Int) {
    var probabilities = [Float](repeating: 0, count: vocabulary)
    withMutablePointers(&probabilities) { p in
        for r in 0..<rows where dy[r] != 0 {
            precondition(needed?[r] ?? true, "gatherLogProbabilities: a gradient for a row that was not computed")
            let x = logits + r * vocabulary, dx = dlogits + r * vocabulary
            for v in 0..<vocabulary { p[v] = x[v] - logNormalizers[r] }
            exp(p, into: p, count: vocabulary)
            for v in 0..<vocabulary { dx[v] -= dy[r] * p[v] }
            dx[Int(ids[r])] += dy[r]
        }
    }
}
