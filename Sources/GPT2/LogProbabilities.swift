import Numerics

/// log p(token at t+1 | tokens up to t) for every position of every row, [B*T].
/// Logits are divided by `temperature` first (PPO trains with the temperature it sampled with).
/// Positions past a row's end hold meaningless values: multiply by a mask before summing.
/// With `responsesOnly`, only the positions that predict a response token (`responseMask`)
/// are computed; the others hold 0.
public func tokenLogProbabilities(_ model: GPT2Model, _ batch: TokenBatch, temperature: Float = 1,
                                  responsesOnly: Bool = false) -> Tensor {
    var logits = model.logits(batch)
    if temperature != 1 { logits = scale(logits, by: 1 / temperature) }
    return gatherLogProbabilities(logits, ids: batch.nextTokenTargets,
                                  needed: responsesOnly ? batch.responseMask.map { $0 != 0 } : nil)
}

/// The log-probability of each row's response (its tokens and the EOS), [B]:
///   log p(response | prompt) = sum over j in promptLength..<length of log p(token_j | tokens_<j)
public func responseLogProbabilities(_ model: GPT2Model, _ batch: TokenBatch, temperature: Float = 1) -> Tensor {
    let perToken = tokenLogProbabilities(model, batch, temperature: temperature, responsesOnly: true)
    let mask = Tensor(shape: perToken.shape, data: batch.responseMask)
    return sumRows(reshape(perToken * mask, [batch.rows, batch.time]))
}
