import Foundation
import Numerics
import GPT2
import Stages

/// `reinforce`, `ppo`, `dpo`: stage 6, policy optimisation (`grpo` is in GRPOCommands.swift).
extension Command {
    static let policyCommands: [Command] = [.reinforce, .ppo, .grpo, .dpo]

    /// The policy, the reference and the reward function every RL verb needs. The reward is the
    /// reward model's score, or with `rl.reward labeler` the rule labeler's score itself.
    static func rlModels(_ session: Session, _ name: String) throws -> (GPT2Model, GPT2Model, RewardFunction) {
        let pipeline = session.pipeline
        let policy = try pipeline.model(.policy, for: name)
        let reference = try pipeline.model(.reference, for: name)
        guard policy.config.vocabSize == reference.config.vocabSize else {
            throw LabError("\(name): the policy and reference models have different vocabularies")
        }
        if session.settings.word("rl.reward") == "labeler" {
            return (policy, reference, RewardFunction(labeler: pipeline.labeler, encoder: pipeline.encoder(for: policy)))
        }
        let rewardModel = try pipeline.model(.reward, for: name)
        guard policy.config.vocabSize == rewardModel.config.vocabSize else {
            throw LabError("\(name): the policy, reference and reward models have different vocabularies")
        }
        if pipeline.rewardEnsemble.count > 1 {
            return (policy, reference, RewardFunction(ensemble: pipeline.rewardEnsemble, encoder: pipeline.encoder(for: rewardModel),
                                                      penalty: session.settings.float("rl.ensemble_k")))
        }
        return (policy, reference, RewardFunction(model: rewardModel, encoder: pipeline.encoder(for: rewardModel)))
    }

    /// True when a running stage uses these models and the same kind of reward.
    static func sameRLModels(_ policy: GPT2Model, _ reference: GPT2Model, _ reward: RewardFunction,
                             as stage: (policy: GPT2Model, reference: GPT2Model, reward: RewardFunction)) -> Bool {
        stage.policy === policy && stage.reference === reference && stage.reward.model === reward.model
            && (stage.reward.labeler == nil) == (reward.labeler == nil)
            && stage.reward.members.count == reward.members.count && stage.reward.penalty == reward.penalty
    }

    static let reinforce = Command(
        "reinforce", group: .policy,
        arguments: "[<steps>]",
        summary: "policy gradient (REINFORCE) with the reward model and a KL penalty",
        help: """
            Each step samples pg.samples responses to each of pg.batch training prompts, scores \
            them with the reward model (with rl.reward labeler: the rule labeler itself, a perfect \
            reward model) and subtracts the KL penalty: \
            R = reward - beta * sum_t (log p_policy - log p_reference). Then \
            loss = -mean(A * log p_policy(response)) with the advantage A = R - baseline \
            (pg.baseline: none, moving average, rloo = mean of the prompt's other samples, or batch = \
            (R - mean) / std). Prints the mean score and KL per step and a few samples.
            """,
        examples: ["reinforce 50", "reinforce 20 --beta 0", "reinforce 10 --pg.baseline rloo --pg.samples 4",
                   "reinforce 50 --rl.reward labeler"],
        repeatsOnEmptyLine: true
    ) { session, args in
        try args.expect(atMost: 1)
        let steps = try args.int(0, name: "steps", default: 10, range: 1...1_000_000)
        let (policy, reference, reward) = try rlModels(session, "reinforce")
        let pipeline = session.pipeline
        let s = session.settings
        var settings = Reinforce.Settings()
        settings.learningRate = s.float("pg.lr")
        settings.prompts = s.int("pg.batch")
        settings.samplesPerPrompt = s.int("pg.samples")
        settings.beta = s.float("beta")
        settings.baseline = Reinforce.Baseline(rawValue: s.word("pg.baseline")) ?? .batch
        settings.sampling = try samplingSettings(session, model: policy, args, promptSets: ["train"])
        settings.weightDecay = s.float("weight_decay")
        settings.gradientClip = s.float("grad_clip")
        let stage = try continueOrStart(pipeline.reinforce, sameModels: {
            sameRLModels(policy, reference, reward, as: ($0.policy, $0.reference, $0.reward))
        }, settings: settings, session: session) {
            try Reinforce(policy: policy, reference: reference, reward: reward, encoder: pipeline.encoder(for: policy),
                          trainingPrompts: PipelineState.prompts("train"), settings: $0)
        }
        pipeline.reinforce = stage
        var run = TrainingRun(session: session, stageName: "reinforce")
        run.describeStep = { "score \(Format.number($0.metric("objective/scores") ?? 0))  kl \(Format.number($0.metric("objective/kl") ?? 0))" }
        let (reports, runDisplays, fields) = try run.run(stage, steps: steps)
        var lines: [Display] = reward.labeler == nil ? [] : [.text("scores by \(reward.source) (rl.reward labeler), not a reward model")]
        if let last = reports.last, let rollouts = stage.lastRollouts {
            lines.append(.text(sampleTable(last, rollouts: rollouts, limit: 4, session: session)))
        }
        lines += runDisplays
        return CommandResult(lines, fields: fields, style: session.renderStyle)
    }

    /// A few samples of the last step with their numbers (score, kl, reward, baseline, advantage, ...).
    static func sampleTable(_ report: StepReport, rollouts: Rollouts, limit: Int, session: Session) -> String {
        var lines = ["last step, \(min(limit, rollouts.prompts.count)) of \(rollouts.prompts.count) samples:"]
        for i in 0..<min(limit, rollouts.prompts.count) {
            lines.append(Format.wrapHanging("  \(rollouts.prompts[i]) -> \(rollouts.texts[i])", width: session.width))
            lines.append(Format.wrapHanging("    " + zip(report.exampleColumns, report.examples[i]).map { "\($0) \(Format.number($1))" }
                                                .joined(separator: "  "), width: session.width))
        }
        return lines.joined(separator: "\n")
    }

    static let ppo = Command(
        "ppo", group: .policy,
        arguments: "[<iterations>] | table [<sample>]",
        summary: "PPO with a KL penalty: rollouts, GAE, clipped updates",
        help: """
            Each iteration samples ppo.batch rollouts, gives every response token the reward \
            -beta * kl_t (kl_estimator k1 or k3) plus the reward model's score (or with rl.reward \
            labeler the rule labeler's) at the last response token, estimates advantages with GAE (gamma, lambda) using a value head that \
            shares the policy's body, whitens them, and takes ppo.epochs passes of minibatches \
            with the clipped objective max(-A ratio, -A clip(ratio, 1 - ppo.clip, 1 + ppo.clip)) \
            plus ppo.vf_coef times the clipped value loss. Prints objective/kl, objective/scores, \
            policy/clipfrac and policy/approxkl. `ppo table N` shows the per-token table of \
            sample N of the last iteration: token, logprob, ref logprob, kl_t, reward_t, value, \
            return, advantage (raw and whitened), ratio, clipped.
            """,
        examples: ["ppo 10", "ppo table 1", "ppo 5 --beta 0.2 --kl_estimator k3"],
        completion: .words(["table"]),
        repeatsOnEmptyLine: true
    ) { session, args in
        let pipeline = session.pipeline
        if args[0] == "table" {
            try args.expect(atMost: 2)
            guard let stage = pipeline.ppo, let rollouts = stage.lastRollouts else {
                throw args.error("no PPO iteration yet", hint: "run `ppo 1` first")
            }
            let index = try args.int(1, name: "sample", default: 1, range: 1...rollouts.prompts.count) - 1
            return tokenTable(stage, rollouts: rollouts, index: index, session: session)
        }
        try args.expect(atMost: 1)
        let steps = try args.int(0, name: "iterations", default: 5, range: 1...1_000_000)
        let (policy, reference, reward) = try rlModels(session, "ppo")
        let s = session.settings
        var settings = PPO.Settings()
        settings.learningRate = s.float("ppo.lr")
        settings.prompts = s.int("ppo.batch")
        settings.epochs = s.int("ppo.epochs")
        settings.minibatch = s.int("ppo.minibatch")
        settings.clipEpsilon = s.float("ppo.clip")
        settings.valueCoefficient = s.float("ppo.vf_coef")
        settings.valueClip = s.float("ppo.vf_clip")
        settings.gamma = s.float("gamma")
        settings.lambda = s.float("lambda")
        settings.beta = s.float("beta")
        settings.klEstimator = KLEstimator(rawValue: s.word("kl_estimator")) ?? .k1
        settings.targetKL = s.float("ppo.target_kl")
        settings.klHorizon = s.float("ppo.kl_horizon")
        settings.sampling = try samplingSettings(session, model: policy, args, promptSets: ["train"])
        settings.gradientClip = s.float("grad_clip")
        let sameModels = { (stage: PPO) in sameRLModels(policy, reference, reward, as: (stage.policy, stage.reference, stage.reward)) }
        if let existing = pipeline.ppo, sameModels(existing), settings.targetKL > 0 {
            settings.beta = existing.settings.beta   // the adaptive KL controller owns beta
        }
        let stage = try continueOrStart(pipeline.ppo, sameModels: sameModels, settings: settings, session: session) {
            try PPO(policy: policy, reference: reference, reward: reward, encoder: pipeline.encoder(for: policy),
                    trainingPrompts: PipelineState.prompts("train"), settings: $0)
        }
        pipeline.ppo = stage
        var run = TrainingRun(session: session, stageName: "ppo")
        run.describeStep = {
            "score \(Format.number($0.metric("objective/scores") ?? 0))  kl \(Format.number($0.metric("objective/kl") ?? 0))" +
            "  clipfrac \(Format.number($0.metric("policy/clipfrac") ?? 0, decimals: 3))  approxkl \(Format.number($0.metric("policy/approxkl") ?? 0))"
        }
        let (reports, runDisplays, fields) = try run.run(stage, steps: steps)
        var lines: [Display] = reward.labeler == nil ? [] : [.text("scores by \(reward.source) (rl.reward labeler), not a reward model")]
        if let last = reports.last {
            lines.append(.text(Format.wrapFields("last iteration: " + last.metrics.map { "\($0.name) \(Format.number($0.value))" }.joined(separator: ", "),
                                                 separator: ", ", width: session.width)))
        }
        lines += runDisplays
        lines.append(.text("(`ppo table 1` shows the per-token numbers of the first rollout)"))
        return CommandResult(lines, fields: fields, style: session.renderStyle)
    }

    static func tokenTable(_ stage: PPO, rollouts: Rollouts, index: Int, session: Session) -> CommandResult {
        let tokenizer = session.pipeline.tokenizer
        let rows = stage.lastTokenTables[index]
        let table = rows.map { r -> [String] in
            [Format.token(tokenizer.token(for: r.token) ?? "?"), Format.number(r.logProbability), Format.number(r.referenceLogProbability),
             Format.number(r.kl), Format.number(r.reward), Format.number(r.value), Format.number(r.returnValue),
             Format.number(r.advantage), Format.number(r.whitenedAdvantage), Format.number(r.ratio), r.clipped ? "yes" : "no"]
        }
        let headers = ["token", "logprob", "ref", "kl_t", "reward_t", "value", "return", "adv", "adv(w)", "ratio", "clipped"]
        let about = "prompt: \(rollouts.prompts[index])\nresponse: \(rollouts.texts[index])\nscore \(Format.number(rollouts.scores[index])) (added to the last token's reward), beta \(Format.number(stage.settings.beta)), \(stage.settings.klEstimator.rawValue)"
        let displays: [Display] = [.text(about), .table(TableDisplay(headers: headers, rows: table, alignments: [.left] + Array(repeating: .right, count: 10),
                                                                     maxWidth: max(session.width, 120)))]
        return CommandResult(displays, fields: ["tokens": .array(rows.map {
            .object(["token": .string(tokenizer.token(for: $0.token) ?? "?"), "logprob": .number(Double($0.logProbability)),
                     "ref_logprob": .number(Double($0.referenceLogProbability)), "kl": .number(Double($0.kl)),
                     "reward": .number(Double($0.reward)), "value": .number(Double($0.value)), "return": .number(Double($0.returnValue)),
                     "advantage": .number(Double($0.advantage)), "whitened_advantage": .number(Double($0.whitenedAdvantage)),
                     "ratio": .number(Double($0.ratio)), "clipped": .bool($0.clipped)])
        })], style: session.renderStyle)
    }

    static let dpo = Command(
        "dpo", group: .policy,
        arguments: "[<steps>]",
        summary: "Direct Preference Optimization: learn from the comparisons without a reward model",
        help: """
            Trains the policy directly on the comparisons, against the frozen reference: \
            loss = -log sigmoid(dpo.beta * ((log p(chosen) - log q(chosen)) - (log p(rejected) - log q(rejected)))) \
            with p the policy, q the reference and log-probabilities summed over the response \
            tokens. It starts at ln 2 = 0.6931 when the policy equals the reference. Prints the \
            implicit rewards beta * (log p - log q) of chosen and rejected responses and how often \
            the chosen one is ahead.
            """,
        examples: ["dpo 50", "dpo 20 --dpo.beta 0.3"],
        repeatsOnEmptyLine: true
    ) { session, args in
        try args.expect(atMost: 1)
        let steps = try args.int(0, name: "steps", default: 20, range: 1...1_000_000)
        let pipeline = session.pipeline
        let policy = try pipeline.model(.policy, for: "dpo")
        let reference = try pipeline.model(.reference, for: "dpo")
        guard !pipeline.preferences.isEmpty else {
            throw args.error("no comparisons yet", hint: "label some with `pair` and `prefer 1|2`, or `autolabel 100`")
        }
        let s = session.settings
        var settings = DPO.Settings()
        settings.learningRate = s.float("dpo.lr")
        settings.batchSize = s.int("dpo.batch")
        settings.beta = s.float("dpo.beta")
        settings.weightDecay = s.float("weight_decay")
        settings.gradientClip = s.float("grad_clip")
        let stage = try continueOrStart(pipeline.dpo, sameModels: { $0.policy === policy && $0.reference === reference },
                                        settings: settings, session: session) {
            try DPO(policy: policy, reference: reference, pairs: pipeline.preferences, encoder: pipeline.encoder(for: policy), settings: $0)
        }
        stage.pairs = pipeline.preferences
        pipeline.dpo = stage
        var run = TrainingRun(session: session, stageName: "dpo")
        run.describeStep = {
            "chosen \(Format.number($0.metric("rewards/chosen") ?? 0))  rejected \(Format.number($0.metric("rewards/rejected") ?? 0))" +
            "  acc \(Format.number($0.metric("rewards/accuracies") ?? 0, decimals: 2))"
        }
        let (_, displays, fields) = try run.run(stage, steps: steps)
        return CommandResult(displays, fields: fields, style: session.renderStyle)
    }
}
