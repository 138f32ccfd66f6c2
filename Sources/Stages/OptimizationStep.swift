import Numerics

/// The part every stage's step shares: backward, the divergence guard, clipping, the update.
///
///   zero gradients -> loss = f(batch) -> backward -> (loss and every gradient finite?)
///   -> clip the global gradient norm -> optimiser step -> report
///
/// If the loss, a gradient or an updated weight is NaN or infinite, or an updated weight is
/// beyond ±`weightLimit`, nothing is applied: the weights and the optimiser state stay as they
/// were, and a `DivergenceError` names the tensor and the step.
public struct OptimizationStep {
    public let stage: String
    public let optimizer: any Optimizer
    /// Global gradient-norm clip (0 = off).
    public var gradientClip: Float

    /// No weight of a working GPT-2 comes near this (trained GPT-2's largest are in the tens);
    /// an update that takes one beyond it overshot: with AdamW every step moves a weight by about
    /// the learning rate, so a learning rate of 1e6 crosses it at the first step.
    public static let weightLimit: Float = 1e4

    public init(stage: String, optimizer: any Optimizer, gradientClip: Float) {
        self.stage = stage
        self.optimizer = optimizer
        self.gradientClip = gradientClip
    }

    /// Runs backward from `loss` and applies one update. Returns (updates, gradient norm).
    public func apply(loss: Tensor, step: Int) throws -> (updates: [ParameterUpdate], gradientNorm: Double) {
        let parameters = optimizer.parameters
        for p in parameters { p.zeroGrad() }
        guard loss.item.isFinite else {
            throw DivergenceError(stage: stage, step: step, tensor: "loss", learningRate: optimizer.learningRate)
        }
        loss.backward()
        if let bad = firstNonFiniteGradient(parameters) {
            for p in parameters { p.zeroGrad() }
            throw DivergenceError(stage: stage, step: step, tensor: bad.name, learningRate: optimizer.learningRate)
        }
        let norm = gradientClip > 0 ? clipGradientNorm(parameters, maxNorm: gradientClip)
                                    : clipGradientNorm(parameters, maxNorm: .infinity)
        // an update can overflow weights even from finite gradients: keep a copy to roll back
        let savedWeights = parameters.map(\.data)
        let savedState = (optimizer as? AdamW)?.state
        let updates = optimizer.step()
        let limit = OptimizationStep.weightLimit
        if let bad = parameters.first(where: { $0.data.contains { !$0.isFinite || abs($0) > limit } }) {
            for (p, saved) in zip(parameters, savedWeights) { p.data = saved }
            if let savedState { (optimizer as? AdamW)?.restore(savedState) }
            let finite = bad.data.allSatisfy(\.isFinite)
            throw DivergenceError(stage: stage, step: step, tensor: bad.name + " (after the update)",
                                  learningRate: optimizer.learningRate,
                                  problem: finite ? "has a weight beyond ±1e4 (the update overshot)" : "is not a finite number")
        }
        return (updates, norm)
    }
}

/// A stage that trains step by step.
public protocol TrainingStage: AnyObject {
    /// Steps completed so far.
    var stepsDone: Int { get }
    /// One optimisation step; throws (without changing anything) on bad data or divergence.
    func step() throws -> StepReport
    /// The tensors this stage trains.
    var trainedParameters: [Tensor] { get }
    /// The optimiser, which keeps the last update of each trained tensor.
    var optimizer: any Optimizer { get }
}

extension TrainingStage {
    /// The gradient of a named trained tensor at the last step.
    public func gradient(of name: String) -> [Float]? { trainedParameters.first { $0.name == name }?.grad }

    /// The change the last step made to a named trained tensor.
    public func update(of name: String) -> [Float]? {
        guard let index = trainedParameters.firstIndex(where: { $0.name == name }),
              index < optimizer.lastUpdates.count else { return nil }
        return optimizer.lastUpdates[index]
    }
}

extension TrainingStage {
    /// Runs up to `steps` steps. `shouldStop` is asked before each step: when it says yes, the
    /// run ends cleanly and the weights are those after the last completed step.
    /// `onStep` sees each report as it is made (for progress displays).
    public func run(steps: Int, shouldStop: () -> Bool = { false },
                    onStep: (StepReport) -> Void = { _ in }) throws -> [StepReport] {
        var reports: [StepReport] = []
        for _ in 0..<steps {
            if shouldStop() { break }
            let report = try step()
            reports.append(report)
            onStep(report)
        }
        return reports
    }
}

/// A stage's hyperparameters: checked before use, with the seed of the stage's random numbers.
public protocol StageSettings: Sendable {
    var seed: UInt64 { get set }
    func validate() throws
}

/// A training stage whose hyperparameters can change between steps (a student's `:set`).
public protocol ConfigurableStage: TrainingStage {
    associatedtype Settings: StageSettings
    var settings: Settings { get set }
}
