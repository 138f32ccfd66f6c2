import Foundation
import Numerics
import GPT2
import Stages
import TinyWorld

/// The models a session works with, by role.
public enum Role: String, CaseIterable, Sendable {
    /// The model being trained (pre-training, SFT, REINFORCE, PPO, GRPO, DPO) and sampled.
    case policy
    /// The frozen model the KL penalty and DPO compare against (usually the SFT model).
    case reference
    /// The reward model: the SFT body with a scalar head.
    case reward
    /// The pre-trained model, kept to sample contrast responses for comparisons.
    case base
}

/// Everything the pipeline verbs share: models by role, the tokenizer, the stages in progress,
/// preference labels and the history of every step.
public final class PipelineState {
    public var models: [Role: GPT2Model] = [:]
    /// Where each model came from, for `:models`: "lessons/models/sft", "new", "copy of policy".
    public var origins: [Role: String] = [:]
    /// The tokenizer of the loaded models (the tiny world's by default).
    public var tokenizer: any Tokenizer
    /// How a typed question becomes the model's prompt: `<q> {prompt} <a>` in the tiny world.
    public var promptFormat: PromptFormat

    // Stages in progress, kept between commands so optimiser state carries on.
    var pretraining: Pretraining?
    var supervised: SupervisedFineTuning?
    var rewardTraining: RewardModelTraining?
    /// A reward-model ensemble (`reward init --ensemble K`): every member, the first being the
    /// `reward` role's model; empty for a single reward model. Each member trains in its stage.
    public var rewardEnsemble: [GPT2Model] = []
    var ensembleTraining: [RewardModelTraining] = []
    var reinforce: Reinforce?
    var ppo: PPO?
    var grpo: GRPO?
    var dpo: DPO?
    /// The stage that made the last step, for `grads`, `updates` and `last`.
    var lastStage: (any TrainingStage)?
    public var lastReport: StepReport?

    /// Every comparison labelled in this session (and imported), in order.
    public var preferences: [Comparison] = []
    /// When set (`prefs file PATH`), every new label is appended and fsynced there at once.
    var preferenceStore: PreferenceStore?
    /// The pair shown by `pair`, waiting for `prefer 1|2`.
    var pending: PendingPair?
    /// Seconds the student took for each label (shown by `prefs`).
    public var labelSeconds: [Double] = []

    /// Loss of every step of every stage, in order: (stage, step, loss).
    public var lossHistory: [(stage: String, step: Int, loss: Double)] = []
    /// Every step's loss, gradient norm and metrics, per stage, for `plot`.
    public var stepHistory = StepHistory()
    /// Train and held-out SFT losses measured by `sft eval` or after `sft N`: (step, train, held-out).
    public var sftCurves: [(step: Int, train: Double, heldOut: Double)] = []

    public let labeler = RuleLabeler()
    var corpusCache: (key: String, tokens: [Int32])?
    /// The rows `eval` has produced, for `eval table`.
    public var evaluationRows: [EvaluationRow] = []

    public init() {
        tokenizer = PipelineState.worldTokenizer
        promptFormat = PromptFormat(template: "<q> {prompt} <a>")
    }

    /// The tiny world's word-level tokenizer: special tokens, <unk>, then the world's words.
    public static let worldTokenizer: WordTokenizer = {
        try! WordTokenizer(words: TinyWorld.vocabulary)   // the world's vocabulary is fixed and tested
    }()

    /// Encodes prompts and responses for the current tokenizer and the policy's context.
    func encoder(for model: GPT2Model) -> Encoder {
        Encoder(tokenizer: tokenizer, format: promptFormat, maxLength: model.config.contextLength)
    }

    /// The model in a role, or an error that says how to get one.
    func model(_ role: Role, for command: String) throws -> GPT2Model {
        if let model = models[role] { return model }
        let hint: String
        switch role {
        case .policy: hint = "load one with `:load policy base` (or `:new policy` for a random one)"
        case .reference: hint = "copy the SFT model with `:copy policy reference`, or `:load reference sft`"
        case .reward: hint = "make one with `reward init` (copies the policy) or `:load reward reward`"
        case .base: hint = "`:load base base`"
        }
        throw LabError("\(command): no \(role.rawValue) model", hint: hint)
    }

    /// Puts a model in a role and forgets the stages that were training the old one.
    func setModel(_ model: GPT2Model, role: Role, origin: String) {
        models[role] = model
        origins[role] = origin
        switch role {
        case .policy: pretraining = nil; supervised = nil; reinforce = nil; ppo = nil; grpo = nil; dpo = nil
        case .reference: reinforce = nil; ppo = nil; grpo = nil; dpo = nil
        case .reward: rewardTraining = nil; reinforce = nil; ppo = nil; grpo = nil; rewardEnsemble = []; ensembleTraining = []
        case .base: break
        }
        if let stage = lastStage, !stageIsAlive(stage) { lastStage = nil }
    }

    private func stageIsAlive(_ stage: any TrainingStage) -> Bool {
        let alive: [(any TrainingStage)?] = [pretraining, supervised, rewardTraining, reinforce, ppo, grpo, dpo]
        return alive.contains { $0 === stage }
    }

    /// Adds a label: kept in memory and, when a preference file is open, appended to it at once.
    func record(_ comparison: Comparison) throws {
        if let preferenceStore { try preferenceStore.append(comparison) }
        preferences.append(comparison)
        rewardTraining?.pairs = preferences
        dpo?.pairs = preferences
    }
}

extension Session {
    static let pipelineKey = ArtifactKey<PipelineState>("pipeline")

    /// The session's models, data and stages (created on first use).
    public var pipeline: PipelineState {
        if let state = self[Session.pipelineKey] { return state }
        let state = PipelineState()
        self[Session.pipelineKey] = state
        return state
    }
}
