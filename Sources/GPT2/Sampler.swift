import Foundation
import Numerics

/// One generated token and why it was chosen.
public struct TokenChoice: Sendable {
    public let token: Int32
    /// Its probability in the distribution it was drawn from (after temperature, top-k, top-p).
    public let probability: Float
    /// log p(token) under softmax(logits / temperature): the number PPO and the KL use.
    public let logProbability: Float
    /// The full distributions at this step, when requested.
    public let distribution: NextTokenDistribution?
}

/// A response sampled for one prompt.
public struct SampledResponse: Sendable {
    public let prompt: [Int32]
    /// The response tokens, ending with EOS when the model chose to stop.
    public let tokens: [Int32]
    public let choices: [TokenChoice]
    /// True when the response ended with EOS (not cut off by the token limit or the context).
    public let finished: Bool
    /// Sum of the per-token log-probabilities.
    public var logProbability: Float { choices.reduce(0) { $0 + $1.logProbability } }
}

/// Samples one response per prompt, all rows in lock step through one KV-cached forward pass.
///
/// Row r feeds its own prompt tokens first (its position 0, 1, ...), then samples: at every
/// position where the next token is past the prompt, the next token is drawn from the processed
/// distribution (`processNextToken`) with our seeded generator. A row stops at EOS or after
/// `maxNewTokens`; the batch stops when every row has stopped or the context is full.
/// Sampling K responses for one prompt is one call with the prompt repeated K times.
public func sampleResponses(_ model: GPT2Model, prompts: [[Int32]], settings: SamplingSettings,
                            eos: Int32, rng: inout RandomGenerator,
                            recordDistributions: Bool = false) -> [SampledResponse] {
    guard !prompts.isEmpty else { return [] }
    let rows = prompts.count, vocabulary = model.config.vocabSize
    let longestPrompt = prompts.map(\.count).max()!
    precondition(prompts.allSatisfy { !$0.isEmpty }, "sampleResponses: every prompt needs at least one token")
    let capacity = min(model.config.contextLength, longestPrompt + settings.maxNewTokens)
    precondition(longestPrompt < capacity || settings.maxNewTokens == 0,
                 "sampleResponses: a prompt of \(longestPrompt) tokens leaves no room in a context of \(model.config.contextLength)")
    let engine = IncrementalForward(model: model, rows: rows, capacity: capacity)
    var responses = [[Int32]](repeating: [], count: rows)
    var choices = [[TokenChoice]](repeating: [], count: rows)
    var finished = [Bool](repeating: false, count: rows)
    var inputs = prompts.map { $0[0] }
    var probabilities = [Float](repeating: 0, count: vocabulary)

    for position in 0..<(capacity - 1) {
        engine.step(tokens: inputs)
        var anyActive = false
        for r in 0..<rows {
            if position + 1 < prompts[r].count {           // still reading the prompt
                inputs[r] = prompts[r][position + 1]
                anyActive = true
                continue
            }
            if finished[r] || responses[r].count >= settings.maxNewTokens {
                inputs[r] = eos
                continue
            }
            let choice = engine.withLogits { allLogits -> TokenChoice in
                let logits = allLogits.baseAddress! + r * vocabulary
                // log p under softmax(logits / T) = logit/T - logsumexp(logits/T), T = 1 when greedy
                let logNormalizer = probabilities.withUnsafeMutableBufferPointer { p in
                    processNextToken(logits: logits, count: vocabulary, settings: settings, into: p.baseAddress!)
                }
                let token = settings.temperature == 0
                    ? Int32(probabilities.firstIndex(of: 1) ?? 0)
                    : Int32(probabilities.withUnsafeBufferPointer { rng.nextCategorical($0) })
                let temperature = settings.temperature == 0 ? 1 : settings.temperature
                var distribution: NextTokenDistribution? = nil
                if recordDistributions {
                    distribution = nextTokenDistribution(logits: Array(UnsafeBufferPointer(start: logits, count: vocabulary)),
                                                         settings: settings)
                }
                return TokenChoice(token: token, probability: probabilities[Int(token)],
                                   logProbability: logits[Int(token)] / temperature - logNormalizer,
                                   distribution: distribution)
            }
            responses[r].append(choice.token)
            choices[r].append(choice)
            inputs[r] = choice.token
            if choice.token == eos { finished[r] = true }
            if !finished[r] && responses[r].count < settings.maxNewTokens { anyActive = true }
        }
        if !anyActive { break }
    }
    return (0..<rows).map {
        SampledResponse(prompt: prompts[$0], tokens: responses[$0], choices: choices[$0], finished: finished[$0])
    }
}

/// The model's logits for the token after `prompt` (one row), [V].
public func nextTokenLogits(_ model: GPT2Model, prompt: [Int32]) -> [Float] {
    precondition(!prompt.isEmpty && prompt.count <= model.config.contextLength,
                 "nextTokenLogits: prompt of \(prompt.count) tokens for a context of \(model.config.contextLength)")
    let engine = IncrementalForward(model: model, rows: 1, capacity: prompt.count)
    for token in prompt { engine.step(tokens: [token]) }
    return engine.logits
}
