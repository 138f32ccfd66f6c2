import Foundation
import Numerics
import GPT2
import Stages

/// `reward init | train | score | eval`: stage 5, the reward model.
extension Command {
    static let reward = Command(
        "reward", group: .reward,
        arguments: "init | train [<steps>] | score <prompt> | <response> | eval [<pairs>]",
        summary: "make, train, query and check the reward model",
        help: """
            `reward init` copies the policy (normally the SFT model) and replaces its output \
            layer, the one that maps to the vocabulary (GPT-2 ties it to the input embedding), \
            by a single number: a scalar head score [1, d]. It shows the shapes before and after. \
            `reward train N` trains it on the comparisons: for each pair, \
            loss = -log sigmoid(r_chosen - r_rejected); it prints r_chosen, r_rejected, \
            delta, sigmoid(delta), the loss and dloss/ddelta = -sigmoid(-delta) for a few pairs, \
            then the batch loss and accuracy. `reward score PROMPT | RESPONSE` scores one \
            response; `reward eval [N]` measures the accuracy on N (default 200) fresh \
            comparisons of held-out prompts, and where the reward model is blind: its accuracy \
            by how clearly the labeler preferred one answer (the score gap), the correlation of \
            its reward with the answer's length, and the pairs it ranks worst with the labeler's \
            reasons.
            """,
        examples: ["reward init", "reward train 50", "reward score how do i make tea ? | sure ! heat water .", "reward eval",
                   "reward eval 600"],
        completion: .custom { _, index in index == 0 ? ["init", "train", "score", "eval"] : [] },
        repeatsOnEmptyLine: true
    ) { session, args in
        switch args[0] {
        case "init": return try rewardInit(session, args)
        case "train": return try rewardTrain(session, args)
        case "score": return try rewardScore(session, args)
        case "eval": return try rewardEval(session, args)
        case nil: throw args.error("missing subcommand", hint: "init, train, score or eval")
        case let other?:
            if Int(other) != nil { return try rewardTrain(session, Arguments(command: args.command, positionals: ["train"] + args.positionals)) }
            throw args.error("unknown subcommand '\(other)'", hint: "init, train, score or eval")
        }
    }

    static func rewardInit(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 1)
        let pipeline = session.pipeline
        let policy = try pipeline.model(.policy, for: "reward init")
        let seed = session.rng.next()
        let model = policy.rewardModel(seed: seed)
        pipeline.setModel(model, role: .reward, origin: "reward init from the policy (head seed \(seed))")
        let c = policy.config.embeddingSize, v = policy.config.vocabSize
        let text = """
            reward model = a copy of the policy's body + a new scalar head
              policy:  ... -> ln_f -> h [T, \(c)] -> output layer h wte^T (wte [\(v), \(c)], tied to the input embedding) -> logits [T, \(v)]
              reward:  ... -> ln_f -> h [T, \(c)] -> score head h score^T (score [1, \(c)], new, N(0, 0.02)) -> r, read at the EOS token
            \(model.parameterCount) parameters (the body's \(policy.parameterCount) + \(c) for the head)
            """
        return CommandResult(text: text, fields: ["parameters": .int(model.parameterCount), "head_shape": .array([1, .int(c)])])
    }

    static func rewardStage(_ session: Session, _ args: Arguments) throws -> RewardModelTraining {
        let pipeline = session.pipeline
        let model = try pipeline.model(.reward, for: "reward train")
        guard !pipeline.preferences.isEmpty else {
            throw args.error("no comparisons yet", hint: "label some with `pair` and `prefer 1|2`, or `autolabel 100`")
        }
        let s = session.settings
        var settings = RewardModelTraining.Settings()
        settings.learningRate = s.float("reward.lr")
        settings.batchSize = s.int("reward.batch")
        settings.margin = s.float("reward.margin")
        settings.centering = s.float("reward.center")
        settings.weightDecay = s.float("weight_decay")
        settings.gradientClip = s.float("grad_clip")
        let stage = try continueOrStart(pipeline.rewardTraining, sameModels: { $0.model === model }, settings: settings,
                                        session: session) {
            try RewardModelTraining(model: model, pairs: pipeline.preferences, encoder: pipeline.encoder(for: model), settings: $0)
        }
        stage.pairs = pipeline.preferences
        pipeline.rewardTraining = stage
        return stage
    }

    static func rewardTrain(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 2)
        let steps = try args.int(1, name: "steps", default: 20, range: 1...1_000_000)
        let stage = try rewardStage(session, args)
        var run = TrainingRun(session: session, stageName: "reward")
        run.describeStep = { "acc \(Format.number($0.metric("accuracy") ?? 0, decimals: 2))  margin \(Format.number($0.metric("margin") ?? 0))" }
        let (reports, runDisplays, fields) = try run.run(stage, steps: steps)
        let pairs = reports.last.map { pairTable($0, limit: 4, session: session) } ?? []
        return CommandResult(pairs + runDisplays, fields: fields, style: session.renderStyle)
    }

    /// The per-pair numbers of a reward step: r_chosen, r_rejected, delta, sigmoid(delta), loss, dloss/ddelta.
    static func pairTable(_ report: StepReport, limit: Int, session: Session) -> [Display] {
        let rows = report.examples.prefix(limit).enumerated().map { index, row in
            ["\(index + 1)"] + row.map { Format.number($0) }
        }
        return [.table(TableDisplay(title: "last step, first \(rows.count) of \(report.examples.count) pairs:",
                                    headers: ["pair"] + report.exampleColumns, rows: rows,
                                    alignments: [.left] + report.exampleColumns.map { _ in .right }, maxWidth: session.width,
                                    footnote: "batch: loss \(Format.number(report.loss)), accuracy \(Format.number(report.metric("accuracy") ?? 0, decimals: 2)), mean margin \(Format.number(report.metric("margin") ?? 0))"))]
    }

    static func rewardScore(_ session: Session, _ args: Arguments) throws -> CommandResult {
        let words = Array(args.positionals.dropFirst())
        let prompt: String, response: String
        if let bar = words.firstIndex(of: "|") {
            prompt = words[..<bar].joined(separator: " ")
            response = words[(bar + 1)...].joined(separator: " ")
        } else {
            throw args.error("give a prompt and a response separated by |", hint: "reward score how do i make tea ? | sure ! heat water .")
        }
        guard !prompt.isEmpty, !response.isEmpty else { throw args.error("the prompt and the response must not be empty") }
        let pipeline = session.pipeline
        let model = try pipeline.model(.reward, for: "reward score")
        let encoder = pipeline.encoder(for: model)
        let score = RewardFunction(model: model, encoder: encoder).scores(promptTokens: [encoder.prompt(prompt)], responses: [encoder.response(response)])[0]
        let judgement = pipeline.labeler.judge(prompt: prompt, response: response)
        return CommandResult(text: "reward \(Format.number(score))  (rule labeler: \(Format.plain(judgement.score)): \(judgement.reasons.joined(separator: "; ")))",
                             fields: ["reward": .number(Double(score)), "labeler_score": .number(judgement.score)])
    }

    static func rewardEval(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 2)
        let count = try args.int(1, name: "pairs", default: 200, range: 50...5000)
        let pipeline = session.pipeline
        let model = try pipeline.model(.reward, for: "reward eval")
        let policy = try pipeline.model(.policy, for: "reward eval")
        let settings = try samplingSettings(session, model: policy, args, promptSets: ["heldout"])
        // fresh comparisons on held-out prompts, judged by the rule labeler (same mix as autolabel)
        let encoder = pipeline.encoder(for: policy)
        let prompts = PipelineState.prompts("heldout")
        var rng = RandomGenerator(seed: 2024)
        var comparisons: [Comparison] = []
        let base = pipeline.models[.base]
        let contrast = session.settings.float("pair.contrast")
        while comparisons.count < count {
            let batch = prompts.shuffledPrefix(64, rng: &rng)
            let tokens = batch.map(encoder.prompt)
            let first = sampleResponses(policy, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng)
            let second = sampleResponses(policy, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng)
            let secondBase = base.map { sampleResponses($0, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng) }
            for i in 0..<batch.count where comparisons.count < count {
                let other = base != nil && rng.nextUniform() < contrast ? secondBase![i] : second[i]
                let pair = PendingPair(prompt: batch[i], first: encoder.text(first[i].tokens), second: encoder.text(other.tokens))
                if let c = Stages.autolabel(pair, labeler: pipeline.labeler).0 { comparisons.append(c) }
            }
        }
        let stage = try RewardModelTraining(model: model, pairs: [], encoder: pipeline.encoder(for: model), settings: .init())
        let result = stage.evaluate(comparisons)
        let training = pipeline.preferences.isEmpty ? nil : stage.evaluate(Array(pipeline.preferences.suffix(500)))
        var text = "reward model on \(comparisons.count) held-out comparisons: accuracy \(Format.number(result.accuracy, decimals: 3)), loss \(Format.number(result.loss)), mean margin \(Format.number(result.margin))"
        if let training { text += "\non this session's last \(min(500, pipeline.preferences.count)) comparisons: accuracy \(Format.number(training.accuracy, decimals: 3))" }
        let diagnostics = RewardDiagnostics(comparisons: comparisons, rewards: stage.pairRewards(comparisons))
        var displays: [Display] = [.text(text)]
        displays += diagnosticsDisplays(diagnostics, session: session)
        return CommandResult(displays, fields: [
            "heldout_accuracy": .number(result.accuracy), "heldout_loss": .number(result.loss),
            "train_accuracy": training.map { .number($0.accuracy) } ?? .null,
            "accuracy_by_gap": .array(diagnostics.buckets.map {
                .object(["gap": .string($0.label), "pairs": .int($0.pairs), "accuracy": .number($0.accuracy),
                         "interval": .array([.number($0.interval.low), .number($0.interval.high)])])
            }),
            "length_correlation": .number(diagnostics.lengthCorrelation),
        ], style: session.renderStyle)
    }

    /// Accuracy by the labeler's score gap (a table and bars), the length correlation, and the
    /// worst-ranked pairs with the labeler's reasons.
    static func diagnosticsDisplays(_ diagnostics: RewardDiagnostics, session: Session) -> [Display] {
        let rows = diagnostics.buckets.map { bucket -> [String] in
            [bucket.label, "\(bucket.pairs)", Format.number(bucket.accuracy, decimals: 2),
             String(format: "%.2f-%.2f", bucket.interval.low, bucket.interval.high)]
        }
        var displays: [Display] = [
            .table(TableDisplay(title: "accuracy by how clearly the labeler preferred one answer (its score gap):",
                                headers: ["labeler gap", "pairs", "accuracy", "95% interval"], rows: rows,
                                alignments: [.left, .right, .right, .right], maxWidth: session.width)),
            .text("reward vs answer length (words): correlation \(Format.number(diagnostics.lengthCorrelation, decimals: 2))" +
                  (diagnostics.lengthCorrelation > 0.3 ? " (longer answers score higher: a length bias)" : "")),
        ]
        let labeler = session.pipeline.labeler
        var worst = ["ranked worst (the labeler's choice first, r = reward):"]
        for pair in diagnostics.worst {
            let c = pair.comparison
            worst.append(Format.wrapHanging("  \(c.prompt)", width: session.width))
            for (mark, response, reward) in [("+", c.chosen, pair.rewardChosen), ("-", c.rejected, pair.rewardRejected)] {
                let judgement = labeler.judge(prompt: c.prompt, response: response)
                worst.append(Format.wrapHanging("    \(mark) r \(Format.number(reward)), labeler \(Format.plain(judgement.score)): \(response)",
                                                width: session.width, hang: 6))
                worst.append(Format.wrapHanging("        " + judgement.reasons.joined(separator: "; "), width: session.width))
            }
        }
        displays.append(.text(worst.joined(separator: "\n")))
        return displays
    }
}

extension Array {
    /// `count` elements drawn with replacement by a seeded generator.
    func shuffledPrefix(_ count: Int, rng: inout RandomGenerator) -> [Element] {
        (0..<count).map { _ in self[rng.nextInt(below: self.count)] }
    }
}
