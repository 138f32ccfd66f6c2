import Foundation
import Numerics
import GPT2
import Stages

/// `pretrain` and `sft`: stages 1 and 2.
extension Command {
    static let trainingCommands: [Command] = [.pretrain, .sft]

    static let pretrain = Command(
        "pretrain", group: .pretraining,
        arguments: "[<steps>]",
        summary: "next-token pre-training of the policy on the tiny world's corpus",
        help: """
            Each step draws pretrain.batch random windows of n_ctx + 1 tokens from the corpus \
            (lessons/world/corpus.txt) and minimises the mean of -log p(next token). Prints the \
            loss and perplexity exp(loss); AdamW with pretrain.lr after pretrain.warmup warm-up \
            steps. Running it again continues where it stopped (same optimiser state). Ctrl-C \
            stops between steps and keeps every completed step.
            """,
        examples: ["pretrain 200", "pretrain 50 --pretrain.lr 3e-3"],
        repeatsOnEmptyLine: true
    ) { session, args in
        try args.expect(atMost: 1)
        let steps = try args.int(0, name: "steps", default: 100, range: 1...1_000_000)
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "pretrain")
        let s = session.settings
        var settings = Pretraining.Settings()
        settings.learningRate = s.float("pretrain.lr")
        settings.batchSize = s.int("pretrain.batch")
        settings.warmupSteps = s.int("pretrain.warmup")
        settings.weightDecay = s.float("weight_decay")
        settings.gradientClip = s.float("grad_clip")
        let stage = try continueOrStart(pipeline.pretraining, sameModels: { $0.model === model }, settings: settings,
                                        session: session) { try Pretraining(model: model, corpus: try pipeline.corpusTokens(), settings: $0) }
        pipeline.pretraining = stage
        var run = TrainingRun(session: session, stageName: "pretrain")
        run.describeStep = { "ppl \(Format.number($0.metric("perplexity") ?? 0))" }
        let (_, displays, fields) = try run.run(stage, steps: steps)
        return CommandResult(displays, fields: fields, style: session.renderStyle)
    }

    static let sft = Command(
        "sft", group: .sft,
        arguments: "[<steps>|eval] [--data <file.jsonl>]",
        summary: "supervised fine-tuning on a few written prompt/response pairs",
        help: """
            Trains the policy on prompt/completion pairs (the tiny world's hand-written set, or \
            --data FILE in TRL's {"prompt", "completion"} JSONL form). Only the completion \
            tokens and the EOS count in the loss: loss = mean of -log p(completion token). After \
            the steps it prints the loss on the training pairs and on held-out pairs: when the \
            held-out loss stays high while the training loss falls, the model is memorising \
            (overfitting). `sft eval` prints those two numbers without training.
            """,
        examples: ["sft 50", "sft eval", "sft 10 --sft.lr 3e-4"],
        options: [OptionSpec("data", value: "file.jsonl", "prompt/completion pairs to train on")],
        repeatsOnEmptyLine: true
    ) { session, args in
        try args.expect(atMost: 1)
        let evaluateOnly = args[0] == "eval"
        let steps = evaluateOnly ? 0 : try args.int(0, name: "steps", default: 20, range: 1...1_000_000)
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "sft")
        let s = session.settings
        var settings = SupervisedFineTuning.Settings()
        settings.learningRate = s.float("sft.lr")
        settings.batchSize = s.int("sft.batch")
        settings.weightDecay = s.float("weight_decay")
        settings.gradientClip = s.float("grad_clip")
        let examples = try pipeline.sftExamples(file: args.options["data"])
        let stage = try continueOrStart(pipeline.supervised, sameModels: { $0.model === model && $0.examples == examples },
                                        settings: settings, session: session) {
            try SupervisedFineTuning(model: model, examples: examples, heldOut: pipeline.sftHeldOutExamples,
                                     encoder: pipeline.encoder(for: model), settings: $0)
        }
        pipeline.supervised = stage
        var displays: [Display] = [], fields: [String: JSONValue] = [:]
        if !evaluateOnly {
            (_, displays, fields) = try TrainingRun(session: session, stageName: "sft").run(stage, steps: steps)
        }
        let (train, heldOut) = stage.evaluate()
        pipeline.sftCurves.append((stage.stepsDone, train, heldOut ?? .nan))
        let curve = "after \(stage.stepsDone) SFT steps: train loss \(Format.number(train)), held-out loss \(Format.number(heldOut ?? .nan))" +
            " (\(stage.examples.count) training pairs, \(stage.heldOut.count) held-out)"
        fields["train_loss"] = .number(train)
        fields["heldout_loss"] = .number(heldOut ?? .nan)
        fields["sft_steps"] = .int(stage.stepsDone)
        return CommandResult(displays + [.text(curve)], fields: fields, style: session.renderStyle)
    }
}
