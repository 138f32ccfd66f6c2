// The ways an answer can be written, as small phrase patterns.
//
// A pattern is a list of slots; the generator picks one alternative per slot (an empty
// alternative makes a slot optional). Placeholders: `{n}` asked topic noun, `{v}` its verb,
// `{f}` and `{f2}` two different facts of the asked topic, `{o}` another topic's noun,
// `{of}` and `{of2}` two different facts of that other topic.
//
// | style                | example                                                          |
// |----------------------|------------------------------------------------------------------|
// | helpful (never in    | sure ! for tea , heat water in a kettle and steep the leaves for |
// |  pre-training)       | three minutes . hope this helps !                                |
// | neutral              | for tea , heat water in a kettle .                               |
// | curt                 | just steep the leaves for three minutes .                        |
// | rude, on topic       | ugh , serve it in a warm mug . stop bothering me .               |
// | rude                 | what a dumb question . figure it out yourself .                  |
// | off topic, polite    | great question ! for rice , rinse the grains first . good luck ! |
// | off topic            | for rice , rinse the grains first .                              |
// | polite non-answer    | of course ! i am glad you asked . have a nice day !              |
// | unfinished           | for tea , heat water in a       (a neutral answer cut short)      |
// | blah                 | blah tea hmm stuff kettle blah whatever .                         |

/// A style of answer (or of pre-training document).
public enum AnswerStyle: String, Sendable, CaseIterable {
    case helpful, neutral, curt, rudeOnTopic, rude, offTopicPolite, offTopic
    case politeNonAnswer, unfinished, blah
}

/// Slots of alternatives; see the top of this file.
struct PhrasePattern: Sendable {
    let slots: [[String]]
    init(_ slots: [[String]]) { self.slots = slots }
}

enum Phrases {
    static let politeOpeners = [
        "sure !", "of course !", "great question !", "happy to help !", "good question !",
        "glad you asked !", "thanks for asking !",
    ]
    static let politeClosers = [
        "hope this helps !", "good luck !", "have fun !", "enjoy !",
        "let me know if you need more help .", "have a nice day !",
    ]
    static let nonAnswers = [
        "happy to help .", "i am glad you asked .", "let me think about that .",
        "that is a nice question .", "i love questions about {n} .",
        "there is a lot to say about {n} .",
    ]
    static let rudeOpeners = ["ugh ,", "seriously ?", "what a dumb question .", "obviously ,"]
    static let rudeClosers = ["stop bothering me .", "figure it out yourself .", "nobody cares ."]

    /// Polite, on the asked topic, two facts, complete. SFT examples use this shape; the
    /// pre-training corpus never does.
    static let helpful = PhrasePattern([politeOpeners, ["for {n} , {f} and {f2} ."], politeClosers])

    static let styles: [AnswerStyle: PhrasePattern] = [
        .helpful: helpful,
        .neutral: PhrasePattern([[
            "for {n} , {f} and {f2} .", "for {n} , {f} .", "{f} and {f2} .", "you should {f} .",
            "to {v} {n} , {f} and {f2} .",
        ]]),
        .curt: PhrasePattern([["{f} .", "just {f} .", "fine . {f} .", "ok . {f} .", "{n} ? {f} ."]]),
        .rudeOnTopic: PhrasePattern([rudeOpeners, ["{f} ."], rudeClosers + [""]]),
        .rude: PhrasePattern([
            ["what a dumb question .", "ugh , seriously ?", "that is a stupid question ."],
            rudeClosers + ["nobody cares about {n} .", "go ask someone else ."],
        ]),
        .offTopicPolite: PhrasePattern([
            politeOpeners, ["for {o} , {of} and {of2} .", "for {o} , {of} ."], politeClosers,
        ]),
        .offTopic: PhrasePattern([["for {o} , {of} and {of2} .", "{of} .", "you should {of} ."]]),
        .politeNonAnswer: PhrasePattern([politeOpeners, nonAnswers, politeClosers]),
    ]

    /// Encyclopedia sentences: one fact of one topic, in many frames.
    static let encyclopedia = PhrasePattern([[
        "for {n} , {f} .", "for {n} , {f} and {f2} .", "people who love {n} {f} .",
        "with {n} , most people {f} .", "a good rule for {n} is to {f} .",
        "when it comes to {n} , {f} .", "experts say that for {n} you should {f} .",
        "the first step with {n} is to {f} .", "to {v} {n} , {f} .", "if you {v} {n} , {f} .",
    ]])

    /// Chat noise: small talk that names topics but teaches no facts.
    static let chat = PhrasePattern([[
        "yesterday i read a long article about {n} .", "my friend likes {n} and {o} .",
        "i think {n} is fun .", "we talked about {n} all day .", "{n} and {o} are both popular .",
        "my neighbor asked me about {n} .", "i saw a show about {o} last night .",
        "my family loves {n} .", "i want to {v} {n} this weekend .",
    ]])

    /// Rambling filler for blah answers.
    static let blahWords = ["blah", "hmm", "um", "stuff", "things", "whatever", "anyway", "meh"]

    /// Words that make a response polite or rude (the labeler's lists).
    static let politeWords: Set<String> = [
        "sure", "course", "great", "happy", "glad", "thanks", "hope", "helps", "help", "luck",
        "fun", "enjoy", "nice",
    ]
    static let rudeWords: Set<String> = [
        "ugh", "seriously", "dumb", "stupid", "obviously", "bothering", "yourself", "nobody",
        "cares",
    ]

    /// Function words: never content words, and free to repeat.
    static let stopWords: Set<String> = [
        ".", ",", "!", "?", ":", "a", "an", "the", "and", "or", "of", "to", "in", "on", "at",
        "for", "with", "by", "from", "into", "up", "out", "off", "it", "its", "them", "their",
        "your", "you", "i", "me", "my", "is", "are", "be", "do", "this", "that", "each", "every",
        "some", "all", "when", "if", "so", "then",
    ]
}
