import Foundation
import Numerics
import GPT2

/// Direct Preference Optimization (Rafailov et al. 2023): learn from the comparisons directly,
/// without a reward model or sampling. With log-probabilities summed over completion tokens
/// (the response and its EOS), policy p and reference q:
///   reward_c = beta * (log p(chosen) - log q(chosen))      ("implicit reward")
///   reward_r = beta * (log p(rejected) - log q(rejected))
///   loss     = -log sigmoid(reward_c - reward_r)            (= ln 2 when p = q)
public final class DPO: ConfigurableStage {
    public struct Settings: StageSettings, Equatable {
        public var learningRate: Float = 3e-4
        /// Pairs per step.
        public var batchSize = 16
        public var beta: Float = 0.1
        public var weightDecay: Float = 0
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "dpo.lr", upTo: 1e6)
            try requireCount(batchSize, "dpo.batch", in: 1...1024)
            try requirePositive(beta, "dpo.beta", upTo: 100)
            try requireNumber(weightDecay, "weight_decay", in: 0...1)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    public let policy: GPT2Model
    public let reference: GPT2Model
    public let encoder: Encoder
    public var pairs: [Comparison]
    public var settings: Settings
    public private(set) var stepsDone = 0
    public var trainedParameters: [Tensor] { policy.parameters }
    public var optimizer: any Optimizer { sgd ?? adam }
    let adam: AdamW
    var sgd: SGD?
    var sampler: EpochSampler

    public init(policy: GPT2Model, reference: GPT2Model, pairs: [Comparison], encoder: Encoder, settings: Settings) throws {
        try settings.validate()
        self.policy = policy
        self.reference = reference
        self.pairs = pairs
        self.encoder = encoder
        self.settings = settings
        adam = AdamW(parameters: policy.parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        sampler = EpochSampler(seed: settings.seed)
    }

    /// Uses plain SGD with this learning rate from now on (fixture tests).
    public func useSGD(learningRate: Float) { sgd = SGD(parameters: policy.parameters, learningRate: learningRate) }

    /// The DPO loss of some pairs and the implicit rewards (chosen, rejected) of each.
    public func loss(_ chosenPairs: [Comparison]) -> (loss: Tensor, rewardsChosen: [Double], rewardsRejected: [Double]) {
        let prompts = chosenPairs.map(\.prompt)
        let batch = encoder.batch(prompts: prompts + prompts,
                                  responses: chosenPairs.map(\.chosen) + chosenPairs.map(\.rejected))
        let n = chosenPairs.count
        let policyLog = reshape(responseLogProbabilities(policy, batch), [2 * n, 1])
        let referenceLog = withoutGradients { responseLogProbabilities(reference, batch) }
        let logRatio = policyLog - Tensor(shape: [2 * n, 1], data: referenceLog.data)
        let implicitChosen = scale(selectRows(logRatio, Array(0..<n)), by: settings.beta)
        let implicitRejected = scale(selectRows(logRatio, Array(n..<(2 * n))), by: settings.beta)
        let loss = negate(mean(logSigmoid(implicitChosen - implicitRejected)))
        return (loss, implicitChosen.data.map(Double.init), implicitRejected.data.map(Double.init))
    }

    public func step() throws -> StepReport {
        try settings.validate()
        guard !pairs.isEmpty else { throw HyperparameterError("no preference pairs yet: label some with pair/prefer or autolabel") }
        let step = stepsDone + 1
        var samplerAfter = sampler
        let chosen = samplerAfter.nextBatch(size: settings.batchSize, count: pairs.count).map { pairs[$0] }
        let (loss, rewardsChosen, rewardsRejected) = loss(chosen)
        adam.learningRate = settings.learningRate
        adam.weightDecay = settings.weightDecay
        let (updates, norm) = try OptimizationStep(stage: "dpo", optimizer: optimizer, gradientClip: settings.gradientClip)
            .apply(loss: loss, step: step)
        sampler = samplerAfter
        stepsDone = step
        let n = Double(chosen.count)
        let margins = zip(rewardsChosen, rewardsRejected).map { $0 - $1 }
        return StepReport(
            stage: "dpo", step: step, learningRate: optimizer.learningRate, seed: settings.seed, loss: Double(loss.item),
            metrics: [("rewards/chosen", rewardsChosen.reduce(0, +) / n), ("rewards/rejected", rewardsRejected.reduce(0, +) / n),
                      ("rewards/margins", margins.reduce(0, +) / n),
                      ("rewards/accuracies", Double(margins.filter { $0 > 0 }.count) / n)],
            exampleColumns: ["reward_chosen", "reward_rejected", "margin"],
            examples: (0..<chosen.count).map { [rewardsChosen[$0], rewardsRejected[$0], margins[$0]] },
            updates: updates, gradientNorm: norm)
    }
}
