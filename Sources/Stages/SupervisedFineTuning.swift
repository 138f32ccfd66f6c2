import Foundation
import Numerics
import GPT2

/// Stage 2: supervised fine-tuning on written prompt/completion pairs.
///
/// Each row is [prompt][completion][EOS]; only the completion and EOS tokens count:
///   loss = sum over completion positions of -log p(token_j | tokens_<j) / number of completion tokens
/// Changing a prompt token's target changes nothing (the mask is 0 there).
public final class SupervisedFineTuning: ConfigurableStage {
    public struct Settings: StageSettings, Equatable {
        /// AdamW learning rate.
        public var learningRate: Float = 1e-3
        /// Examples per step (the whole set if it is smaller).
        public var batchSize = 16
        public var weightDecay: Float = 0.0
        public var gradientClip: Float = 1
        public var seed: UInt64 = 0
        public init() {}

        public func validate() throws {
            try requirePositive(learningRate, "sft.lr", upTo: 1e6)
            try requireCount(batchSize, "sft.batch", in: 1...1024)
            try requireNumber(weightDecay, "weight_decay", in: 0...1)
            try requireNumber(gradientClip, "grad_clip", in: 0...1e6)
        }
    }

    public let model: GPT2Model
    public let examples: [PromptCompletion]
    public let heldOut: [PromptCompletion]
    public let encoder: Encoder
    public var settings: Settings
    public private(set) var stepsDone = 0
    public var trainedParameters: [Tensor] { model.parameters }
    public var optimizer: any Optimizer { adam }
    let adam: AdamW
    var sampler: EpochSampler

    public init(model: GPT2Model, examples: [PromptCompletion], heldOut: [PromptCompletion] = [],
                encoder: Encoder, settings: Settings) throws {
        try settings.validate()
        guard !examples.isEmpty else { throw HyperparameterError("SFT needs at least one prompt/completion example") }
        self.model = model
        self.examples = examples
        self.heldOut = heldOut
        self.encoder = encoder
        self.settings = settings
        adam = AdamW(parameters: model.parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        sampler = EpochSampler(seed: settings.seed)
    }

    /// Completion-only cross-entropy of a set of examples.
    func loss(_ chosen: [PromptCompletion]) -> Tensor {
        let batch = encoder.batch(prompts: chosen.map(\.prompt), responses: chosen.map(\.completion))
        return crossEntropy(model.logits(batch), targets: batch.nextTokenTargets, mask: batch.responseMask)
    }

    public func step() throws -> StepReport {
        try settings.validate()
        let step = stepsDone + 1
        var samplerAfter = sampler
        let chosen = samplerAfter.nextBatch(size: settings.batchSize, count: examples.count).map { examples[$0] }
        let loss = loss(chosen)
        adam.learningRate = settings.learningRate
        adam.weightDecay = settings.weightDecay
        let (updates, norm) = try OptimizationStep(stage: "sft", optimizer: adam, gradientClip: settings.gradientClip)
            .apply(loss: loss, step: step)
        sampler = samplerAfter
        stepsDone = step
        return StepReport(stage: "sft", step: step, learningRate: adam.learningRate, seed: settings.seed,
                          loss: Double(loss.item), updates: updates, gradientNorm: norm)
    }

    /// Completion-only loss over every training example and every held-out example (no
    /// gradients): the two curves that show overfitting when they part.
    public func evaluate() -> (train: Double, heldOut: Double?) {
        withoutGradients {
            (Double(loss(examples).item), heldOut.isEmpty ? nil : Double(loss(heldOut).item))
        }
    }
}
