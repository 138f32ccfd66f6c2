import Foundation
import GPT2
import Stages

/// `plot` and `compare`: what a student would rather look at than read.
extension Command {
    static let viewCommands: [Command] = [.plot, .compare]

    /// Short names a student may type for the metrics the stages report (TRL's names).
    static let metricAliases: [String: [String]] = [
        "reward": ["objective/scores", "reward", "rewards/margins"],
        "score": ["objective/scores", "reward", "rewards/margins"],
        "kl": ["objective/kl", "kl"],
        "accuracy": ["accuracy", "rewards/accuracies"],
        "acc": ["accuracy", "rewards/accuracies"],
        "margin": ["margin", "rewards/margins"],
        "clipfrac": ["policy/clipfrac", "clip_ratio/region_mean"],
        "entropy": ["policy/entropy", "entropy"],
        "ppl": ["perplexity"],
        "grad": ["grad_norm"], "gradnorm": ["grad_norm"], "grad-norm": ["grad_norm"],
    ]

    /// The metric a typed word names among a stage's metrics: the name itself or an alias.
    static func metricName(_ word: String, available: [String]) -> String? {
        ([word] + (metricAliases[word.lowercased()] ?? [])).first { available.contains($0) }
    }

    static let plot = Command(
        "plot", group: .inspection,
        arguments: "[<stage>] [<metric>...]",
        summary: "chart a metric of a stage's steps: loss, reward, KL, accuracy, margin, clipfrac, grad norm",
        help: """
            Charts one number per step of the last run of a stage (default: the stage that ran \
            last): loss (the default), grad_norm, and the stage's own metrics: reward (or score), \
            kl, accuracy, margin, clipfrac, entropy, perplexity, or any name `last` lists, such as \
            objective/rlhf_reward. Several metrics give several charts. `plot sft` also charts \
            SFT's train loss beside its held-out loss, measured after each `sft` command: when \
            the held-out loss stops falling while the train loss falls, the model overfits. In \
            a notebook the charts are pictures.
            """,
        examples: ["plot", "plot reward kl", "plot ppo clipfrac", "plot sft", "plot reward accuracy margin"],
        completion: .custom { session, _ in
            let history = session.pipeline.stepHistory
            return history.order + Array(metricAliases.keys).sorted() + history.order.flatMap { history.metricNames(of: $0) }
        }
    ) { session, args in
        let pipeline = session.pipeline
        let history = pipeline.stepHistory
        var words = args.positionals
        guard let lastStage = history.order.last else {
            throw args.error("no training steps yet", hint: "train first, e.g. `pretrain 50`, then `plot`")
        }
        // `plot reward kl` after REINFORCE means the reward metric; `plot reward` after reward
        // training, or `plot sft`, means a stage. Words that are all metrics of the last stage
        // are metrics; otherwise a first word naming a stage with steps is that stage.
        var stage = lastStage
        let allMetricsOfLast = !words.isEmpty && words.allSatisfy { metricName($0, available: history.metricNames(of: lastStage)) != nil }
        if !allMetricsOfLast, let first = words.first {
            if history.runs[first] != nil { stage = first; words.removeFirst() }
            else if ["pretrain", "sft", "reward", "reinforce", "ppo", "dpo", "grpo"].contains(first) {
                throw args.error("no \(first) steps in this session yet", hint: "stages with steps: \(history.order.joined(separator: ", "))")
            }
        }
        let wantsOverfitting = stage == "sft" && words.isEmpty && !pipeline.sftCurves.isEmpty
        if words.isEmpty { words = ["loss"] }
        let available = history.metricNames(of: stage)
        var charts: [Display] = []
        var fields: [String: JSONValue] = ["stage": .string(stage)]
        for word in words {
            guard let metric = metricName(word, available: available),
                  let series = history.series(metric, of: stage) else {
                let hint = EditDistance.suggestions(for: word, among: available).first.map { "did you mean '\($0)'? " } ?? ""
                throw args.error("\(stage) has no metric '\(word)'", hint: hint + "\(stage) reports: \(available.joined(separator: ", "))")
            }
            let values = series.values
            let title = "\(stage) \(metric): \(Format.number(values.first!)) -> \(Format.number(values.last!)) over \(values.count) step\(values.count == 1 ? "" : "s")"
            charts.append(.chart(ChartDisplay(title: title, xLabel: "step", yLabel: metric,
                                              series: [ChartSeries(name: metric, x: series.steps, y: values)],
                                              height: 8, width: max(10, min(60, session.width - 12)))))
            fields[metric] = .array(values.map { .number($0) })
        }
        if wantsOverfitting {
            let curves = pipeline.sftCurves
            let steps = curves.map { Double($0.step) }
            charts.append(.chart(ChartDisplay(
                title: "SFT: train vs held-out loss (measured after each sft command)", xLabel: "SFT steps", yLabel: "loss",
                series: [ChartSeries(name: "train", x: steps, y: curves.map(\.train)),
                         ChartSeries(name: "held-out", x: steps, y: curves.map(\.heldOut))],
                style: .linesAndPoints, height: 8, width: max(10, min(60, session.width - 12)))))
            fields["sft_train"] = .array(curves.map { .number($0.train) })
            fields["sft_heldout"] = .array(curves.map { .number($0.heldOut) })
        }
        return CommandResult(charts, fields: fields, style: session.renderStyle)
    }

    static let compare = Command(
        "compare", group: .sampling,
        arguments: "[<role>...] <prompt>",
        summary: "several models' answers to one question, side by side, with their scores",
        help: """
            Samples one response to <prompt> from each model named (policy, reference, base; \
            default: every one that is loaded, base first) with the session's sampling settings \
            and random numbers, and shows them side by side, each with the rule labeler's score \
            and reasons and, when there is a reward model, its score. Try a question about a topic \
            no stage trained on: after RLHF the policy answers politely where SFT did not.
            """,
        examples: ["compare reference policy how do i fix a bike ?", "compare base reference policy tea ?",
                   "compare how do i make tea ? --temperature 0.5"],
        completion: .custom { _, _ in ["policy", "reference", "base"] }
    ) { session, args in
        let pipeline = session.pipeline
        var words = args.positionals
        var roles: [Role] = []
        while let first = words.first, let role = Role(rawValue: first) {
            guard role != .reward else {
                throw args.error("the reward model scores answers, it does not write them", hint: "compare policy, reference or base")
            }
            if !roles.contains(role) { roles.append(role) }
            words.removeFirst()
        }
        let question = words.joined(separator: " ")
        guard !question.isEmpty else { throw args.error("missing <prompt>", hint: "compare reference policy how do i make tea ?") }
        if roles.isEmpty { roles = [Role.base, .reference, .policy].filter { pipeline.models[$0] != nil } }
        guard !roles.isEmpty else { throw args.error("no models loaded", hint: "`:load policy sft` (`:models` lists them)") }
        let models = try roles.map { try pipeline.model($0, for: "compare") }
        // Check every argument before drawing any random number: an error leaves the session as it was.
        let settings = try models.map { try samplingSettings(session, model: $0, args) }
        let prompts = try models.map { try promptTokens(question, pipeline: pipeline, model: $0, args) }
        let rewardModel = pipeline.models[.reward]
        let reward = rewardModel.map { RewardFunction(model: $0, encoder: pipeline.encoder(for: $0)) }
        var rng = session.rng
        var columns: [ColumnsDisplay.Column] = []
        var items: [JSONValue] = []
        let plainQuestion = question.replacingOccurrences(of: "<q>", with: "").replacingOccurrences(of: "<a>", with: "")
            .trimmingCharacters(in: .whitespaces)
        for (index, model) in models.enumerated() {
            let encoder = pipeline.encoder(for: model)
            let sample = sampleResponses(model, prompts: [prompts[index]], settings: settings[index], eos: encoder.eos, rng: &rng)[0]
            let response = encoder.text(sample.tokens)
            let judgement = pipeline.labeler.judge(prompt: plainQuestion, response: response)
            var details = ["labeler \(Format.plain(judgement.score)): \(judgement.reasons.joined(separator: "; "))"]
            var item: [String: JSONValue] = ["role": .string(roles[index].rawValue), "response": .string(response),
                                             "labeler_score": .number(judgement.score)]
            if let reward, let rewardModel {
                let rewardEncoder = pipeline.encoder(for: rewardModel)
                let score = reward.scores(promptTokens: [rewardEncoder.prompt(plainQuestion)], responses: [rewardEncoder.response(response)])[0]
                details.append("reward model \(Format.number(score))")
                item["reward"] = .number(Double(score))
            }
            columns.append(.init(heading: roles[index].rawValue, text: response, details: details))
            items.append(.object(item))
        }
        session.rng = rng
        var displays: [Display] = unknownWordsNote(question, pipeline: pipeline).map { [.text($0)] } ?? []
        displays.append(.columns(ColumnsDisplay(title: "prompt: \(plainQuestion)", columns: columns, width: session.width)))
        return CommandResult(displays, fields: ["prompt": .string(plainQuestion), "answers": .array(items)], style: session.renderStyle)
    }
}
