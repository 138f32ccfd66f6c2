import Foundation
import Numerics
import GPT2

/// Stage 6d: Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath), with the
/// formulas, defaults and metric names of TRL's GRPOTrainer (trl/trainer/grpo_trainer.py).
///
/// One `step()`:
/// 1. For each of `prompts` training prompts, sample a GROUP of `groupSize` responses from the
///    policy and score each one (reward model, or the rule labeler: a verifiable reward).
/// 2. Advantage of response i of a group, the same for all its tokens (no value function):
///      A_i = (r_i - mean(r)) / (std(r) + 1e-4)        std with Bessel's correction (n - 1)
///    A group whose rewards are all equal has A = 0 everywhere: it teaches nothing.
/// 3. `iterations` gradient steps on this batch. For every response token t:
///      ratio_t = exp(logp_t - logp_old_t)          logp_old: the policy that sampled
///      k3_t    = exp(ref_t - logp_t) - (ref_t - logp_t) - 1
///      loss_t  = -min(ratio_t A, clip(ratio_t, 1 - eps, 1 + eps) A) + beta k3_t
///    loss = grpo: mean over responses of (mean over the response's tokens of loss_t)
///           dapo: sum of loss_t over every token / number of tokens (TRL's default)
///    With iterations = 1 the policy IS the one that sampled, so ratio = 1 exactly, nothing
///    clips, and the gradient is that of -A * logp_t (plus the KL term).
public final class GRPO: ConfigurableStage {
    /// How advantages are scaled after subtracting the group mean (TRL's `scale_rewards`).
    public enum Scale: String, Sendable, CaseIterable {
        /// by the group's std (GRPO).
        case group
        /// by the std of every reward of the batch ("Lite PPO").
        case batch
        /// not at all: A = r - mean(r) (Dr. GRPO).
        case none
    }

    /// How per-token losses become one number (TRL's `loss_type`).
    public enum LossType: String, Sendable, CaseIterable {
        /// mean over each response's tokens, then mean over responses (DeepSeekMath).
        case grpo
        /// mean over every token of the batch (DAPO; TRL's default).
        case dapo
    }

    public struct Settings: StageSettings, Equatable {
        public var learningRate: Float = 5e-4
        /// Prompts per step.
        public var prompts = 8
        /// Responses sampled per prompt (G, TRL's num_generations).
        public var groupSize = 8
        /// epsilon in clip(ratio, 1 - epsilon, 1 + epsilon).
        public var clipEpsilon: Float = 0.2
        /// Gradient steps per batch of samples (mu, TRL's num_iterations).
        public var iterations = 1
        /// Weight of the k3 KL to the reference inside the loss (TRL's default 0).
        public var beta: Float = 0
        public var scale = Scale.group
        public var lossType = LossType.dapo
        public var sampling = SamplingSettings()
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "grpo.lr", upTo: 1e6)
            try requireCount(prompts, "grpo.batch", in: 1...1024)
            try requireCount(groupSize, "grpo.group", in: 2...64)
            try requirePositive(clipEpsilon, "grpo.clip", upTo: 1)
            try requireCount(iterations, "grpo.iterations", in: 1...16)
            try requireNumber(beta, "grpo.beta", in: 0...100)
            try requireNumber(sampling.temperature, "temperature", in: 0...10)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    /// One group of the last step, as `grpo table` shows it.
    public struct Group: Sendable {
        public let prompt: String
        public let responses: [String]
        public let rewards: [Double]
        public let mean: Double
        /// The group's std with Bessel's correction (what `scale group` divides by, plus 1e-4).
        public let standardDeviation: Double
        public let advantages: [Double]
        /// Response tokens, EOS included.
        public let tokenCounts: [Int]
        /// All rewards equal: every advantage is 0 and the group adds nothing to the gradient.
        /// As TRL tests it, torch.isclose(std, 0): |std| <= 1e-8 (the mean of equal floats can
        /// differ from them in the last bit).
        public var hasZeroStd: Bool { standardDeviation <= 1e-8 }
    }

    public let policy: GPT2Model
    public let reference: GPT2Model
    public var reward: RewardFunction
    public let encoder: Encoder
    public var trainingPrompts: [String]
    public var settings: Settings
    public private(set) var stepsDone = 0
    public private(set) var lastRollouts: Rollouts?
    public private(set) var lastGroups: [Group] = []
    public var trainedParameters: [Tensor] { policy.parameters }
    public var optimizer: any Optimizer { adam }
    let adam: AdamW
    var rng: RandomGenerator

    public init(policy: GPT2Model, reference: GPT2Model, reward: RewardFunction, encoder: Encoder,
                trainingPrompts: [String], settings: Settings) throws {
        try settings.validate()
        guard !trainingPrompts.isEmpty else { throw HyperparameterError("GRPO needs training prompts") }
        self.policy = policy
        self.reference = reference
        self.reward = reward
        self.encoder = encoder
        self.trainingPrompts = trainingPrompts
        self.settings = settings
        adam = AdamW(parameters: policy.parameters, learningRate: settings.learningRate, weightDecay: 0)
        rng = RandomGenerator(seed: settings.seed)
    }

    public func step() throws -> StepReport {
        try settings.validate()
        let step = stepsDone + 1
        var rngAfter = rng
        let g = settings.groupSize
        // 1. a group of G samples per prompt, scored
        let chosen = choosePrompts(trainingPrompts, count: settings.prompts, rng: &rngAfter)
        let prompts = chosen.flatMap { [String](repeating: $0, count: g) }
        let rollouts = makeRollouts(policy: policy, reference: reference, reward: reward, encoder: encoder,
                                    prompts: prompts, sampling: settings.sampling, rng: &rngAfter)
        let rewards = stride(from: 0, to: prompts.count, by: g).map { start in
            rollouts.scores[start..<(start + g)].map(Double.init)
        }
        // 2. group-relative advantages, one per response
        let advantageGroups = GRPO.advantages(rewards: rewards, scale: settings.scale)
        let lengths = rollouts.positions.map(\.count)
        let count = lengths.reduce(0, +)
        guard count > 0 else { throw HyperparameterError("grpo: every sampled response is empty (max_tokens 0?)") }
        let referenceLogProbabilities = rollouts.referenceLogProbabilities.flatMap { $0 }
        let flatAdvantages = Array(advantageGroups.joined())
        // 3. `iterations` updates; roll everything back if one diverges
        let savedWeights = trainedParameters.map(\.data)
        let savedState = adam.state
        adam.learningRate = settings.learningRate
        var old: [Float]? = nil
        var losses: [Double] = [], clipped = 0.0, kl = 0.0, entropy = 0.0
        var lastUpdates: [ParameterUpdate] = [], lastNorm = 0.0
        do {
            for _ in 0..<settings.iterations {
                let result = loss(rollouts.batch, advantages: flatAdvantages, oldLogProbabilities: old,
                                  referenceLogProbabilities: referenceLogProbabilities)
                // the first pass sees the policy that sampled: its log-probs are the "old" ones
                old = old ?? result.logProbabilities.data
                clipped += Double(result.clippedTokens)
                kl += result.klSum
                entropy += result.entropies.reduce(0) { $0 + Double($1) }
                let (updates, norm) = try OptimizationStep(stage: "grpo", optimizer: adam, gradientClip: settings.gradientClip)
                    .apply(loss: result.loss, step: step)
                losses.append(Double(result.loss.item))
                lastUpdates = updates
                lastNorm = norm
            }
        } catch {
            for (p, saved) in zip(trainedParameters, savedWeights) { p.data = saved }
            adam.restore(savedState)
            throw error
        }
        rng = rngAfter
        stepsDone = step
        lastRollouts = rollouts
        lastGroups = rewards.indices.map { index in
            let start = index * g
            return Group(prompt: chosen[index], responses: Array(rollouts.texts[start..<(start + g)]),
                         rewards: rewards[index], mean: GRPO.mean(rewards[index]),
                         standardDeviation: GRPO.besselStandardDeviation(rewards[index]),
                         advantages: advantageGroups[index], tokenCounts: Array(lengths[start..<(start + g)]))
        }
        // TRL's metrics; reward_std and frac_reward_zero_std are over groups even with scale batch
        // (where TRL looks at the batch's std), because the groups are what the table shows
        let tokens = Double(max(1, count * settings.iterations))
        let groupCount = Double(lastGroups.count)
        return StepReport(
            stage: "grpo", step: step, learningRate: adam.learningRate, seed: settings.seed,
            loss: losses.reduce(0, +) / Double(losses.count),
            metrics: [("reward", lastGroups.reduce(0) { $0 + $1.mean } / groupCount),
                      ("reward_std", lastGroups.reduce(0) { $0 + $1.standardDeviation } / groupCount),
                      ("frac_reward_zero_std", Double(lastGroups.filter(\.hasZeroStd).count) / groupCount),
                      ("kl", kl / tokens),
                      ("clip_ratio/region_mean", clipped / tokens),
                      ("entropy", entropy / tokens),
                      ("completions/mean_length", Double(lengths.reduce(0, +)) / Double(lengths.count)),
                      ("beta", Double(settings.beta))],
            exampleColumns: ["group", "reward", "advantage", "tokens"],
            examples: (0..<prompts.count).map { [Double($0 / g + 1), rewards[$0 / g][$0 % g], advantageGroups[$0 / g][$0 % g], Double(lengths[$0])] },
            updates: lastUpdates, gradientNorm: lastNorm)
    }

    /// What `loss` computed, with TRL's per-token statistics.
    public struct LossResult {
        /// The scalar that is minimised.
        public let loss: Tensor
        /// log p_policy of each response token, rows in order: [N, 1], with gradients.
        public let logProbabilities: Tensor
        /// Entropy of the tempered next-token distribution at each response token.
        public let entropies: [Float]
        /// Tokens in the clipped region: ratio < 1 - eps with A < 0, or ratio > 1 + eps with A > 0.
        public let clippedTokens: Int
        /// Sum over tokens of k3.
        public let klSum: Double
    }

    /// The GRPO loss of a batch of [prompt][response] rows (responses ending with EOS or cut):
    /// `advantages` has one number per row; `oldLogProbabilities` (nil: the policy's own, so
    /// ratio = 1) and `referenceLogProbabilities` one per response token, rows in order.
    ///   loss = sum_t w_t loss_t   (tokenLoss, tokenWeights)
    public func loss(_ batch: TokenBatch, advantages: [Double], oldLogProbabilities: [Float]?,
                     referenceLogProbabilities: [Float]) -> LossResult {
        let positions = batch.responsePredictionPositions
        let lengths = positions.map(\.count)
        let flat = positions.flatMap { $0 }
        let count = flat.count
        let tokenAdvantages = zip(advantages, lengths).flatMap { [Float](repeating: Float($0), count: $1) }
        let (logProbabilities, entropies) = responseLogProbabilities(batch, flat)
        let old = Tensor(shape: [count, 1], data: oldLogProbabilities ?? logProbabilities.data)
        let reference = Tensor(shape: [count, 1], data: referenceLogProbabilities)
        let perToken = GRPO.tokenLoss(logProbabilities: logProbabilities, oldLogProbabilities: old,
                                      referenceLogProbabilities: reference,
                                      advantages: Tensor(shape: [count, 1], data: tokenAdvantages),
                                      clipEpsilon: settings.clipEpsilon, beta: settings.beta)
        let weights = Tensor(shape: [count, 1], data: GRPO.tokenWeights(lengths: lengths, lossType: settings.lossType))
        var clipped = 0, kl = 0.0
        for i in 0..<count {
            let ratio = Foundation.exp(logProbabilities.data[i] - old.data[i])
            let a = tokenAdvantages[i]
            if (ratio < 1 - settings.clipEpsilon && a < 0) || (ratio > 1 + settings.clipEpsilon && a > 0) { clipped += 1 }
            kl += Double(GRPO.k3(logProbability: logProbabilities.data[i], referenceLogProbability: reference.data[i]))
        }
        return LossResult(loss: sum(perToken * weights), logProbabilities: logProbabilities, entropies: entropies,
                          clippedTokens: clipped, klSum: kl)
    }

    /// log p_policy of each response token, with gradients ([N, 1]), and the entropy of the
    /// policy's tempered next-token distribution there (numbers only, for the `entropy` metric).
    func responseLogProbabilities(_ batch: TokenBatch, _ positions: [Int]) -> (Tensor, [Float]) {
        let temperature = settings.sampling.temperature == 0 ? 1 : settings.sampling.temperature
        let hidden = policy.hiddenStates(batch, atRows: positions)
        var logits = policy.logits(fromHidden: hidden)               // [N, vocabulary]
        if temperature != 1 { logits = scale(logits, by: 1 / temperature) }
        let targets = positions.map { batch.tokens[$0 + 1] }
        let logProbabilities = reshape(gatherLogProbabilities(logits, ids: targets), [positions.count, 1])
        return (logProbabilities, rowEntropies(logits))
    }
}

// MARK: - The math, as small pure functions

extension GRPO {
    /// mean(r) = sum_i r_i / n
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// std(r) = sqrt(sum_i (r_i - mean)^2 / (n - 1)): Bessel's correction, as torch.std and TRL's
    /// nanstd (trl/trainer/utils.py) compute it. 0 for fewer than two values.
    public static func besselStandardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// Group-relative advantages (TRL grpo_trainer.py, `_generate_and_score_completions`):
    ///   group:  A_i = (r_i - mean(group)) / (std(group) + 1e-4)
    ///   batch:  A_i = (r_i - mean(group)) / (std(all rewards of the batch) + 1e-4)
    ///   none:   A_i =  r_i - mean(group)                              (Dr. GRPO)
    /// Rewards {1, 0}: mean 0.5, std 0.7071, A = +-0.5 / 0.7072 = +-0.70700 (not +-1).
    public static func advantages(rewards: [[Double]], scale: Scale) -> [[Double]] {
        let batchStd = besselStandardDeviation(rewards.flatMap { $0 })
        return rewards.map { group in
            let m = mean(group)
            switch scale {
            case .group:
                let std = besselStandardDeviation(group)
                return group.map { ($0 - m) / (std + 1e-4) }
            case .batch: return group.map { ($0 - m) / (batchStd + 1e-4) }
            case .none: return group.map { $0 - m }
            }
        }
    }

    /// The per-token GRPO loss (TRL grpo_trainer.py, `_compute_loss`), all tensors [N, 1]:
    ///   ratio_t = exp(logp_t - old_t)
    ///   loss_t  = -min(ratio_t A_t, clip(ratio_t, 1 - eps, 1 + eps) A_t) + beta k3_t
    ///   k3_t    = exp(ref_t - logp_t) - (ref_t - logp_t) - 1
    /// Gradients flow through `logProbabilities` only.
    public static func tokenLoss(logProbabilities: Tensor, oldLogProbabilities: Tensor, referenceLogProbabilities: Tensor,
                                 advantages: Tensor, clipEpsilon: Float, beta: Float) -> Tensor {
        let ratio = exponential(logProbabilities - oldLogProbabilities)
        let clippedRatio = clamp(ratio, min: 1 - clipEpsilon, max: 1 + clipEpsilon)
        let policyLoss = negate(minimum(ratio * advantages, clippedRatio * advantages))
        guard beta != 0 else { return policyLoss }
        let d = referenceLogProbabilities - logProbabilities
        let k3 = addScalar(exponential(d) - d, -1)
        return policyLoss + scale(k3, by: beta)
    }

    /// k3 = exp(ref - logp) - (ref - logp) - 1 for one token: never negative, 0 when they agree.
    public static func k3(logProbability: Float, referenceLogProbability: Float) -> Float {
        let d = referenceLogProbability - logProbability
        return Foundation.exp(d) - d - 1
    }

    /// The weight of each token's loss in the total, so that loss = sum_t w_t loss_t
    /// (responses in order, `lengths[i]` tokens each, B responses, T tokens in all):
    ///   grpo: w_t = 1 / (B * length of t's response)      (mean per response, then over responses)
    ///   dapo: w_t = 1 / T                                  (mean over every token)
    /// With grpo a token of a short response weighs more than one of a long response.
    public static func tokenWeights(lengths: [Int], lossType: LossType) -> [Float] {
        let total = lengths.reduce(0, +)
        switch lossType {
        case .grpo:
            return lengths.flatMap { [Float](repeating: 1 / Float(lengths.count * $0), count: $0) }
        case .dapo:
            return [Float](repeating: 1 / Float(max(1, total)), count: total)
        }
    }
}
