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
    let probabilities = uninitializedFloats(logits.count) { pp in
        logits.data.withUnsafeBufferPointer { px in
            rowLosses.withUnsafeMutableBufferPointer { rowLosses in
                // rows are independent: split across threads when ComputeThreads.count > 1
                forEachPart(rows, workPerItem: vocabulary) { part in
                    for r in part {
                        let x = px.baseAddress! + r * vocabulary, p = pp + r * vocabulary
                        guard weights[r] != 0 else {
                            p.initialize(repeating: 0, count: vocabulary)
                            continue
                        }
                        // p = softmax(logits_r); -log p[target] = logsumexp(logits_r) - logits_r[target],
                        // with logsumexp = max + log sum exp(x - max) from the same exps as p
                        let (maxValue, sum) = softmaxRow(x, p, vocabulary)
                        let logNormalizer = maxValue + Foundation.log(sum)
                        rowLosses[r] = logNormalizer - x[Int(targets[r])]
                    }
                }
            }
        }
    }
    // the weighted sum, in row order, in Double
    var total = 0.0
    for r in 0..<rows where weights[r] != 0 { total += Double(weights[r]) * Double(rowLosses[r]) }
    return Tensor(shape: [1], data: [Float(total) * normalizer], parents: [logits]) { out in
        let g = out.grad![0] * normalizer
        probabilities.withUnsafeBufferPointer { pp in
            logits.accumulateGrad { dlogits in
                forEachPart(rows, workPerItem: vocabulary) { part in
                    for r in part where weights[r] != 0 {
                        let dx = dlogits + r * vocabulary, p = pp.baseAddress! + r * vocabulary
                        let w = g * weights[r]
                        for v in 0..<vocabulary { dx[v] += w * p[v] }
                        dx[Int(targets[r])] -= w
                    }
                }
            }
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
    logits.data.withUnsafeBufferPointer { px in
        for r in 0..<rows where needed?[r] ?? true {
            let id = Int(ids[r])
            precondition(id >= 0 && id < vocabulary, "gatherLogProbabilities: id \(id) outside 0..<\(vocabulary)")
            logNormalizers[r] = logSumExp(px.baseAddress! + r * vocabulary, vocabulary)
            output[r] = px[r * vocabulary + id] - logNormalizers[r]
        }
    }
    return Tensor(shape: [rows], data: output, parents: [logits]) { out in
        let dy = out.grad!
        logits.accumulateGrad { dlogits in
            logits.data.withUnsafeBufferPointer { px in
                // p = exp(logits_r - logsumexp_r), one row at a time, eight exps at a time
                var probabilities = [Float](repeating: 0, count: vocabulary)
                probabilities.withUnsafeMutableBufferPointer { p in
                    for r in 0..<rows where dy[r] != 0 {
                        precondition(needed?[r] ?? true, "gatherLogProbabilities: a gradient for a row that was not computed")
                        let base = r * vocabulary
                        for v in 0..<vocabulary { p[v] = px[base + v] - logNormalizers[r] }
                        exp(p.baseAddress!, into: p.baseAddress!, count: vocabulary)
                        for v in 0..<vocabulary { dlogits[base + v] -= dy[r] * p[v] }
                        dlogits[base + Int(ids[r])] += dy[r]
                    }
                }
            }
        }
    }
}
