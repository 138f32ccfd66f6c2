import Foundation
import Numerics
import GPT2

/// Stage 6b: Proximal Policy Optimization with a KL penalty (Ziegler et al. 2019; Ouyang et al.
/// 2022; the formulas as TRL's PPOTrainer writes them).
///
/// One `step()` is one PPO iteration:
/// 1. Rollouts: one response per prompt from the policy (temperature T). Every response token i
///    (position j = prompt length + i) gets
///      log-prob   logp_i   = log softmax(logits_{j-1} / T)[token]     (policy, kept as "old")
///      ref        ref_i    = the same under the reference (SFT) model
///      kl_i       = k1: logp_i - ref_i,  or k3: exp(ref_i - logp_i) - 1 - (ref_i - logp_i)
///      reward_i   = -beta * kl_i, plus the reward model's score at the LAST response token
///      value_i    = value head on the hidden state at position j-1 (the state that chooses token i)
/// 2. GAE:  delta_i = reward_i + gamma * value_{i+1} - value_i   (value after the last token = 0)
///          A_i = delta_i + gamma * lambda * A_{i+1};   return_i = A_i + value_i
///    Advantages are whitened (mean 0, std 1 over all response tokens of the batch).
/// 3. `epochs` passes over shuffled minibatches of rows; for each:
///      ratio_i  = exp(logp_new_i - logp_old_i)
///      pg loss  = mean_i max(-A_i ratio_i, -A_i clip(ratio_i, 1 - eps, 1 + eps))
///      vf loss  = 0.5 mean_i max((V_i - return_i)^2, (V_old_i + clip(V_i - V_old_i, -c, c) - return_i)^2)
///      loss     = pg loss + vf_coef * vf loss
/// The value head is one vector [1, C] on the policy's own final hidden states: it SHARES the
/// policy's body, so the value loss (weighted by vf_coef) also moves the body.
/// Optional adaptive KL controller (Ziegler et al. 2019): after each iteration
///   beta *= 1 + clip((KL - target) / target, -0.2, 0.2) * prompts / horizon
public final class PPO: ConfigurableStage {
    public struct Settings: StageSettings, Equatable {
        /// Lower than REINFORCE's: every batch of rollouts is used for several epochs.
        public var learningRate: Float = 1e-4
        /// Rollouts (prompts) per iteration.
        public var prompts = 32
        public var epochs = 4
        /// Rows per minibatch.
        public var minibatch = 16
        public var clipEpsilon: Float = 0.2
        public var valueCoefficient: Float = 0.1
        /// Clip range of value predictions around their rollout values (0 = no clipping).
        public var valueClip: Float = 0.2
        public var gamma: Float = 1
        public var lambda: Float = 0.95
        public var beta: Float = 0.1
        public var klEstimator = KLEstimator.k1
        /// Adaptive KL controller target (0 = fixed beta).
        public var targetKL: Float = 0
        public var klHorizon: Float = 10_000
        public var sampling = SamplingSettings()
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "ppo.lr", upTo: 1e6)
            try requireCount(prompts, "ppo.batch", in: 1...4096)
            try requireCount(epochs, "ppo.epochs", in: 1...100)
            try requireCount(minibatch, "ppo.minibatch", in: 1...4096)
            try requirePositive(clipEpsilon, "ppo.clip", upTo: 10)
            try requireNumber(valueCoefficient, "ppo.vf_coef", in: 0...100)
            try requireNumber(valueClip, "ppo.vf_clip", in: 0...1000)
            try requireNumber(gamma, "gamma", in: 0...1)
            try requireNumber(lambda, "lambda", in: 0...1)
            try requireNumber(beta, "beta", in: 0...100)
            try requireNumber(targetKL, "ppo.target_kl", in: 0...1000)
            try requirePositive(klHorizon, "ppo.kl_horizon", upTo: 1e9)
            try requireNumber(sampling.temperature, "temperature", in: 0...10)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    /// One response token of one rollout, as the per-token table shows it.
    public struct TokenRow: Sendable {
        public let token: Int32
        public let logProbability: Float
        public let referenceLogProbability: Float
        public let kl: Float
        public let reward: Float
        public let value: Float
        public let returnValue: Float
        public let advantage: Float
        public let whitenedAdvantage: Float
        /// ratio at the last minibatch that saw this token, and whether it was clipped there.
        public var ratio: Float = 1
        public var clipped = false
    }

    public let policy: GPT2Model
    public let reference: GPT2Model
    public var reward: RewardFunction
    public let encoder: Encoder
    public var trainingPrompts: [String]
    public var settings: Settings
    /// The value head [1, C] on the policy's hidden states.
    public let valueHead: Tensor
    public private(set) var stepsDone = 0
    public private(set) var lastRollouts: Rollouts?
    /// Per rollout, per response token: the table of the last iteration.
    public private(set) var lastTokenTables: [[TokenRow]] = []
    public var trainedParameters: [Tensor] { policy.parameters + [valueHead] }
    public var optimizer: any Optimizer { adam }
    let adam: AdamW
    var rng: RandomGenerator

    public init(policy: GPT2Model, reference: GPT2Model, reward: RewardFunction, encoder: Encoder,
                trainingPrompts: [String], settings: Settings) throws {
        try settings.validate()
        guard !trainingPrompts.isEmpty else { throw HyperparameterError("PPO needs training prompts") }
        self.policy = policy
        self.reference = reference
        self.reward = reward
        self.encoder = encoder
        self.trainingPrompts = trainingPrompts
        self.settings = settings
        var headRng = RandomGenerator(seed: settings.seed &+ 0x5EED)
        valueHead = Tensor.randomNormal([1, policy.config.embeddingSize], std: 0.02, rng: &headRng,
                                        requiresGrad: true, name: "value_head.weight")
        adam = AdamW(parameters: policy.parameters + [valueHead], learningRate: settings.learningRate, weightDecay: 0)
        rng = RandomGenerator(seed: settings.seed)
    }

    /// Log-probs and values at the given flat positions, with gradients: ([N, 1], [N, 1]) and the
    /// per-position entropy of the tempered distribution (numbers only).
    func evaluatePositions(_ batch: TokenBatch, _ positions: [Int]) -> (Tensor, Tensor, [Float]) {
        let temperature = settings.sampling.temperature == 0 ? 1 : settings.sampling.temperature
        let chosenHidden = policy.hiddenStates(batch, atRows: positions)
        var logits = policy.logits(fromHidden: chosenHidden)
        if temperature != 1 { logits = scale(logits, by: 1 / temperature) }
        let targets = positions.map { batch.tokens[$0 + 1] }
        let logProbabilities = reshape(gatherLogProbabilities(logits, ids: targets), [positions.count, 1])
        let values = matmul(chosenHidden, valueHead, transposeB: true)
        return (logProbabilities, values, rowEntropies(logits))
    }

    public func step() throws -> StepReport {
        try settings.validate()
        let step = stepsDone + 1
        var rngAfter = rng
        let prompts = choosePrompts(trainingPrompts, count: settings.prompts, rng: &rngAfter)
        let rollouts = makeRollouts(policy: policy, reference: reference, reward: reward, encoder: encoder,
                                    prompts: prompts, sampling: settings.sampling, rng: &rngAfter)
        let n = prompts.count
        // 1. old log-probs and values from the policy before any update
        let allPositions = rollouts.positions.flatMap { $0 }
        let (oldLogTensor, oldValueTensor, entropies) = withoutGradients { evaluatePositions(rollouts.batch, allPositions) }
        var tables: [[TokenRow]] = []
        var offset = 0
        var sequenceKL = [Double](repeating: 0, count: n)
        for row in 0..<n {
            let count = rollouts.positions[row].count
            let old = Array(oldLogTensor.data[offset..<(offset + count)])
            let values = Array(oldValueTensor.data[offset..<(offset + count)])
            let refs = rollouts.referenceLogProbabilities[row]
            var kl = [Float](repeating: 0, count: count), rewards = [Float](repeating: 0, count: count)
            for i in 0..<count {
                kl[i] = settings.klEstimator.estimate(policyLogProbability: old[i], referenceLogProbability: refs[i])
                rewards[i] = -settings.beta * kl[i]
                sequenceKL[row] += Double(kl[i])
            }
            if count > 0 { rewards[count - 1] += rollouts.scores[row] }
            let (advantages, returns) = generalizedAdvantages(rewards: rewards, values: values,
                                                              gamma: settings.gamma, lambda: settings.lambda)
            let responseTokens = rollouts.positions[row].map { rollouts.batch.tokens[$0 + 1] }
            tables.append((0..<count).map {
                TokenRow(token: responseTokens[$0], logProbability: old[$0], referenceLogProbability: refs[$0], kl: kl[$0],
                         reward: rewards[$0], value: values[$0], returnValue: returns[$0], advantage: advantages[$0],
                         whitenedAdvantage: advantages[$0])
            })
            offset += count
        }
        // 2. whiten advantages over every response token of the batch
        let allAdvantages = tables.flatMap { $0.map(\.advantage) }
        let whitened = whiten(allAdvantages)
        offset = 0
        for row in 0..<n {
            for i in tables[row].indices {
                let r = tables[row][i]
                tables[row][i] = TokenRow(token: r.token, logProbability: r.logProbability,
                                          referenceLogProbability: r.referenceLogProbability, kl: r.kl, reward: r.reward,
                                          value: r.value, returnValue: r.returnValue, advantage: r.advantage,
                                          whitenedAdvantage: whitened[offset + i])
            }
            offset += tables[row].count
        }
        // 3. epochs of minibatches; roll everything back if any minibatch diverges
        let savedWeights = trainedParameters.map(\.data)
        let savedState = adam.state
        var losses: [Double] = [], clipped = 0, counted = 0, approxKL = 0.0, valueLosses: [Double] = []
        var lastUpdates: [ParameterUpdate] = [], lastNorm = 0.0
        adam.learningRate = settings.learningRate
        var minibatchNumber = 0
        do {
            for _ in 0..<settings.epochs {
                var order = Array(0..<n)
                rngAfter.shuffle(&order)
                for start in stride(from: 0, to: n, by: settings.minibatch) {
                    let rows = Array(order[start..<min(start + settings.minibatch, n)])
                    minibatchNumber += 1
                    let result = try minibatchStep(rows: rows, rollouts: rollouts, tables: &tables, step: step)
                    losses.append(result.loss)
                    valueLosses.append(result.valueLoss)
                    clipped += result.clipped
                    counted += result.tokens
                    approxKL += result.approxKLSum
                    lastUpdates = result.updates
                    lastNorm = result.gradientNorm
                }
            }
        } catch {
            for (p, saved) in zip(trainedParameters, savedWeights) { p.data = saved }
            adam.restore(savedState)
            throw error
        }
        // 4. adaptive KL controller
        let meanKL = sequenceKL.reduce(0, +) / Double(n)
        if settings.targetKL > 0 {
            let proportionalError = min(max((Float(meanKL) - settings.targetKL) / settings.targetKL, -0.2), 0.2)
            settings.beta *= 1 + proportionalError * Float(n) / settings.klHorizon
        }
        rng = rngAfter
        stepsDone = step
        lastRollouts = rollouts
        lastTokenTables = tables
        let meanScore = rollouts.scores.reduce(0) { $0 + Double($1) } / Double(n)
        let tokenCount = max(1, counted)
        return StepReport(
            stage: "ppo", step: step, learningRate: adam.learningRate, seed: settings.seed,
            loss: losses.reduce(0, +) / Double(max(1, losses.count)),
            metrics: [("objective/kl", meanKL), ("objective/scores", meanScore),
                      ("objective/rlhf_reward", meanScore - Double(settings.beta) * meanKL),
                      ("policy/clipfrac", Double(clipped) / Double(tokenCount)),
                      ("policy/approxkl", approxKL / Double(tokenCount)),
                      ("loss/value", valueLosses.reduce(0, +) / Double(max(1, valueLosses.count))),
                      ("policy/entropy", Double(entropies.reduce(0, +)) / Double(max(1, entropies.count))),
                      ("beta", Double(settings.beta))],
            exampleColumns: ["score", "kl", "rlhf_reward", "tokens"],
            examples: (0..<n).map { [Double(rollouts.scores[$0]), sequenceKL[$0],
                                     Double(rollouts.scores[$0]) - Double(settings.beta) * sequenceKL[$0],
                                     Double(rollouts.positions[$0].count)] },
            updates: lastUpdates, gradientNorm: lastNorm)
    }

    struct MinibatchResult {
        let loss: Double, valueLoss: Double, clipped: Int, tokens: Int, approxKLSum: Double
        let updates: [ParameterUpdate], gradientNorm: Double
    }

    func minibatchStep(rows: [Int], rollouts: Rollouts, tables: inout [[TokenRow]], step: Int) throws -> MinibatchResult {
        let sequences = rows.map { Array(rollouts.batch.tokens[($0 * rollouts.batch.time)..<($0 * rollouts.batch.time + rollouts.batch.lengths[$0])]) }
        let batch = TokenBatch(sequences: sequences, promptLengths: rows.map { rollouts.batch.promptLengths[$0] }, pad: encoder.pad)
        let positions = batch.responsePredictionPositions.flatMap { $0 }
        let rowTables = rows.map { tables[$0] }
        let flatRows = rowTables.flatMap { $0 }
        guard !positions.isEmpty else {
            return MinibatchResult(loss: 0, valueLoss: 0, clipped: 0, tokens: 0, approxKLSum: 0, updates: [], gradientNorm: 0)
        }
        let (logProbabilities, values, _) = evaluatePositions(batch, positions)
        let count = positions.count
        func constant(_ values: [Float]) -> Tensor { Tensor(shape: [count, 1], data: values) }
        let old = constant(flatRows.map(\.logProbability))
        let advantages = constant(flatRows.map(\.whitenedAdvantage))
        let returns = constant(flatRows.map(\.returnValue))
        let oldValues = constant(flatRows.map(\.value))
        let ratio = exponential(logProbabilities - old)
        let unclipped = negate(advantages * ratio)
        let clippedLoss = negate(advantages * clamp(ratio, min: 1 - settings.clipEpsilon, max: 1 + settings.clipEpsilon))
        let policyLoss = mean(maximum(unclipped, clippedLoss))
        var valueLoss = scale(mean(square(values - returns)), by: 0.5)
        if settings.valueClip > 0 {
            let valueClipped = oldValues + clamp(values - oldValues, min: -settings.valueClip, max: settings.valueClip)
            valueLoss = scale(mean(maximum(square(values - returns), square(valueClipped - returns))), by: 0.5)
        }
        let loss = policyLoss + scale(valueLoss, by: settings.valueCoefficient)
        var clippedCount = 0, approxKL = 0.0
        for i in 0..<count {
            if clippedLoss.data[i] > unclipped.data[i] { clippedCount += 1 }
            let d = Double(logProbabilities.data[i] - old.data[i])
            approxKL += 0.5 * d * d
        }
        // remember each token's ratio for the per-token table
        var i = 0
        for row in rows {
            for t in tables[row].indices {
                tables[row][t].ratio = ratio.data[i]
                tables[row][t].clipped = clippedLoss.data[i] > unclipped.data[i]
                i += 1
            }
        }
        let (updates, norm) = try OptimizationStep(stage: "ppo", optimizer: adam, gradientClip: settings.gradientClip)
            .apply(loss: loss, step: step)
        return MinibatchResult(loss: Double(loss.item), valueLoss: Double(valueLoss.item), clipped: clippedCount,
                               tokens: count, approxKLSum: approxKL, updates: updates, gradientNorm: norm)
    }
}

/// Generalized advantage estimation (Schulman et al. 2016) over one response:
///   delta_t = r_t + gamma V_{t+1} - V_t   (V after the last token = 0)
///   A_t = delta_t + gamma lambda A_{t+1};   return_t = A_t + V_t
public func generalizedAdvantages(rewards: [Float], values: [Float], gamma: Float, lambda: Float)
    -> (advantages: [Float], returns: [Float]) {
    precondition(rewards.count == values.count, "GAE: \(rewards.count) rewards, \(values.count) values")
    var advantages = [Float](repeating: 0, count: rewards.count)
    var next: Float = 0, nextValue: Float = 0
    for t in stride(from: rewards.count - 1, through: 0, by: -1) {
        let delta = rewards[t] + gamma * nextValue - values[t]
        next = delta + gamma * lambda * next
        advantages[t] = next
        nextValue = values[t]
    }
    return (advantages, zip(advantages, values).map { $0 + $1 })
}

/// (x - mean) / (std + 1e-8) over all values, with the population standard deviation.
public func whiten(_ values: [Float]) -> [Float] {
    guard values.count > 1 else { return values }
    let mean = values.reduce(0, +) / Float(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
    let std = variance.squareRoot()
    return values.map { ($0 - mean) / (std + 1e-8) }
}
