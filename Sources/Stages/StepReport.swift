import Numerics

/// What one optimisation step of any stage did, with the real numbers.
public struct StepReport: Sendable {
    /// "pretrain", "sft", "reward", "reinforce", "ppo", "grpo", "dpo".
    public let stage: String
    /// 1 for the first step of this stage.
    public let step: Int
    public let learningRate: Float
    /// The seed the stage's random generator started from.
    public let seed: UInt64
    /// The loss that was minimised at this step.
    public let loss: Double
    /// Named numbers of this step, in display order, e.g. ("accuracy", 0.75), ("kl", 0.12).
    public let metrics: [(name: String, value: Double)]
    /// One row per example that made the loss (per pair, per sample, ...), columns in `exampleColumns`.
    public let exampleColumns: [String]
    public let examples: [[Double]]
    /// Per parameter tensor: gradient norm, update norm, update/weight ratio.
    public let updates: [ParameterUpdate]
    /// The global gradient norm before clipping.
    public let gradientNorm: Double

    public init(stage: String, step: Int, learningRate: Float, seed: UInt64, loss: Double,
                metrics: [(name: String, value: Double)] = [], exampleColumns: [String] = [],
                examples: [[Double]] = [], updates: [ParameterUpdate], gradientNorm: Double) {
        self.stage = stage
        self.step = step
        self.learningRate = learningRate
        self.seed = seed
        self.loss = loss
        self.metrics = metrics
        self.exampleColumns = exampleColumns
        self.examples = examples
        self.updates = updates
        self.gradientNorm = gradientNorm
    }

    /// A metric by name.
    public func metric(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
}

/// Training diverged: a loss or gradient became NaN or infinite. The step was not applied.
public struct DivergenceError: Error, CustomStringConvertible {
    public let stage: String
    public let step: Int
    /// The tensor whose gradient was not finite, or "loss".
    public let tensor: String
    public let learningRate: Float
    /// What was wrong with it.
    public var problem = "is not a finite number"
    public var description: String {
        "\(stage) step \(step): \(tensor == "loss" ? "the loss" : tensor.hasSuffix("(after the update)") ? tensor : "the gradient of \(tensor)") \(problem); " +
        "the step was not applied and the weights are those after step \(step - 1). " +
        "Try a lower learning rate than \(learningRate) or a gradient clip (grad_clip)."
    }
}
