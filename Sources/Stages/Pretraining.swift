import Foundation
import Numerics
import GPT2

/// Stage 1: pre-training. Next-token prediction on a text corpus.
///
/// Each step draws `batchSize` random windows of n_ctx + 1 tokens from the corpus; the model
/// reads the first n_ctx tokens and is scored on predicting each following token:
///   loss = mean over positions of -log p(token_{t+1} | tokens_{<=t})      perplexity = exp(loss)
public final class Pretraining: ConfigurableStage {
    public struct Settings: StageSettings, Equatable {
        /// AdamW learning rate.
        public var learningRate: Float = 3e-3
        /// Windows per step.
        public var batchSize = 16
        /// Steps of linear learning-rate warm-up from 0.
        public var warmupSteps = 0
        /// AdamW decoupled weight decay.
        public var weightDecay: Float = 0.01
        /// Global gradient-norm clip (0 = off).
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "pretrain.lr", upTo: 1e6)
            try requireCount(batchSize, "pretrain.batch", in: 1...1024)
            try requireCount(warmupSteps, "pretrain.warmup", in: 0...1_000_000)
            try requireNumber(weightDecay, "weight_decay", in: 0...1)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    public let model: GPT2Model
    public let corpus: [Int32]
    public var settings: Settings
    public private(set) var stepsDone = 0
    public var trainedParameters: [Tensor] { model.parameters }
    public var optimizer: any Optimizer { adam }
    let adam: AdamW
    var rng: RandomGenerator

    /// `corpus` is the token stream (documents joined by EOS). Throws on bad settings or a corpus
    /// shorter than one window.
    public init(model: GPT2Model, corpus: [Int32], settings: Settings) throws {
        try settings.validate()
        let window = model.config.contextLength + 1
        guard corpus.count >= window else {
            throw HyperparameterError("the corpus has \(corpus.count) tokens; pre-training needs at least \(window) (n_ctx + 1)")
        }
        self.model = model
        self.corpus = corpus
        self.settings = settings
        adam = AdamW(parameters: model.parameters, learningRate: settings.learningRate,
                          beta1: 0.9, beta2: 0.95, weightDecay: settings.weightDecay)
        rng = RandomGenerator(seed: settings.seed)
    }

    /// The learning rate at step `step` (1-based): linear warm-up, then constant.
    func learningRate(at step: Int) -> Float {
        settings.warmupSteps > 0 && step <= settings.warmupSteps
            ? settings.learningRate * Float(step) / Float(settings.warmupSteps) : settings.learningRate
    }

    public func step() throws -> StepReport {
        try settings.validate()
        let time = model.config.contextLength
        let step = stepsDone + 1
        var rngAfter = rng
        var inputs: [[Int32]] = [], targets: [Int32] = []
        for _ in 0..<settings.batchSize {
            let start = rngAfter.nextInt(below: corpus.count - time)
            inputs.append(Array(corpus[start..<(start + time)]))
            targets += corpus[(start + 1)...(start + time)]
        }
        let logits = model.logits(TokenBatch(rows: inputs))
        let loss = crossEntropy(logits, targets: targets)
        adam.learningRate = learningRate(at: step)
        adam.weightDecay = settings.weightDecay
        let (updates, norm) = try OptimizationStep(stage: "pretrain", optimizer: adam,
                                                   gradientClip: settings.gradientClip).apply(loss: loss, step: step)
        rng = rngAfter
        stepsDone = step
        return StepReport(stage: "pretrain", step: step, learningRate: adam.learningRate, seed: settings.seed,
                          loss: Double(loss.item), metrics: [("perplexity", Foundation.exp(Double(loss.item)))],
                          updates: updates, gradientNorm: norm)
    }
}
