/// Causal self-attention read at chosen rows only: the queries of the rows we need, the keys and
/// values of every row. A reward model reads one position per row (the last real token), and the
/// RL losses read only the response positions, so the last block needs its output only there.
///
/// Input `qkv` [B*T, 3C] as in `causalSelfAttention`; `rows` are flat row numbers r = b*T + t;
/// output [N, C], row i for rows[i]. For each chosen row r (batch row b, position t) and head h:
///   score[s] = q_r . k_(b,s) / sqrt(hs)   for s <= t
///   att[s]   = softmax(score[0...t])
///   out_r    = sum_s att[s] v_(b,s)
/// the same numbers as row r of `causalSelfAttention` (up to rounding: here a dot product is a
/// loop, there an sgemm). Backward, as there for one query:
///   datt[s] = dout_r . v_s;   dv_s += att[s] dout_r
///   dscore[s] = att[s] (datt[s] - sum_s' att[s'] datt[s']) / sqrt(hs)
///   dq_r += sum_s dscore[s] k_s;   dk_s += dscore[s] q_r
public func causalSelfAttention(_ qkv: Tensor, batch: Int, time: Int, heads: Int, atRows rows: [Int]) -> Tensor {
    let channels = qkv.columns / 3
    precondition(qkv.rows == batch * time && qkv.columns == 3 * channels && channels % heads == 0,
                 "causalSelfAttention: qkv \(qkv.shape) for batch \(batch), time \(time), heads \(heads)")
    for r in rows { precondition(r >= 0 && r < batch * time, "causalSelfAttention: row \(r) outside 0..<\(batch * time)") }
    // out [N, C]; att [N, H, T] kept for backward (0 after position t). Every (row, head) block
    // of both is written whole, so neither is zero-filled first.
    let (output, attention) = uninitializedFloats(rows.count * channels, rows.count * heads * time) { out, att in
        withPointers(qkv.data) { inp in
            attentionAtRowsForward(out, att, inp, rows, time: time, channels: channels, heads: heads)
        }
    }
    return Tensor(shape: [rows.count, channels], data: output, parents: [qkv]) { out in
        withPointers(qkv.data, out.grad!, attention) { inp, dout, att in
            qkv.accumulateGrad { dinp in
                attentionAtRowsBackward(dinp, dout, inp, att, rows, time: time, channels: channels, heads: heads)
            }
        }
    }
}

/// out [N, C] and att [N, H, T] from inp = qkv [B*T, 3C]. The heads are split across threads:
/// each head reads and writes only its own columns, and runs the rows in the same order on any thread.
func attentionAtRowsForward(_ out: UnsafeMutablePointer<Float>, _ att: UnsafeMutablePointer<Float>,
                            _ inp: UnsafePointer<Float>, _ rows: [Int], time: Int, channels: Int, heads: Int) {
    let head = AttentionHead(time: time, channels: channels, heads: heads)
    forEachPart(heads, workPerItem: rows.count * time * head.size) { headRange in
        for h in headRange {
            for (i, r) in rows.enumerated() {
                let position = r % time, first = r - position   // row r is position t of the batch row starting at `first`
                attentionQueryForward(out + i * channels + h * head.size, att + (i * heads + h) * time,
                                      inp + r * head.stride3 + h * head.size,
                                      inp + first * head.stride3 + h * head.size, position: position, head)
            }
        }
    }
}

/// One query row and head: `query` is q_r (hs numbers), `rowStart` the head's q block at position
/// 0 of the same batch row (its keys at + C, values at + 2C, rows 3C apart); out [hs], att [T].
func attentionQueryForward(_ out: UnsafeMutablePointer<Float>, _ att: UnsafeMutablePointer<Float>,
                           _ query: UnsafePointer<Float>, _ rowStart: UnsafePointer<Float>,
                           position t: Int, _ head: AttentionHead) {
    let (size, stride3) = (head.size, head.stride3)
    let keys = rowStart + head.channels, values = rowStart + 2 * head.channels
    // score[s] = q . k_s / sqrt(hs)
    for s in 0...t {
        let key = keys + s * stride3
        var dot: Float = 0
        for j in 0..<size { dot += query[j] * key[j] }
        att[s] = dot * head.scale
    }
    // att = softmax(score[0...t]), then 0 for s > t
    _ = softmaxRow(att, att, t + 1)
    for s in (t + 1)..<head.time { att[s] = 0 }
    // out = sum_s att[s] v_s
    for j in 0..<size { out[j] = 0 }
    for s in 0...t {
        let value = values + s * stride3
        for j in 0..<size { out[j] += att[s] * value[j] }
    }
}

/// dinp [B*T, 3C] += the gradient of qkv from dout [N, C]; heads split across threads as in the forward.
func attentionAtRowsBackward(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                             _ inp: UnsafePointer<Float>, _ att: UnsafePointer<Float>, _ rows: [Int],
                             time: Int, channels: Int, heads: Int) {
    let head = AttentionHead(time: time, channels: channels, heads: heads)
    forEachPart(heads, workPerItem: rows.count * time * head.size) { headRange in
        var scratch = [Float](repeating: 0, count: time)   // datt [T]
        withMutablePointers(&scratch) { datt in
            for h in headRange {
                for (i, r) in rows.enumerated() {
                    let position = r % time, first = r - position
                    let offset = h * head.size
                    attentionQueryBackward(dinp + r * head.stride3 + offset, dinp + first * head.stride3 + offset, datt,
                                           dout + i * channels + offset, att + (i * heads + h) * time,
                                           inp + r * head.stride3 + offset, inp + first * head.stride3 + offset,
                                           position: position, head)
                }
            }
        }
    }
}

/// One query row and head's backward: dquery is dq_r; dRowStart the head's dq block at position 0
/// of the batch row (dk at + C, dv at + 2C); datt a [T] scratch; the rest as in the forward.
func attentionQueryBackward(_ dquery: UnsafeMutablePointer<Float>, _ dRowStart: UnsafeMutablePointer<Float>,
                            _ datt: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                            _ att: UnsafePointer<Float>, _ query: UnsafePointer<Float>,
                            _ rowStart: UnsafePointer<Float>, position t: Int, _ head: AttentionHead) {
    let (size, stride3, channels) = (head.size, head.stride3, head.channels)
    let keys = rowStart + channels, values = rowStart + 2 * channels
    let dkeys = dRowStart + channels, dvalues = dRowStart + 2 * channels
    // datt[s] = dout . v_s;  dv_s += att[s] dout;  weightedSum = sum_s att[s] datt[s]
    var weightedSum: Float = 0
    for s in 0...t {
        let value = values + s * stride3, dvalue = dvalues + s * stride3
        var dot: Float = 0
        for j in 0..<size {
            dot += dout[j] * value[j]
            dvalue[j] += att[s] * dout[j]
        }
        datt[s] = dot
        weightedSum += att[s] * dot
    }
    // dscore[s] = att[s] (datt[s] - weightedSum) / sqrt(hs);  dq += dscore[s] k_s;  dk_s += dscore[s] q
    for s in 0...t {
        let dscore = att[s] * (datt[s] - weightedSum) * head.scale
        let key = keys + s * stride3, dkey = dkeys + s * stride3
        for j in 0..<size {
            dquery[j] += dscore * key[j]
            dkey[j] += dscore * query[j]
        }
    }
}
