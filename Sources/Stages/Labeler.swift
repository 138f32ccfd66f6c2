/// A labeler's judgement of one response to a prompt: a score and the reasons for it,
/// so a student can see why one response was preferred.
public struct Judgement: Sendable, Equatable {
    /// Higher is better. Only differences between two responses to one prompt matter.
    public let score: Double
    /// One short line per rule that fired, e.g. "+1.5 mentions 'kettle' (asked topic: tea)".
    public let reasons: [String]
    /// Polite and on the asked topic, with nothing rude, off-topic, repetitive or unfinished.
    public let isHelpful: Bool

    // What the rule labeler saw, for evaluation tables (a student labeler leaves them false).
    public var isPolite = false
    public var isRude = false
    /// Mentions at least one fact of the asked topic.
    public var isOnTopic = false
    /// Mentions another topic.
    public var isOffTopic = false
    public var isRepetitive = false
    /// Does not end with . ! or ?
    public var isUnfinished = false
    /// Has a word pair that no clean text contains.
    public var isGarbled = false

    public init(score: Double, reasons: [String], isHelpful: Bool) {
        self.score = score
        self.reasons = reasons
        self.isHelpful = isHelpful
    }
}

/// Who decides which of two responses is better: the student at the keyboard, or a
/// deterministic rule that stands in for a person.
public protocol Labeler {
    /// Recorded with every comparison, e.g. "student" or "rule-labeler-v1".
    var name: String { get }
    /// Scores one response to one prompt. Prompts and responses are plain text (words separated
    /// by spaces), without special tokens.
    func judge(prompt: String, response: String) -> Judgement
}

extension Labeler {
    /// Which response the labeler prefers: 0 or 1, or nil for a tie (ties are not used).
    public func prefer(prompt: String, _ first: String, _ second: String) -> Int? {
        let a = judge(prompt: prompt, response: first).score
        let b = judge(prompt: prompt, response: second).score
        if a == b { return nil }
        return a > b ? 0 : 1
    }
}
