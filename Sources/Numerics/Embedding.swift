/// Embedding lookup: y[i, :] = table[ids[i], :]  (table [V, C], ids [N]  ->  y [N, C]);
/// backward adds row i of dy into row ids[i] of dtable.
public func embedding(_ ids: [Int32], _ table: Tensor) -> Tensor {
    let channels = table.columns, vocabulary = table.rows
    for id in ids {
        precondition(id >= 0 && Int(id) < vocabulary, "embedding: id \(id) outside 0..<\(vocabulary)")
    }
    let output = uninitializedFloats(ids.count * channels) { y in
        table.data.withUnsafeBufferPointer { table in
            ids.withUnsafeBufferPointer { ids in
                forEachPart(ids.count, workPerItem: channels) { part in
                    for i in part {
                        let source = Int(ids[i]) * channels
                        for c in 0..<channels { y[i * channels + c] = table[source + c] }
                    }
                }
            }
        }
    }
    return Tensor(shape: [ids.count, channels], data: output, parents: [table]) { out in
        out.grad!.withUnsafeBufferPointer { dy in
            table.accumulateGrad { dtable in
                // a token may appear many times: its row adds them in order of i, so the
                // channels (not the rows) are split across threads
                forEachPart(channels, workPerItem: ids.count) { part in
                    for (i, id) in ids.enumerated() {
                        let target = Int(id) * channels
                        for c in part { dtable[target + c] += dy[i * channels + c] }
                    }
                }
            }
        }
    }
}
