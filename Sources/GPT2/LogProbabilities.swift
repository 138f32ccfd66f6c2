import Numerics

/// log p(token at t+1 | tokens up to t) for every position of every row, [B*T].
/// Logits are divided by `temperature` first (PPO trains with the temperature it sampled with).
/// Positions past a row's end hold meaningless values: multiply by a mask before summing.
/// With `responsesOnly`, only the positions that predict a response token (`responseMask`)
/// are computed (`tokenLogProbabilities(_:_:atRows:)`); the others hold 0.
public func tokenLogProbabilities(_ model: GPT2Model, _ batch: TokenBatch, temperature: Float = 1,
                                  responsesOnly: Bool = false) -> Tensor {
    let mask = batch.responseMask
    let responseRows = mask.indices.filter { mask[$0] != 0 }
    guard responsesOnly && !responseRows.isEmpty else {
        var logits = model.logits(batch)
        if temperature != 1 { logits = scale(logits, by: 1 / temperature) }
        return gatherLogProbabilities(logits, ids: batch.nextTokenTargets,
                                      needed: responsesOnly ? mask.map { $0 != 0 } : nil)
    }
    let atRows = tokenLogProbabilities(model, batch, atRows: responseRows, temperature: temperature)
    return reshape(placeRows(reshape(atRows, [responseRows.count, 1]), at: responseRows, count: mask.count), [mask.count])
}

/// log p(token at t+1 | tokens up to t) at chosen flat rows r = b*T + t only, [N]: the last
/// block (`GPT2Model.hiddenStates(_:atRows:)`), the LM head h wte^T [N, V] and the log-softmax
/// run over those N rows instead of all B*T.
public func tokenLogProbabilities(_ model: GPT2Model, _ batch: TokenBatch, atRows rows: [Int],
                                  temperature: Float = 1) -> Tensor {
    var logits = model.logits(fromHidden: model.hiddenStates(batch, atRows: rows))   // [N, V]
    if temperature != 1 { logits = scale(logits, by: 1 / temperature) }
    let targets = batch.nextTokenTargets
    return gatherLogProbabilities(logits, ids: rows.map { targets[$0] })
}

/// The log-probability of each row's response (its tokens and the EOS), [B]:
///   log p(response | prompt) = sum over j in promptLength..<length of log p(token_j | tokens_<j)
public func responseLogProbabilities(_ model: GPT2Model, _ batch: TokenBatch, temperature: Float = 1) -> Tensor {
    let perToken = tokenLogProbabilities(model, batch, temperature: temperature, responsesOnly: true)
    let mask = Tensor(shape: perToken.shape, data: batch.responseMask)
    return sumRows(reshape(perToken * mask, [batch.rows, batch.time]))
}
