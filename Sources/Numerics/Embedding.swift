/// Embedding lookup: y[i, :] = table[ids[i], :]  (table [V, C], ids [N]  ->  y [N, C]);
/// backward adds row i of dy into row ids[i] of dtable.
public func embedding(_ ids: [Int32], _ table: Tensor) -> Tensor {
    let channels = table.columns, vocabulary = table.rows
    for id in ids {
        precondition(id >= 0 && Int(id) < vocabulary, "embedding: id \(id) outside 0..<\(vocabulary)")
    }
    let output = uninitializedFloats(ids.count * channels) { out in
        withPointers(table.data, ids) { tableData, tokens in
            embeddingForward(out, tableData, tokens, count: ids.count, channels: channels)
        }
    }
    return Tensor(shape: [ids.count, channels], data: output, parents: [table]) { out in
        withPointers(out.grad!, ids) { dout, tokens in
            table.accumulateGrad { dtable in embeddingBackward(dtable, dout, tokens, count: ids.count, channels: channels) }
        }
    }
}

/// out[i, :] = table[ids[i], :] for i in 0 ..< count; the rows are split across threads.
func embeddingForward(_ out: UnsafeMutablePointer<Float>, _ table: UnsafePointer<Float>, _ ids: UnsafePointer<Int32>,
                      count: Int, channels: Int) {
    forEachPart(count, workPerItem: channels) { part in
        for i in part {
            let source = Int(ids[i]) * channels
            for c in 0..<channels { out[i * channels + c] = table[source + c] }
        }
    }
}

/// dtable[ids[i], :] += dout[i, :] for i in 0 ..< count. A token may appear many times: its row
/// adds them in order of i, so the channels (not the rows) are split across threads.
func embeddingBackward(_ dtable: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ ids: UnsafePointer<Int32>,
                       count: Int, channels: Int) {
    forEachPart(channels, workPerItem: count) { part in
        for i in 0..<count {
            let target = Int(ids[i]) * channels
            for c in part { dtable[target + c] += dout[i * channels + c] }
        }
    }
}
