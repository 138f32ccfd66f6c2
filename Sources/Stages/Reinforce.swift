import Foundation
import Numerics
import GPT2

/// Stage 6a: policy gradient (REINFORCE) with a reward model and a KL penalty.
///
/// For each of the K samples y of a prompt x:
///   KL(y)   = sum over response tokens of log p_policy(token) - log p_ref(token)   (k1, sequence level)
///   R(y)    = reward_model(x, y) - beta * KL(y)
///   A(y)    = R(y) - baseline
///   loss    = -mean over samples of A(y) * log p_policy(y | x)
/// Baselines: none (A = R); moving (a running mean of R); rloo (leave-one-out: the mean R of
/// the prompt's other K-1 samples); batch (A = (R - mean R) / std R over the batch).
public final class Reinforce: ConfigurableStage {
    public enum Baseline: String, Sendable, CaseIterable { case none, moving, rloo, batch }

    public struct Settings: StageSettings, Equatable {
        public var learningRate: Float = 5e-4
        /// Prompts per step.
        public var prompts = 32
        /// Samples per prompt (K); rloo needs at least 2.
        public var samplesPerPrompt = 2
        /// KL penalty coefficient.
        public var beta: Float = 0.1
        public var baseline = Baseline.batch
        public var sampling = SamplingSettings()
        public var weightDecay: Float = 0
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "pg.lr", upTo: 1e6)
            try requireCount(prompts, "pg.batch", in: 1...4096)
            try requireCount(samplesPerPrompt, "samples", in: baseline == .rloo ? 2...64 : 1...64)
            try requireNumber(beta, "beta", in: 0...100)
            try requireNumber(sampling.temperature, "temperature", in: 0...10)
            try requireNumber(weightDecay, "weight_decay", in: 0...1)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    public let policy: GPT2Model
    public let reference: GPT2Model
    public var reward: RewardFunction
    public let encoder: Encoder
    public var trainingPrompts: [String]
    public var settings: Settings
    public private(set) var stepsDone = 0
    /// The last step's samples, for displays.
    public private(set) var lastRollouts: Rollouts?
    public var trainedParameters: [Tensor] { policy.parameters }
    public var optimizer: any Optimizer { adam }
    let adam: AdamW
    var rng: RandomGenerator
    var movingBaseline: Double?

    public init(policy: GPT2Model, reference: GPT2Model, reward: RewardFunction, encoder: Encoder,
                trainingPrompts: [String], settings: Settings) throws {
        try settings.validate()
        guard !trainingPrompts.isEmpty else { throw HyperparameterError("REINFORCE needs training prompts") }
        self.policy = policy
        self.reference = reference
        self.reward = reward
        self.encoder = encoder
        self.trainingPrompts = trainingPrompts
        self.settings = settings
        adam = AdamW(parameters: policy.parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        rng = RandomGenerator(seed: settings.seed)
    }

    public func step() throws -> StepReport {
        try settings.validate()
        let step = stepsDone + 1
        var rngAfter = rng
        let k = settings.samplesPerPrompt
        let chosen = choosePrompts(trainingPrompts, count: settings.prompts, rng: &rngAfter)
        let prompts = chosen.flatMap { [String](repeating: $0, count: k) }
        let rollouts = makeRollouts(policy: policy, reference: reference, reward: reward, encoder: encoder,
                                    prompts: prompts, sampling: settings.sampling, rng: &rngAfter)
        let temperature = settings.sampling.temperature == 0 ? 1 : settings.sampling.temperature
        // log p_policy(token) with gradients, gathered at the response positions
        let flat = rollouts.positions.flatMap { $0 }
        let rowOf = rollouts.positions.enumerated().flatMap { row, list in list.map { _ in row } }
        let selected = reshape(tokenLogProbabilities(policy, rollouts.batch, atRows: flat, temperature: temperature),
                               [flat.count, 1])
        let n = prompts.count
        var kl = [Double](repeating: 0, count: n), logProbability = [Double](repeating: 0, count: n)
        for (i, row) in rowOf.enumerated() {
            logProbability[row] += Double(selected.data[i])
        }
        for row in 0..<n {
            kl[row] = logProbability[row] - rollouts.referenceLogProbabilities[row].reduce(0) { $0 + Double($1) }
        }
        let returns = (0..<n).map { Double(rollouts.scores[$0]) - Double(settings.beta) * kl[$0] }
        let (baselines, advantages) = advantagesFor(returns: returns, k: k)
        // loss = -(1/n) sum_rows A_row * sum_tokens log p(token): spread A over the row's tokens
        let weights = rowOf.map { Float(-advantages[$0] / Double(n)) }
        let loss = sum(selected * Tensor(shape: [flat.count, 1], data: weights))
        adam.learningRate = settings.learningRate
        adam.weightDecay = settings.weightDecay
        let (updates, norm) = try OptimizationStep(stage: "reinforce", optimizer: adam, gradientClip: settings.gradientClip)
            .apply(loss: loss, step: step)
        if settings.baseline == .moving {
            let batchMean = returns.reduce(0, +) / Double(n)
            movingBaseline = movingBaseline.map { 0.9 * $0 + 0.1 * batchMean } ?? batchMean
        }
        rng = rngAfter
        stepsDone = step
        lastRollouts = rollouts
        let meanScore = rollouts.scores.reduce(0) { $0 + Double($1) } / Double(n)
        let meanKL = kl.reduce(0, +) / Double(n)
        return StepReport(
            stage: "reinforce", step: step, learningRate: adam.learningRate, seed: settings.seed, loss: Double(loss.item),
            metrics: [("objective/scores", meanScore), ("objective/kl", meanKL),
                      ("objective/rlhf_reward", meanScore - Double(settings.beta) * meanKL), ("beta", Double(settings.beta))],
            exampleColumns: ["score", "kl", "reward", "baseline", "advantage", "logprob"],
            examples: (0..<n).map { [Double(rollouts.scores[$0]), kl[$0], returns[$0], baselines[$0], advantages[$0], logProbability[$0]] },
            updates: updates, gradientNorm: norm)
    }

    /// The baseline of each sample and its advantage A = R - baseline (or the whitened R for `batch`).
    func advantagesFor(returns: [Double], k: Int) -> (baselines: [Double], advantages: [Double]) {
        let n = returns.count
        let mean = returns.reduce(0, +) / Double(n)
        switch settings.baseline {
        case .none:
            return ([Double](repeating: 0, count: n), returns)
        case .moving:
            let b = movingBaseline ?? mean
            return ([Double](repeating: b, count: n), returns.map { $0 - b })
        case .rloo:
            var baselines = [Double](repeating: 0, count: n)
            for group in stride(from: 0, to: n, by: k) {
                let total = returns[group..<(group + k)].reduce(0, +)
                for i in group..<(group + k) { baselines[i] = (total - returns[i]) / Double(k - 1) }
            }
            return (baselines, (0..<n).map { returns[$0] - baselines[$0] })
        case .batch:
            let variance = returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
            let std = max(variance.squareRoot(), 1e-6)
            return ([Double](repeating: mean, count: n), returns.map { ($0 - mean) / std })
        }
    }
}
