import Foundation
import Numerics
import GPT2
import Stages

/// `grpo`: Group Relative Policy Optimization, and `grpo table`, one group of the last step.
extension Command {
    static let grpo = Command(
        "grpo", group: .policy,
        arguments: "[<steps>] | table [<group>]",
        summary: "GRPO: a group of samples per prompt, advantages relative to the group, no value head",
        help: """
            Each step samples grpo.group responses to each of grpo.batch training prompts and \
            scores them with the reward model (with rl.reward labeler: the rule labeler, a \
            verifiable reward as in RLVR). Each response's advantage is relative to its group: \
            A = (r - mean(r)) / (std(r) + 1e-4), with the Bessel-corrected std as TRL computes it \
            (rewards {1, 0} give +0.7071 and -0.7071). grpo.scale batch divides by the batch's \
            std instead, none not at all (Dr. GRPO). Every token of a response gets its A in the \
            clipped loss -min(ratio A, clip(ratio, 1 - grpo.clip, 1 + grpo.clip) A) plus grpo.beta \
            times the k3 KL to the reference, averaged per response then over responses \
            (grpo.loss grpo) or over all tokens (dapo, TRL's default), for grpo.iterations \
            updates per batch (with 1 the ratio is exactly 1 and nothing clips). Prints TRL's \
            metrics: reward, reward_std, frac_reward_zero_std, kl (per token), \
            clip_ratio/region_mean, entropy, completions/mean_length. `grpo table N` shows group \
            N of the last step: each response with its reward, the group's mean and std, its \
            advantage and its token count; a group whose rewards are all equal has advantage 0.
            """,
        examples: ["grpo 20", "grpo table 1", "grpo 20 --rl.reward labeler", "grpo 10 --grpo.beta 0.04 --grpo.iterations 2",
                   "grpo 10 --grpo.scale none --grpo.loss grpo"],
        completion: .words(["table"]),
        repeatsOnEmptyLine: true
    ) { session, args in
        let pipeline = session.pipeline
        if args[0] == "table" {
            try args.expect(atMost: 2)
            guard let stage = pipeline.grpo, !stage.lastGroups.isEmpty else {
                throw args.error("no GRPO step yet", hint: "run `grpo 1` first")
            }
            let index = try args.int(1, name: "group", default: 1, range: 1...stage.lastGroups.count) - 1
            return groupTable(stage, index: index, session: session)
        }
        try args.expect(atMost: 1)
        let steps = try args.int(0, name: "steps", default: 10, range: 1...1_000_000)
        let (policy, reference, reward) = try rlModels(session, "grpo")
        let s = session.settings
        var settings = GRPO.Settings()
        settings.learningRate = s.float("grpo.lr")
        settings.prompts = s.int("grpo.batch")
        settings.groupSize = s.int("grpo.group")
        settings.clipEpsilon = s.float("grpo.clip")
        settings.iterations = s.int("grpo.iterations")
        settings.beta = s.float("grpo.beta")
        settings.scale = GRPO.Scale(rawValue: s.word("grpo.scale")) ?? .group
        settings.lossType = GRPO.LossType(rawValue: s.word("grpo.loss")) ?? .dapo
        settings.sampling = try samplingSettings(session, model: policy, args, promptSets: ["train"])
        settings.gradientClip = s.float("grad_clip")
        let stage = try continueOrStart(pipeline.grpo, sameModels: {
            sameRLModels(policy, reference, reward, as: ($0.policy, $0.reference, $0.reward))
        }, settings: settings, session: session) {
            try GRPO(policy: policy, reference: reference, reward: reward, encoder: pipeline.encoder(for: policy),
                     trainingPrompts: PipelineState.prompts("train"), settings: $0)
        }
        pipeline.grpo = stage
        var run = TrainingRun(session: session, stageName: "grpo")
        run.describeStep = {
            "reward \(Format.number($0.metric("reward") ?? 0))  reward_std \(Format.number($0.metric("reward_std") ?? 0))" +
            "  zero_std \(Format.number($0.metric("frac_reward_zero_std") ?? 0, decimals: 2))" +
            "  kl \(Format.number($0.metric("kl") ?? 0))  clip \(Format.number($0.metric("clip_ratio/region_mean") ?? 0, decimals: 3))"
        }
        let (reports, runDisplays, fields) = try run.run(stage, steps: steps)
        return CommandResult(stepSummary(reports.last, stage: stage, reward: reward, runDisplays: runDisplays, width: session.width), fields: fields,
                             style: session.renderStyle)
    }

    /// The text after a `grpo` run: where the rewards came from, the last step's TRL metrics,
    /// what iterations 1 means for the ratio, the run summary and a pointer to `grpo table`.
    static func stepSummary(_ last: StepReport?, stage: GRPO, reward: RewardFunction, runDisplays: [Display], width: Int) -> [Display] {
        // each line wrapped as it is added: the metric list between its fields, prose between words
        var lines: [String] = reward.labeler == nil ? [] : [Format.wrapHanging("rewards by \(reward.source) (rl.reward labeler), not a reward model", width: width)]
        if let last {
            lines.append(Format.wrapFields("last step: " + last.metrics.map { "\($0.name) \(Format.number($0.value))" }.joined(separator: ", "),
                                           separator: ", ", width: width))
            let zeroGroups = stage.lastGroups.filter(\.hasZeroStd).count
            if zeroGroups > 0 {
                lines.append(Format.wrapHanging("\(zeroGroups) of \(stage.lastGroups.count) groups had equal rewards: advantage 0, no gradient from them",
                                                width: width))
            }
            if stage.settings.iterations == 1 {
                lines.append(Format.wrapHanging("grpo.iterations 1: each batch is used once, by the policy that sampled it, so ratio = 1 exactly and nothing clips",
                                                width: width))
            }
        }
        let before: [Display] = lines.isEmpty ? [] : [.text(lines.joined(separator: "\n"))]
        return before + runDisplays + [.text("(`grpo table 1` shows the first group of the last step)")]
    }

    /// One group of the last step: prompt, each response's reward, advantage and token count,
    /// the group's mean and Bessel std, and what a zero std means.
    static func groupTable(_ stage: GRPO, index: Int, session: Session) -> CommandResult {
        let group = stage.lastGroups[index]
        let scale = stage.settings.scale
        let std = Format.number(group.standardDeviation)
        // "reward - 1.5000" or "reward + 4.0000", never "reward - -4.0000"
        let centered = "reward \(group.mean < 0 ? "+" : "-") \(Format.number(abs(group.mean)))"
        var lines = ["group \(index + 1) of \(stage.lastGroups.count), step \(stage.stepsDone): \(group.prompt)",
                     "mean \(Format.number(group.mean))  std \(std) (Bessel: divides by n - 1 = \(group.rewards.count - 1))"]
        switch scale {
        case .group: lines.append("advantage = (\(centered)) / (\(std) + 0.0001)   (grpo.scale group)")
        case .batch:
            let batchStd = GRPO.besselStandardDeviation(stage.lastGroups.flatMap(\.rewards))
            lines.append("advantage = (\(centered)) / (\(Format.number(batchStd)) + 0.0001)   (grpo.scale batch: the std of the whole batch)")
        case .none: lines.append("advantage = \(centered)   (grpo.scale none, Dr. GRPO: no division)")
        }
        let rows = group.responses.indices.map { i -> [String] in
            ["\(i + 1)", Format.number(group.rewards[i]), Format.number(group.advantages[i]), "\(group.tokenCounts[i])", group.responses[i]]
        }
        var displays: [Display] = [.text(lines.joined(separator: "\n")),
                                   .table(TableDisplay(headers: ["#", "reward", "advantage", "tokens", "response"], rows: rows,
                                                       alignments: [.right, .right, .right, .right, .left], maxWidth: session.width))]
        if group.hasZeroStd {
            let zeroGroups = stage.lastGroups.filter(\.hasZeroStd).count
            displays.append(.text("every reward is \(Format.number(group.rewards[0])): std 0, so every advantage is 0 and this group adds " +
                         "nothing to the policy loss\(stage.settings.beta > 0 ? " (only the KL term moves it)" : ""). " +
                         "\(zeroGroups) of \(stage.lastGroups.count) groups were like this (frac_reward_zero_std " +
                         "\(Format.number(Double(zeroGroups) / Double(stage.lastGroups.count), decimals: 2)))."))
        }
        return CommandResult(displays, fields: [
            "group": .int(index + 1), "prompt": .string(group.prompt), "mean": .number(group.mean),
            "std": .number(group.standardDeviation), "zero_std": .bool(group.hasZeroStd),
            "responses": .array(group.responses.indices.map { i in
                .object(["response": .string(group.responses[i]), "reward": .number(group.rewards[i]),
                         "advantage": .number(group.advantages[i]), "tokens": .int(group.tokenCounts[i])])
            }),
        ], style: session.renderStyle)
    }
}
