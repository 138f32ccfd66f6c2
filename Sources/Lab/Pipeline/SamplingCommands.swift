import Foundation
import Numerics
import GPT2
import Stages

/// `tokens`, `softmax`, `sample`: stage 3, looking at what the model would say.
extension Command {
    static let samplingCommands: [Command] = [.tokens, .softmax, .sample]

    /// Sampling settings from the session (temperature, top_k, top_p, max_tokens), checked
    /// against the model's vocabulary and context: a response of max_tokens must leave room for
    /// a prompt, and every prompt of the sets in `promptSets` (the tiny world's "train",
    /// "heldout", "unseen") must fit with room for at least one token. Nothing is clamped silently.
    static func samplingSettings(_ session: Session, model: GPT2Model, _ args: Arguments,
                                 promptSets: [String] = []) throws -> SamplingSettings {
        let s = session.settings
        let maxTokens = s.int("max_tokens"), context = model.config.contextLength
        guard maxTokens < context else {
            throw args.error("max_tokens is \(maxTokens) but the model's context holds \(context) tokens, prompt included",
                             hint: "use --max_tokens \(max(1, context / 2)) (at most \(context - 1))")
        }
        let encoder = session.pipeline.encoder(for: model)
        for set in promptSets {
            let longest = PipelineState.prompts(set).map { encoder.prompt($0).count }.max() ?? 0
            guard longest < context else {
                throw args.error("the longest \(set) prompt has \(longest) tokens; the model's context holds \(context)",
                                 hint: "make a model with a longer context, e.g. `:set model.context \(min(1024, 2 * longest))` then `:new policy`")
            }
        }
        let topK = s.int("top_k")
        guard topK <= model.config.vocabSize else {
            throw args.error("top_k is \(topK) but the vocabulary has only \(model.config.vocabSize) tokens",
                             hint: "use 0 (off) or at most \(model.config.vocabSize)")
        }
        return SamplingSettings(temperature: s.float("temperature"), topK: topK, topP: s.float("top_p"),
                                maxNewTokens: s.int("max_tokens"))
    }

    /// The words of the positionals as one text; with `trailingCount`, a last positional that is
    /// a whole number is taken off and returned as the count.
    static func text(_ args: Arguments, trailingCount: Bool = false) -> (String, Int?) {
        var words = args.positionals
        var count: Int? = nil
        if trailingCount, words.count > 1, let last = words.last, let n = Int(last) {
            count = n
            words.removeLast()
        }
        return (words.joined(separator: " "), count)
    }

    /// Token ids of a prompt: text with `<q>` in it is used as it is, a plain question is wrapped
    /// in the prompt format (`<q> question <a>`). Refuses prompts that leave no room to answer.
    static func promptTokens(_ text: String, pipeline: PipelineState, model: GPT2Model, _ args: Arguments) throws -> [Int32] {
        let raw = text.contains("<q>") || pipeline.promptFormat.template == "{prompt}"
        let tokens = raw ? pipeline.tokenizer.encode(text) : pipeline.tokenizer.encode(pipeline.promptFormat.apply(text))
        guard !tokens.isEmpty else { throw args.error("the prompt is empty") }
        guard tokens.count < model.config.contextLength else {
            throw args.error("the prompt has \(tokens.count) tokens; the model's context holds \(model.config.contextLength)",
                             hint: "use a shorter prompt")
        }
        return tokens
    }

    /// "note: not in the vocabulary, read as <unk>: xyzzy, 2" when the prompt has words the
    /// word-level tokenizer does not know (a student may think `sample 2` asks for 2 samples).
    static func unknownWordsNote(_ text: String, pipeline: PipelineState) -> String? {
        guard let words = pipeline.tokenizer as? WordTokenizer else { return nil }
        let unknown = words.unknownWords(in: text)
        guard !unknown.isEmpty else { return nil }
        return "note: not in the vocabulary, read as \(words.unknownToken): \(unknown.joined(separator: ", "))"
    }

    static let tokens = Command(
        "tokens", group: .sampling,
        arguments: "<text>",
        summary: "show how a text is cut into tokens, with their ids",
        help: """
            Shows the tokenizer's pieces of <text> and their ids, as the model sees them. In the \
            tiny world every word and punctuation mark is one token; a word the tokenizer does \
            not know becomes <unk>.
            """,
        examples: ["tokens how do i make tea?", "tokens <q> tea ? <a>"]
    ) { session, args in
        let (text, _) = Command.text(args)
        guard !text.isEmpty else { throw args.error("missing <text>") }
        let pipeline = session.pipeline
        let ids = pipeline.tokenizer.encode(text)
        let pieces = ids.map { pipeline.tokenizer.token(for: $0) ?? "?" }
        let line = zip(pieces, ids).map { "\(Format.token($0))(\($1))" }.joined(separator: " ")
        return CommandResult(text: "\(ids.count) tokens: \(line)",
                             fields: ["ids": .array(ids.map { .int(Int($0)) }), "tokens": .array(pieces.map { .string($0) })])
    }

    static let softmax = Command(
        "softmax", group: .sampling,
        arguments: "<prompt>",
        summary: "the next-token distribution, before and after temperature/top-k/top-p",
        help: """
            Runs the policy on the prompt and shows the most likely next tokens as bars: first \
            softmax(logits), the model's own distribution; then after dividing the logits by the \
            temperature and keeping top_k / top_p, which is what `sample` draws from. Also the \
            entropy (in nats) and how much probability the rest of the vocabulary holds.
            """,
        examples: ["softmax how do i make tea ?", "softmax tea ? --temperature 0.5 --top_k 5"]
    ) { session, args in
        let (text, _) = Command.text(args)
        guard !text.isEmpty else { throw args.error("missing <prompt>") }
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "softmax")
        let settings = try samplingSettings(session, model: model, args)
        let prompt = try promptTokens(text, pipeline: pipeline, model: model, args)
        let logits = nextTokenLogits(model, prompt: prompt)
        let distribution = nextTokenDistribution(logits: logits, settings: settings)
        func rows(_ p: [Float]) -> [(label: String, value: Double)] {
            p.enumerated().map { (pipeline.tokenizer.token(for: Int32($0.offset)) ?? "?", Double($0.element)) }
        }
        func entropy(_ p: [Float]) -> Double { -p.reduce(0.0) { $0 + ($1 > 0 ? Double($1) * log(Double($1)) : 0) } }
        let barWidth = max(10, min(30, session.width - 40))
        var displays: [Display] = unknownWordsNote(text, pipeline: pipeline).map { [.text($0)] } ?? []
        displays += [.text("next token after: \(pipeline.tokenizer.decode(prompt))"), .text("")]
        displays.append(.bars(BarsDisplay(title: "model (temperature 1): entropy \(Format.number(entropy(distribution.original))) nats",
                                          rows: rows(distribution.original), limit: 10, barWidth: barWidth)))
        let changed = settings.temperature != 1 || settings.topK > 0 || settings.topP < 1
        if changed {
            var what: [String] = []
            if settings.temperature != 1 { what.append("temperature \(Format.plain(Double(settings.temperature)))") }
            if settings.topK > 0 { what.append("top_k \(settings.topK)") }
            if settings.topP < 1 { what.append("top_p \(Format.plain(Double(settings.topP)))") }
            let kept = distribution.final.filter { $0 > 0 }.count
            displays.append(.text(""))
            displays.append(.bars(BarsDisplay(title: "sampled from (\(what.joined(separator: ", "))): \(kept) tokens kept, entropy \(Format.number(entropy(distribution.final))) nats",
                                              rows: rows(distribution.final).filter { $0.value > 0 }, limit: 10, barWidth: barWidth)))
        }
        let top = distribution.final.indices.sorted { distribution.final[$0] > distribution.final[$1] }.prefix(10)
        return CommandResult(displays, fields: [
            "prompt": .string(pipeline.tokenizer.decode(prompt)),
            "entropy": .number(entropy(distribution.original)),
            "top": .array(top.map { .object(["token": .string(pipeline.tokenizer.token(for: Int32($0)) ?? "?"), "id": .int($0),
                                             "probability": .number(Double(distribution.original[$0])),
                                             "sampling_probability": .number(Double(distribution.final[$0]))]) }),
        ], style: session.renderStyle)
    }

    static let sample = Command(
        "sample", group: .sampling,
        arguments: "<prompt> [<n>] [--verbose]",
        summary: "draw n responses to a prompt from the policy",
        help: """
            Samples n responses (default: the `samples` setting) from the policy, one token at a \
            time from the distribution `softmax` shows, with the session's seeded random numbers: \
            the same seed gives the same responses. Each response shows its log-probability and \
            the rule labeler's score. --verbose adds every token's probability. Words the \
            tokenizer does not know are named in a note first (the model reads each as <unk>).
            """,
        examples: ["sample how do i make tea ? 4", "sample tea ? 3 --temperature 0.3", "sample tea ? 1 --verbose"],
        options: [OptionSpec("verbose", "show each token with its probability")],
        repeatsOnEmptyLine: true
    ) { session, args in
        let (text, count) = Command.text(args, trailingCount: true)
        guard !text.isEmpty else { throw args.error("missing <prompt>") }
        let n = count ?? session.settings.int("samples")
        guard (1...256).contains(n) else { throw args.error("<n> is \(n), out of range", hint: "allowed: 1 <= n <= 256") }
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "sample")
        let settings = try samplingSettings(session, model: model, args)
        let prompt = try promptTokens(text, pipeline: pipeline, model: model, args)
        let encoder = pipeline.encoder(for: model)
        let samples = sampleResponses(model, prompts: [[Int32]](repeating: prompt, count: n), settings: settings,
                                      eos: encoder.eos, rng: &session.rng)
        let question = pipeline.promptFormat.template == "{prompt}" ? text : text.replacingOccurrences(of: "<q>", with: "")
            .replacingOccurrences(of: "<a>", with: "").trimmingCharacters(in: .whitespaces)
        var lines = unknownWordsNote(text, pipeline: pipeline).map { [$0] } ?? []
        var items: [JSONValue] = []
        for (i, sample) in samples.enumerated() {
            let response = encoder.text(sample.tokens)
            let judgement = pipeline.labeler.judge(prompt: question, response: response)
            let end = sample.finished ? "" : " [cut at \(settings.maxNewTokens) tokens]"
            lines.append("\(i + 1): \(response)\(end)")
            lines.append("   log p \(Format.number(sample.logProbability)), \(sample.tokens.count) tokens, labeler \(Format.plain(judgement.score))")
            if args.flag("verbose") {
                let perToken = sample.choices.map { "\(Format.token(pipeline.tokenizer.token(for: $0.token) ?? "?")) \(Format.number($0.probability, decimals: 3))" }
                lines.append("   " + perToken.joined(separator: " | "))
            }
            items.append(.object(["response": .string(response), "log_probability": .number(Double(sample.logProbability)),
                                  "tokens": .int(sample.tokens.count), "finished": .bool(sample.finished),
                                  "labeler_score": .number(judgement.score),
                                  "token_probabilities": .array(sample.choices.map { .number(Double($0.probability)) })]))
        }
        return CommandResult(text: lines.joined(separator: "\n"), fields: ["prompt": .string(text), "samples": .array(items)])
    }
}
