import Numerics
import GPT2

/// A reward-model ensemble: K reward models made from the same SFT model with their own heads
/// and seeds, trained on the same comparisons. Where they disagree the reward is uncertain, and
/// a policy that chases one model's mistake finds the others do not share it. Coste et al.
/// (2023, "Reward Model Ensembles Help Mitigate Overoptimization") optimise the mean, or the
/// conservative mean - k * std.
///
///     reward = mean_i r_i - k * std_i r_i      (std over the K members, divided by K)
public func ensembleReward(_ memberRewards: [Float], penalty k: Float) -> Float {
    guard !memberRewards.isEmpty else { return 0 }
    let n = Float(memberRewards.count)
    let mean = memberRewards.reduce(0, +) / n
    guard k != 0 else { return mean }
    let variance = memberRewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    return mean - k * variance.squareRoot()
}

extension RewardFunction {
    /// The ensemble's reward: mean - penalty * std of its members' rewards.
    public init(ensemble: [GPT2Model], encoder: Encoder, penalty: Float = 0) {
        precondition(!ensemble.isEmpty, "an ensemble needs at least one reward model")
        self.init(model: ensemble[0], encoder: encoder)
        self.members = ensemble
        self.penalty = penalty
    }

    /// Each member's raw reward of each response: [member][response] (one EOS kept at the end).
    public func memberScores(promptTokens prompts: [[Int32]], responses: [[Int32]]) -> [[Float]] {
        let stripped = responses.map { $0.last == encoder.eos ? Array($0.dropLast()) : $0 }
        return members.map { member in
            var result: [Float] = []
            withoutGradients {
                for start in stride(from: 0, to: prompts.count, by: 64) {
                    let end = min(start + 64, prompts.count)
                    let batch = encoder.batch(prompts: Array(prompts[start..<end]), responses: Array(stripped[start..<end]))
                    result += member.rewards(batch).data
                }
            }
            return result
        }
    }
}
