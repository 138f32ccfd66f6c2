import Foundation
import Numerics
import GPT2

/// Responses sampled from the policy for a batch of prompts, with everything policy
/// optimisation needs to score them.
public struct Rollouts {
    public let prompts: [String]
    public let promptTokens: [[Int32]]
    /// Sampled response tokens (EOS last when the model stopped by itself).
    public let responses: [[Int32]]
    public let texts: [String]
    /// [prompt][response] rows exactly as sampled.
    public let batch: TokenBatch
    /// Per row, the flat positions whose logits predict each response token.
    public let positions: [[Int]]
    /// Per row, log p_ref(token) of each response token under the reference model.
    public let referenceLogProbabilities: [[Float]]
    /// Reward-model score of each row.
    public let scores: [Float]
}

/// Samples one response for each prompt and scores it with the reward function; the reference
/// model's per-token log-probabilities come from one batched forward pass.
func makeRollouts(policy: GPT2Model, reference: GPT2Model, reward: RewardFunction, encoder: Encoder,
                  prompts: [String], sampling: SamplingSettings, rng: inout RandomGenerator) -> Rollouts {
    let promptTokens = prompts.map(encoder.prompt)
    let samples = sampleResponses(policy, prompts: promptTokens, settings: sampling, eos: encoder.eos, rng: &rng)
    let responses = samples.map(\.tokens)
    let batch = TokenBatch(sequences: zip(promptTokens, responses).map { $0 + $1 },
                           promptLengths: promptTokens.map(\.count), pad: encoder.pad)
    let positions = batch.responsePredictionPositions
    let temperature = sampling.temperature == 0 ? 1 : sampling.temperature
    let referenceAll = withoutGradients { tokenLogProbabilities(reference, batch, temperature: temperature, responsesOnly: true) }
    let referenceLogProbabilities = positions.map { $0.map { referenceAll.data[$0] } }
    let scores = reward.scores(prompts: prompts, responses: responses)
    return Rollouts(prompts: prompts, promptTokens: promptTokens, responses: responses,
                    texts: responses.map(encoder.text), batch: batch, positions: positions,
                    referenceLogProbabilities: referenceLogProbabilities, scores: scores)
}

/// How the KL between the policy and the reference is estimated from sampled tokens,
/// with log-ratio d = log p_policy(token) - log p_ref(token) (Schulman 2020, "Approximating KL divergence"):
///   k1 = d                      unbiased, can be negative for one token
///   k3 = exp(-d) - 1 + d        unbiased, never negative, lower variance
/// Both estimate KL(policy || reference): samples come from the policy.
public enum KLEstimator: String, Sendable, CaseIterable {
    case k1, k3
    public func estimate(policyLogProbability p: Float, referenceLogProbability r: Float) -> Float {
        let d = p - r
        switch self {
        case .k1: return d
        case .k3: return Foundation.exp(-d) - 1 + d
        }
    }
}

/// Picks `count` prompts uniformly at random (with replacement) from a pool.
func choosePrompts(_ pool: [String], count: Int, rng: inout RandomGenerator) -> [String] {
    (0..<count).map { _ in pool[rng.nextInt(below: pool.count)] }
}

/// Entropy -sum_v p_v log p_v of softmax(row) for each row of [N, V] logits (PPO's and GRPO's
/// `entropy` metric).
func rowEntropies(_ logits: Tensor) -> [Float] {
    let rows = logits.rows, vocabulary = logits.columns
    var entropies = [Float](repeating: 0, count: rows)
    var p = [Float](repeating: 0, count: vocabulary)
    logits.data.withUnsafeBufferPointer { l in
        for i in 0..<rows {
            p.withUnsafeMutableBufferPointer { _ = softmaxRow(l.baseAddress! + i * vocabulary, $0.baseAddress!, vocabulary) }
            entropies[i] = -p.reduce(0) { $0 + ($1 > 0 ? $1 * Foundation.log($1) : 0) }
        }
    }
    return entropies
}
