// How people ask: question phrasings of different lengths, from "tea ?" to
// "my friend asked me about tea . what should i say ?".
//
// `{n}` is the topic noun and `{v}` the topic's verb phrase ("how do i care for cats ?").
// Many phrasings, rather than one fixed shape, make a question a student types freely
// ("how should i make tea ?") look like the questions the models were trained on.
//
// Training phrasings are used for SFT examples, comparisons and policy optimisation. Held-out
// phrasings are used only by evaluation (held-out and unseen-topic prompts) and by the
// pre-training corpus, which uses every phrasing so that the base model knows all their words.

/// One question phrasing, e.g. "any tips for {n} ?".
public struct QuestionTemplate: Sendable, Hashable {
    public let pattern: String
    /// Held-out phrasings never appear in SFT examples or reinforcement training prompts.
    public let isHeldOut: Bool

    public init(_ pattern: String, heldOut: Bool = false) {
        self.pattern = pattern
        self.isHeldOut = heldOut
    }

    /// The question about one topic, e.g. "any tips for tea ?".
    public func question(about topic: Topic) -> String {
        pattern.replacingOccurrences(of: "{n}", with: topic.name)
            .replacingOccurrences(of: "{v}", with: topic.verb)
    }
}

extension TinyWorld {
    /// 16 training phrasings, then 8 held-out phrasings.
    public static let questionTemplates: [QuestionTemplate] = [
        QuestionTemplate("any tips for {n} ?"),
        QuestionTemplate("any advice on {n} ?"),
        QuestionTemplate("can you help me with {n} ?"),
        QuestionTemplate("what should i know about {n} ?"),
        QuestionTemplate("{n} ?"),
        QuestionTemplate("how do i {v} {n} ?"),
        QuestionTemplate("i have a question about {n} ."),
        QuestionTemplate("what is the best way to {v} {n} ?"),
        QuestionTemplate("please explain {n} ."),
        QuestionTemplate("i am new to {n} . where do i start ?"),
        QuestionTemplate("could you give me some tips on {n} ?"),
        QuestionTemplate("what do you know about {n} ?"),
        QuestionTemplate("quick question about {n} ."),
        QuestionTemplate("what matters most with {n} ?"),
        QuestionTemplate("my friend asked me about {n} . what should i say ?"),
        QuestionTemplate("help me with {n} please ."),
        // Held out: new phrasings for evaluation.
        QuestionTemplate("tell me about {n} .", heldOut: true),
        QuestionTemplate("teach me about {n} .", heldOut: true),
        QuestionTemplate("i need {n} advice .", heldOut: true),
        QuestionTemplate("i want to {v} {n} . any tips ?", heldOut: true),
        QuestionTemplate("what are your tips for {n} ?", heldOut: true),
        QuestionTemplate("hey , can you explain {n} to me ?", heldOut: true),
        QuestionTemplate("how should i {v} {n} ?", heldOut: true),
        QuestionTemplate("{n} help please .", heldOut: true),
    ]

    public static var trainingTemplates: [QuestionTemplate] {
        questionTemplates.filter { !$0.isHeldOut }
    }

    public static var heldOutTemplates: [QuestionTemplate] {
        questionTemplates.filter { $0.isHeldOut }
    }
}
