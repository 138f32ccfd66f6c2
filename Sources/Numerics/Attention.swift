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
    // out [B*T, C]; att [B, H, T, T] kept for backward. The kernel sets both completely (the
    // sgemms have beta = 0, the heads' [T, hs] blocks tile out, softmax and the mask fill every
    // att row), so neither is zero-filled first.
    let (output, attention) = uninitializedFloats(batch * time * channels, batch * heads * time * time) { out, att in
        withPointers(qkv.data) { inp in
            attentionForward(out, att, inp, batch: batch, time: time, channels: channels, heads: heads)
        }
    }
    return Tensor(shape: [batch * time, channels], data: output, parents: [qkv]) { out in
        withPointers(qkv.data, out.grad!, attention) { inp, dout, att in
            qkv.accumulateGrad { dinp in
                attentionBackward(dinp, dout, inp, att, batch: batch, time: time, channels: channels, heads: heads)
            }
        }
    }
}

/// out [B*T, C] and att [B, H, T, T] from inp = qkv [B*T, 3C], one (b, h) pair after another
/// (`attentionHeadForward`); the pairs are independent, so they are split across threads.
func attentionForward(_ out: UnsafeMutablePointer<Float>, _ att: UnsafeMutablePointer<Float>,
                      _ inp: UnsafePointer<Float>, batch: Int, time: Int, channels: Int, heads: Int) {
    let head = AttentionHead(time: time, channels: channels, heads: heads)
    forEachHead(batch * heads, time: time, headSize: head.size) { pairs in
        for pair in pairs {
            let (b, h) = pair.quotientAndRemainder(dividingBy: heads)
            attentionHeadForward(out + b * time * channels + h * head.size, att + pair * time * time,
                                 inp + b * time * head.stride3 + h * head.size, head)
        }
    }
}

/// dinp [B*T, 3C] += the gradient of qkv, from dout [B*T, C] and the forward's inp and att, one
/// (b, h) pair after another (`attentionHeadBackward`); each pair writes only its own head's
/// columns of dq, dk, dv, so the pairs are split across threads.
func attentionBackward(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                       _ inp: UnsafePointer<Float>, _ att: UnsafePointer<Float>,
                       batch: Int, time: Int, channels: Int, heads: Int) {
    let head = AttentionHead(time: time, channels: channels, heads: heads)
    forEachHead(batch * heads, time: time, headSize: head.size) { pairs in
        var scratch = [Float](repeating: 0, count: time * time)  // datt, then dscore [T, T]
        withMutablePointers(&scratch) { datt in
            for pair in pairs {
                let (b, h) = pair.quotientAndRemainder(dividingBy: heads)
                let offset = b * time * head.stride3 + h * head.size
                attentionHeadBackward(dinp + offset, datt, dout + b * time * channels + h * head.size,
                                      inp + offset, att + pair * time * time, head)
            }
        }
    }
}

/// The sizes of one head's blocks: T positions, head size hs = C / heads, rows of qkv 3C apart.
struct AttentionHead {
    let time, channels, size, stride3: Int
    /// 1 / sqrt(hs)
    let scale: Float
    init(time: Int, channels: Int, heads: Int) {
        self.time = time
        self.channels = channels
        size = channels / heads
        stride3 = 3 * channels
        scale = 1 / Float(size).squareRoot()
    }
}

/// One (b, h) pair: Q, K, V are the [T, hs] blocks of qkv at `query`, `query + C` and
/// `query + 2C` (rows 3C apart); att is [T, T]; out is [T, hs] with rows C apart.
func attentionHeadForward(_ out: UnsafeMutablePointer<Float>, _ att: UnsafeMutablePointer<Float>,
                          _ query: UnsafePointer<Float>, _ head: AttentionHead) {
    let (time, channels, stride3) = (head.time, head.channels, head.stride3)
    let key = query + channels, value = query + 2 * channels
    // score[t, s] = q_t . k_s / sqrt(hs), for every s (one sgemm)
    BLAS.sgemm(transposeA: false, transposeB: true, m: time, n: time, k: head.size, alpha: head.scale,
               a: query, lda: stride3, b: key, ldb: stride3, c: att)
    // att[t, :] = softmax(score[t, 0...t]), then 0 for s > t
    for t in 0..<time {
        let row = att + t * time
        softmaxRow(row, row, t + 1)
        for s in (t + 1)..<time { row[s] = 0 }
    }
    // out_t = sum_s att[t, s] v_s:  out [T, hs] (rows C apart) = att [T, T] . V [T, hs]
    BLAS.sgemm(transposeA: false, transposeB: false, m: time, n: head.size, k: time,
               a: att, b: value, ldb: stride3, c: out, ldc: channels)
}

/// One (b, h) pair's backward: dquery is this head's dq block of dinp (dk at + C, dv at + 2C),
/// datt a [T, T] scratch, dout [T, hs] with rows C apart; query and att as in the forward.
func attentionHeadBackward(_ dquery: UnsafeMutablePointer<Float>, _ datt: UnsafeMutablePointer<Float>,
                           _ dout: UnsafePointer<Float>, _ query: UnsafePointer<Float>,
                           _ att: UnsafePointer<Float>, _ head: AttentionHead) {
    let (time, channels, stride3, scale) = (head.time, head.channels, head.stride3, head.scale)
    let key = query + channels, value = query + 2 * channels
    let dkey = dquery + channels, dvalue = dquery + 2 * channels
    // datt[t, s] = dout_t . v_s
    BLAS.sgemm(transposeA: false, transposeB: true, m: time, n: time, k: head.size,
               a: dout, lda: channels, b: value, ldb: stride3, c: datt)
    // dv_s += sum_t att[t, s] dout_t:  dV += att^T dout
    BLAS.sgemm(transposeA: true, transposeB: false, m: time, n: head.size, k: time,
               a: att, b: dout, ldb: channels, beta: 1, c: dvalue, ldc: stride3)
    // dscore[t, s] = att[t, s] (datt[t, s] - sum_s' att[t, s'] datt[t, s']) / sqrt(hs)
    for t in 0..<time {
        let attRow = att + t * time, row = datt + t * time
        var weightedSum: Float = 0
        for s in 0...t { weightedSum += attRow[s] * row[s] }
        for s in 0...t { row[s] = attRow[s] * (row[s] - weightedSum) * scale }
        for s in (t + 1)..<time { row[s] = 0 }
    }
    // dq_t += sum_s dscore[t, s] k_s:  dQ += dscore K;   dk_s += sum_t dscore[t, s] q_t:  dK += dscore^T Q
    BLAS.sgemm(transposeA: false, transposeB: false, m: time, n: head.size, k: time,
               a: datt, b: key, ldb: stride3, beta: 1, c: dquery, ldc: stride3)
    BLAS.sgemm(transposeA: true, transposeB: false, m: time, n: head.size, k: time,
               a: datt, b: query, ldb: stride3, beta: 1, c: dkey, ldc: stride3)
}

/// Runs `body` over the (b, h) pairs 0 ..< count, split across the worker threads by
/// `forEachPart` when ComputeThreads.current > 1. Each pair's products and loops are the same
/// whichever thread runs them (the products inside run on that thread), so the numbers do not change.
private func forEachHead(_ count: Int, time: Int, headSize: Int, _ body: (Range<Int>) -> Void) {
    forEachPart(count, workPerItem: time * time * headSize, body)
}

/// The same attention written as plain loops, one query row at a time: the reference that
/// `causalSelfAttention` is tested against (slower: no matrix products). It is the attention at
/// every row, so the per-query loops of AttentionAtRows.swift (`attentionQueryForward` and
/// `attentionQueryBackward`, the formulas above spelled out over s and the head's columns) are
/// the reference.
public func causalSelfAttentionLoops(_ qkv: Tensor, batch: Int, time: Int, heads: Int) -> Tensor {
    causalSelfAttention(qkv, batch: batch, time: time, heads: heads, atRows: Array(0..<batch * time))
}
