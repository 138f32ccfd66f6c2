import Foundation
import Numerics
import GPT2

/// Stage 5: the reward model learns the labeler's taste from comparisons.
///
/// The model is a copy of the SFT model's body with a scalar head (score [1, C]) instead of the
/// output layer; it reads each [prompt][response][EOS] row and gives one number, r, at the EOS.
/// For a pair (chosen c, rejected r):
///   delta = r_c - r_r - margin
///   loss  = -log sigmoid(delta)              (= ln 2 when r_c = r_r)
///   dloss/ddelta = -sigmoid(-delta)          (= -0.5 when r_c = r_r)
/// plus an optional centering term c * mean((r_c + r_r)^2) that keeps rewards near 0.
/// Only differences of rewards matter, so the model learns the scale by itself.
public final class RewardModelTraining: ConfigurableStage {
    public struct Settings: StageSettings, Equatable {
        public var learningRate: Float = 1e-3
        /// Pairs per step.
        public var batchSize = 16
        /// Subtracted from every delta (0 = plain Bradley-Terry).
        public var margin: Float = 0
        /// Weight of the reward-centering term (0 = off).
        public var centering: Float = 0
        public var weightDecay: Float = 0
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "reward.lr", upTo: 1e6)
            try requireCount(batchSize, "reward.batch", in: 1...1024)
            try requireNumber(margin, "reward.margin", in: -100...100)
            try requireNumber(centering, "reward.center", in: 0...100)
            try requireNumber(weightDecay, "weight_decay", in: 0...1)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    /// One pair's numbers at a step.
    public struct PairResult: Sendable {
        public let rewardChosen: Double
        public let rewardRejected: Double
        /// r_chosen - r_rejected - margin
        public let delta: Double
        public var sigmoidDelta: Double { 1 / (1 + Foundation.exp(-delta)) }
        /// -log sigmoid(delta)
        public var loss: Double { -Double(stableLogSigmoid(Float(delta))) }
        /// dloss/ddelta = -sigmoid(-delta)
        public var lossGradient: Double { -1 / (1 + Foundation.exp(delta)) }
    }

    public let model: GPT2Model
    public let encoder: Encoder
    public var pairs: [Comparison]
    public var heldOut: [Comparison]
    public var settings: Settings
    public private(set) var stepsDone = 0
    public private(set) var lastPairs: [PairResult] = []
    public var trainedParameters: [Tensor] { model.parameters }
    public var optimizer: any Optimizer { sgd ?? adam }
    let adam: AdamW
    /// Plain SGD instead of AdamW (fixture tests compare one SGD step with PyTorch).
    var sgd: SGD?
    var sampler: EpochSampler

    public init(model: GPT2Model, pairs: [Comparison], heldOut: [Comparison] = [], encoder: Encoder,
                settings: Settings) throws {
        try settings.validate()
        guard model.scoreHead != nil else { throw HyperparameterError("the reward model needs a scalar head (reward init)") }
        self.model = model
        self.pairs = pairs
        self.heldOut = heldOut
        self.encoder = encoder
        self.settings = settings
        adam = AdamW(parameters: model.parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        sampler = EpochSampler(seed: settings.seed)
    }

    /// Uses plain SGD with this learning rate from now on.
    public func useSGD(learningRate: Float) { sgd = SGD(parameters: model.parameters, learningRate: learningRate) }

    /// Rewards for the chosen and the rejected response of each pair, one forward pass over 2N rows.
    public func rewards(_ chosenPairs: [Comparison]) -> (chosen: Tensor, rejected: Tensor) {
        let prompts = chosenPairs.map(\.prompt)
        let batch = encoder.batch(prompts: prompts + prompts,
                                  responses: chosenPairs.map(\.chosen) + chosenPairs.map(\.rejected))
        let all = model.rewards(batch)
        let n = chosenPairs.count
        return (selectRows(reshape(all, [2 * n, 1]), Array(0..<n)), selectRows(reshape(all, [2 * n, 1]), Array(n..<(2 * n))))
    }

    /// loss = mean(-log sigmoid(r_c - r_r - margin)) + centering * mean((r_c + r_r)^2)
    public func loss(_ chosenPairs: [Comparison]) -> (loss: Tensor, pairs: [PairResult]) {
        let (chosen, rejected) = rewards(chosenPairs)
        let delta = addScalar(chosen - rejected, -settings.margin)
        var loss = negate(mean(logSigmoid(delta)))
        if settings.centering > 0 { loss = loss + scale(mean(square(chosen + rejected)), by: settings.centering) }
        let results = (0..<chosenPairs.count).map {
            PairResult(rewardChosen: Double(chosen.data[$0]), rewardRejected: Double(rejected.data[$0]), delta: Double(delta.data[$0]))
        }
        return (loss, results)
    }

    public func step() throws -> StepReport {
        try settings.validate()
        guard !pairs.isEmpty else { throw HyperparameterError("no preference pairs yet: label some with pair/prefer or autolabel") }
        let step = stepsDone + 1
        var samplerAfter = sampler
        let chosen = samplerAfter.nextBatch(size: settings.batchSize, count: pairs.count).map { pairs[$0] }
        let (loss, results) = loss(chosen)
        adam.learningRate = settings.learningRate
        adam.weightDecay = settings.weightDecay
        let (updates, norm) = try OptimizationStep(stage: "reward", optimizer: optimizer, gradientClip: settings.gradientClip)
            .apply(loss: loss, step: step)
        sampler = samplerAfter
        stepsDone = step
        lastPairs = results
        let accuracy = Double(results.filter { $0.rewardChosen > $0.rewardRejected }.count) / Double(results.count)
        let meanMargin = results.map { $0.rewardChosen - $0.rewardRejected }.reduce(0, +) / Double(results.count)
        return StepReport(stage: "reward", step: step, learningRate: optimizer.learningRate, seed: settings.seed,
                          loss: Double(loss.item),
                          metrics: [("accuracy", accuracy), ("margin", meanMargin)],
                          exampleColumns: ["r_chosen", "r_rejected", "delta", "sigmoid(delta)", "loss", "dloss/ddelta"],
                          examples: results.map { [$0.rewardChosen, $0.rewardRejected, $0.delta, $0.sigmoidDelta, $0.loss, $0.lossGradient] },
                          updates: updates, gradientNorm: norm)
    }

    /// Accuracy (r_chosen > r_rejected strictly; ties count as wrong), mean loss and mean margin
    /// over a set of comparisons, in batches, without gradients.
    /// The reward model's scores of each comparison's chosen and rejected answers.
    public func pairRewards(_ comparisons: [Comparison]) -> [(chosen: Double, rejected: Double)] {
        var rewards: [(chosen: Double, rejected: Double)] = []
        withoutGradients {
            for start in stride(from: 0, to: comparisons.count, by: 64) {
                let chunk = Array(comparisons[start..<min(start + 64, comparisons.count)])
                rewards += loss(chunk).pairs.map { ($0.rewardChosen, $0.rewardRejected) }
            }
        }
        return rewards
    }

    public func evaluate(_ comparisons: [Comparison]) -> (accuracy: Double, loss: Double, margin: Double) {
        guard !comparisons.isEmpty else { return (0, 0, 0) }
        var correct = 0, totalLoss = 0.0, totalMargin = 0.0
        withoutGradients {
            for start in stride(from: 0, to: comparisons.count, by: 64) {
                let chunk = Array(comparisons[start..<min(start + 64, comparisons.count)])
                for result in loss(chunk).pairs {
                    if result.rewardChosen > result.rewardRejected { correct += 1 }
                    totalLoss += result.loss
                    totalMargin += result.rewardChosen - result.rewardRejected
                }
            }
        }
        let n = Double(comparisons.count)
        return (Double(correct) / n, totalLoss / n, totalMargin / n)
    }
}

/// Scores responses with a reward model, optionally normalised to mean 0 and std 1 over
/// reference-policy samples (as Ziegler et al. 2019 do): score = (r - mean) / std.
///
/// Or, for an experiment, with the labeler itself: the "gold" reward that the reward model
/// only approximates (Gao et al. 2022, "Scaling laws for reward model overoptimization", train
/// policies on a proxy reward model and measure them with a gold one). Training on the gold
/// reward shows how good the policy could get with a perfect reward model.
public struct RewardFunction {
    /// The reward model; nil when `labeler` scores the responses.
    public let model: GPT2Model?
    /// The labeler whose score is the reward, when there is no model.
    public let labeler: (any Labeler)?
    public let encoder: Encoder
    public var mean: Float = 0
    public var standardDeviation: Float = 1
    /// An ensemble's reward models (the first is `model`); empty for a single reward model.
    public var members: [GPT2Model] = []
    /// k in the ensemble's conservative reward mean - k * std (0: the mean).
    public var penalty: Float = 0

    public init(model: GPT2Model, encoder: Encoder) {
        self.model = model
        self.labeler = nil
        self.encoder = encoder
    }

    /// The labeler's score of each response is its reward.
    public init(labeler: any Labeler, encoder: Encoder) {
        self.model = nil
        self.labeler = labeler
        self.encoder = encoder
    }

    /// "the reward model" or "the rule-labeler-v1 labeler", for messages.
    public var source: String { labeler.map { "the \($0.name) labeler" } ?? "the reward model" }

    /// Scores of token-level responses (each response may end with EOS) to `prompts`, the
    /// questions as the person asked them (the labeler reads these; the model reads them encoded).
    public func scores(prompts: [String], responses: [[Int32]]) -> [Float] {
        if let labeler {
            return zip(prompts, responses).map { prompt, response in
                (Float(labeler.judge(prompt: prompt, response: encoder.text(response)).score) - mean) / standardDeviation
            }
        }
        return scores(promptTokens: prompts.map(encoder.prompt), responses: responses)
    }

    /// Scores of token-level responses to encoded prompts, by the reward model (one EOS is kept
    /// at the end of each response). Needs a model.
    public func scores(promptTokens prompts: [[Int32]], responses: [[Int32]]) -> [Float] {
        guard let model else { preconditionFailure("RewardFunction: scores of encoded prompts need a reward model") }
        if members.count > 1 {
            let perMember = memberScores(promptTokens: prompts, responses: responses)
            return prompts.indices.map { i in
                (ensembleReward(perMember.map { $0[i] }, penalty: penalty) - mean) / standardDeviation
            }
        }
        let stripped = responses.map { $0.last == encoder.eos ? Array($0.dropLast()) : $0 }
        var result: [Float] = []
        withoutGradients {
            for start in stride(from: 0, to: prompts.count, by: 64) {
                let end = min(start + 64, prompts.count)
                let batch = encoder.batch(prompts: Array(prompts[start..<end]), responses: Array(stripped[start..<end]))
                result += model.rewards(batch).data.map { ($0 - mean) / standardDeviation }
            }
        }
        return result
    }

    /// Sets mean and std from scores of reference samples.
    public mutating func normalize(prompts: [String], responses: [[Int32]]) {
        mean = 0
        standardDeviation = 1
        let raw = scores(prompts: prompts, responses: responses)
        let m = raw.reduce(0, +) / Float(raw.count)
        let variance = raw.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(raw.count)
        mean = m
        standardDeviation = max(variance.squareRoot(), 1e-6)
    }
}
