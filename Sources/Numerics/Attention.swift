import Foundation

/// Causal multi-head self-attention on packed q, k, v (GPT-2's `c_attn` output).
///
/// Input `qkv` [B*T, 3C] holds q, k, v side by side; output [B*T, C]. For each batch row b,
/// head h and position t (head size hs = C / heads):
///   score[t, s] = q_t . k_s / sqrt(hs)  for s <= t  (later positions are masked out)
///   att[t, :]   = softmax(score[t, :])
///   out_t       = sum_s att[t, s] v_s
/// Backward (as llm.c's attention_backward):
///   datt[t, s]   = dout_t . v_s;   dv_s += att[t, s] dout_t
///   dscore[t, s] = att[t, s] (datt[t, s] - sum_s' att[t, s'] datt[t, s'])
///   dq_t += sum_s dscore[t, s] k_s / sqrt(hs);   dk_s += dscore[t, s] q_t / sqrt(hs)
///
/// The same formulas as `causalSelfAttentionLoops` (which spells them out as loops), written as
/// five matrix products per (b, h): for one head, Q, K, V are [T, hs] blocks of qkv whose rows
/// are 3C apart, so score = Q K^T / sqrt(hs) is one sgemm over all (t, s), and so on. The
/// products also compute the masked s > t half; att is 0 there, so nothing of it reaches the result.
public func causalSelfAttention(_ qkv: Tensor, batch: Int, time: Int, heads: Int) -> Tensor {
    let channels = qkv.columns / 3
    precondition(qkv.rows == batch * time && qkv.columns == 3 * channels && channels % heads == 0,
                 "causalSelfAttention: qkv \(qkv.shape) for batch \(batch), time \(time), heads \(heads)")
    let headSize = channels / heads
    let scale = 1 / Float(headSize).squareRoot()
    let stride3 = 3 * channels
    // Both arrays are set completely below (the sgemms have beta = 0, the heads' [T, hs] blocks
    // tile out, softmax and the mask fill every att row), so neither is zero-filled first.
    var attention: [Float] = []  // [B, H, T, T]
    let output = uninitializedFloats(batch * time * channels) { output in
        attention = uninitializedFloats(batch * heads * time * time) { attention in
            qkv.data.withUnsafeBufferPointer { input in
                // the (b, h) pairs are independent: split across threads (see forEachHead)
                forEachHead(batch * heads, time: time, headSize: headSize) { pairs in
                    for pair in pairs {
                        let (b, h) = pair.quotientAndRemainder(dividingBy: heads)
                        let query = input.baseAddress! + b * time * stride3 + h * headSize  // [T, hs], rows 3C apart
                        let key = query + channels, value = query + 2 * channels
                        let att = attention + (b * heads + h) * time * time  // [T, T]
                        // score[t, s] = q_t . k_s / sqrt(hs), for every s (one sgemm)
                        BLAS.sgemm(transposeA: false, transposeB: true, m: time, n: time, k: headSize, alpha: scale,
                                   a: query, lda: stride3, b: key, ldb: stride3, c: att)
                        // att[t, :] = softmax(score[t, 0...t]), then 0 for s > t
                        for t in 0..<time {
                            let row = att + t * time
                            softmaxRow(row, row, t + 1)
                            for s in (t + 1)..<time { row[s] = 0 }
                        }
                        // out_t = sum_s att[t, s] v_s:  out [T, hs] (rows C apart) = att [T, T] . V [T, hs]
                        BLAS.sgemm(transposeA: false, transposeB: false, m: time, n: headSize, k: time,
                                   a: att, b: value, ldb: stride3,
                                   c: output + b * time * channels + h * headSize, ldc: channels)
                    }
                }
            }
        }
    }
    return Tensor(shape: [batch * time, channels], data: output, parents: [qkv]) { out in
        qkv.accumulateGrad { dinput in
            qkv.data.withUnsafeBufferPointer { input in
                out.grad!.withUnsafeBufferPointer { dout in
                    attention.withUnsafeBufferPointer { attention in
                        // each (b, h) pair writes only its own head's columns of dq, dk, dv
                        forEachHead(batch * heads, time: time, headSize: headSize) { pairs in
                            var scratch = [Float](repeating: 0, count: time * time)  // datt, then dscore [T, T]
                            scratch.withUnsafeMutableBufferPointer { scratch in
                                let datt = scratch.baseAddress!
                                for pair in pairs {
                                    let (b, h) = pair.quotientAndRemainder(dividingBy: heads)
                                    let offset = b * time * stride3 + h * headSize
                                    let query = input.baseAddress! + offset, key = query + channels, value = query + 2 * channels
                                    let dquery = dinput + offset, dkey = dquery + channels, dvalue = dquery + 2 * channels
                                    let doutHead = dout.baseAddress! + b * time * channels + h * headSize  // [T, hs], rows C apart
                                    let att = attention.baseAddress! + (b * heads + h) * time * time
                                    // datt[t, s] = dout_t . v_s
                                    BLAS.sgemm(transposeA: false, transposeB: true, m: time, n: time, k: headSize,
                                               a: doutHead, lda: channels, b: value, ldb: stride3, c: datt)
                                    // dv_s += sum_t att[t, s] dout_t:  dV += att^T dout
                                    BLAS.sgemm(transposeA: true, transposeB: false, m: time, n: headSize, k: time,
                                               a: att, b: doutHead, ldb: channels, beta: 1, c: dvalue, ldc: stride3)
                                    // dscore[t, s] = att[t, s] (datt[t, s] - sum_s' att[t, s'] datt[t, s']) / sqrt(hs)
                                    for t in 0..<time {
                                        let attRow = att + t * time, row = datt + t * time
                                        var weightedSum: Float = 0
                                        for s in 0...t { weightedSum += attRow[s] * row[s] }
                                        for s in 0...t { row[s] = attRow[s] * (row[s] - weightedSum) * scale }
                                        for s in (t + 1)..<time { row[s] = 0 }
                                    }
                                    // dq_t += sum_s dscore[t, s] k_s:  dQ += dscore K;   dk_s += sum_t dscore[t, s] q_t:  dK += dscore^T Q
                                    BLAS.sgemm(transposeA: false, transposeB: false, m: time, n: headSize, k: time,
                                               a: datt, b: key, ldb: stride3, beta: 1, c: dquery, ldc: stride3)
                                    BLAS.sgemm(transposeA: true, transposeB: false, m: time, n: headSize, k: time,
                                               a: datt, b: query, ldb: stride3, beta: 1, c: dkey, ldc: stride3)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Runs `body` over the (b, h) pairs 0 ..< count, split across the worker threads by
/// `forEachPart` when ComputeThreads.current > 1. Each pair's products and loops are the same
/// whichever thread runs them (the products inside run on that thread), so the numbers do not change.
private func forEachHead(_ count: Int, time: Int, headSize: Int, _ body: (Range<Int>) -> Void) {
    forEachPart(count, workPerItem: time * time * headSize, body)
}

/// The same attention written as plain loops over (b, h, t, s), one formula per line: the
/// reference that `causalSelfAttention` is tested against (slower: no matrix products).
public func causalSelfAttentionLoops(_ qkv: Tensor, batch: Int, time: Int, heads: Int) -> Tensor {
    let channels = qkv.columns / 3
    precondition(qkv.rows == batch * time && qkv.columns == 3 * channels && channels % heads == 0,
                 "causalSelfAttention: qkv \(qkv.shape) for batch \(batch), time \(time), heads \(heads)")
    let headSize = channels / heads
    let scale = 1 / Float(headSize).squareRoot()
    let stride3 = 3 * channels
    var output = [Float](repeating: 0, count: batch * time * channels)
    var attention = [Float](repeating: 0, count: batch * heads * time * time)  // [B, H, T, T]
    qkv.data.withUnsafeBufferPointer { input in
        let input = input.baseAddress!
        for b in 0..<batch {
            for h in 0..<heads {
                for t in 0..<time {
                    let query = input + (b * time + t) * stride3 + h * headSize
                    let row = ((b * heads + h) * time + t) * time
                    var maxScore = -Float.infinity
                    for s in 0...t {
                        let key = input + (b * time + s) * stride3 + channels + h * headSize
                        var dot: Float = 0
                        for i in 0..<headSize { dot += query[i] * key[i] }
                        dot *= scale
                        attention[row + s] = dot
                        maxScore = Swift.max(maxScore, dot)
                    }
                    var total: Float = 0
                    for s in 0...t {
                        let e = Foundation.exp(attention[row + s] - maxScore)
                        attention[row + s] = e
                        total += e
                    }
                    let inverse = 1 / total
                    let outBase = (b * time + t) * channels + h * headSize
                    for s in 0...t {
                        attention[row + s] *= inverse
                        let weight = attention[row + s]
                        let value = input + (b * time + s) * stride3 + 2 * channels + h * headSize
                        for i in 0..<headSize { output[outBase + i] += weight * value[i] }
                    }
                }
            }
        }
    }
    return Tensor(shape: [batch * time, channels], data: output, parents: [qkv]) { out in
        let dout = out.grad!
        qkv.accumulateGrad { dinput in
            qkv.data.withUnsafeBufferPointer { input in
                let input = input.baseAddress!
                var dattention = [Float](repeating: 0, count: time)
                for b in 0..<batch {
                    for h in 0..<heads {
                        for t in 0..<time {
                            let row = ((b * heads + h) * time + t) * time
                            let doutBase = (b * time + t) * channels + h * headSize
                            let queryOffset = (b * time + t) * stride3 + h * headSize
                            var weightedSum: Float = 0
                            for s in 0...t {
                                let valueOffset = (b * time + s) * stride3 + 2 * channels + h * headSize
                                var dot: Float = 0
                                for i in 0..<headSize {
                                    dot += dout[doutBase + i] * input[valueOffset + i]
                                    dinput[valueOffset + i] += attention[row + s] * dout[doutBase + i]
                                }
                                dattention[s] = dot
                                weightedSum += attention[row + s] * dot
                            }
                            for s in 0...t {
                                let dscore = attention[row + s] * (dattention[s] - weightedSum) * scale
                                let keyOffset = (b * time + s) * stride3 + channels + h * headSize
                                for i in 0..<headSize {
                                    dinput[queryOffset + i] += dscore * input[keyOffset + i]
                                    dinput[keyOffset + i] += dscore * input[queryOffset + i]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
