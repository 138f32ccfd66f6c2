// The tiny world of the lessons: a few hundred words in which every claim of the RLHF story
// can be seen in numbers within seconds on a CPU.
//
// - 58 everyday topics (tea, dogs, chess, laundry, ...), each a one-word noun with three facts
//   (`Topics.swift`). 8 topics are for SFT, 38 for comparisons and policy optimisation, and 12
//   are never trained on by any stage (but the pre-training corpus knows their facts).
// - 24 question phrasings, 16 for training and 8 held out (`QuestionTemplates.swift`).
// - Answers in ten styles: helpful, neutral, curt, rude (on topic or not), off topic (polite
//   or not), polite non-answer, unfinished, blah (`AnswerStyles.swift`).
// - A pre-training corpus of ~18,000 documents (~366k tokens) in every style except helpful
//   (`CorpusGenerator.swift`); 32 hand-written helpful SFT examples about 8 topics, and 16
//   held-out ones (`SFTExamples.swift`); prompt sets (`Prompts.swift`).
// - The rule labeler that stands in for a person (`RuleLabeler.swift`).
//
// Text is lowercase words and punctuation separated by single spaces; one token per word.
// A prompt as the model sees it: `<q> how do i make tea ? <a>`; the response follows and ends
// with `<|endoftext|>`.
import Foundation

/// The lessons' tiny world: topics, phrasings, corpus, SFT data, prompts and the rule labeler.
public enum TinyWorld {
    public static let endOfText = "<|endoftext|>"
    public static let padToken = "<pad>"
    public static let questionMarker = "<q>"
    public static let answerMarker = "<a>"
    public static let unknownToken = "<unk>"
    /// The special tokens, in id order (0...4); the world's words follow them.
    public static let specialTokens = [endOfText, padToken, questionMarker, answerMarker,
                                       unknownToken]

    /// Longest response the world writes, in words (the end token not counted).
    public static let maxResponseWords = 40
    /// Longest prompt plus response plus end token, in tokens (the models' context).
    public static let contextLength = 64

    /// "how do i make tea ?" -> "<q> how do i make tea ? <a>"
    public static func formatPrompt(_ question: String) -> String {
        "\(questionMarker) \(question) \(answerMarker)"
    }

    /// The inverse of `formatPrompt`: "<q> how do i make tea ? <a>" -> "how do i make tea ?".
    /// Text without markers comes back unchanged (trimmed).
    public static func question(fromPrompt prompt: String) -> String {
        var words = prompt.split(separator: " ").map(String.init)
        while let first = words.first, first == endOfText || first == questionMarker {
            words.removeFirst()
        }
        if let last = words.last, last == answerMarker { words.removeLast() }
        return words.joined(separator: " ")
    }

    // MARK: Which topic a text is about

    /// The topic a question asks about: the first word that names a topic ("tea", or the
    /// simple singular or plural "dog" / "teas"), else the first content word of a topic.
    /// Works on free-typed text: case and punctuation stuck to words are ignored.
    public static func topic(ofQuestion text: String) -> Topic? {
        let words = looseWords(question(fromPrompt: text))
        for word in words {
            if let index = topicIndexByNoun[word] { return topics[index] }
        }
        for word in words {
            if let index = topicIndexByContentWord[word] { return topics[index] }
        }
        return nil
    }

    /// Content words of each topic: in that topic's facts only, and not a stop word, style
    /// word or question word. See `Topics.swift`.
    public static func contentWords(of topic: Topic) -> [String] {
        topic.facts.flatMap { contentWords(ofFact: $0) }
    }

    /// The content words of one fact phrase, in order.
    public static func contentWords(ofFact fact: String) -> [String] {
        fact.split(separator: " ").map(String.init).filter { topicIndexByContentWord[$0] != nil }
    }

    /// Content word -> index into `topics`.
    static let topicIndexByContentWord: [String: Int] = {
        var owners: [String: Set<Int>] = [:]
        for (index, topic) in topics.enumerated() {
            for fact in topic.facts {
                for word in fact.split(separator: " ") { owners[String(word), default: []].insert(index) }
            }
        }
        let excluded = Phrases.stopWords.union(styleAndQuestionWords)
            .union(topics.map(\.name))
        var result: [String: Int] = [:]
        for (word, owner) in owners where owner.count == 1 && !excluded.contains(word) {
            result[word] = owner.first!
        }
        return result
    }()

    /// Topic noun (and its simple singular/plural) -> index into `topics`. A singular or
    /// plural that is itself a word of the world ("cold" for "colds") does not count.
    static let topicIndexByNoun: [String: Int] = {
        var result: [String: Int] = [:]
        let worldWords = Set(vocabulary)
        for (index, topic) in topics.enumerated() {
            let name = topic.name
            var forms = [name + "s"]
            if name.hasSuffix("es") { forms.append(String(name.dropLast(2))) }
            if name.hasSuffix("s") { forms.append(String(name.dropLast())) }
            for form in forms where result[form] == nil && !worldWords.contains(form) {
                result[form] = index
            }
        }
        for (index, topic) in topics.enumerated() { result[topic.name] = index }  // exact wins
        return result
    }()

    /// Lowercased words with punctuation stuck to them removed ("Tea?" -> "tea").
    static func looseWords(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            .map { $0.trimmingCharacters(in: .punctuationCharacters) }
            .filter { !$0.isEmpty }
    }

    // MARK: Vocabulary

    /// Words of every question phrasing, answer pattern and filler (not facts or nouns).
    static let styleAndQuestionWords: Set<String> = {
        var words = Set<String>()
        for pattern in Array(Phrases.styles.values) + [Phrases.encyclopedia, Phrases.chat] {
            words.formUnion(pattern.literalWords)
        }
        for template in questionTemplates {
            for word in template.pattern.split(separator: " ") where !word.hasPrefix("{") {
                words.insert(String(word))
            }
        }
        for topic in topics {
            for word in topic.verb.split(separator: " ") { words.insert(String(word)) }
        }
        words.formUnion(Phrases.blahWords)
        return words
    }()

    /// Every word the generator, the SFT examples and the prompts can produce, sorted; without
    /// the special tokens.
    public static let vocabulary: [String] = {
        var words = styleAndQuestionWords
        for topic in topics {
            words.insert(topic.name)
            for fact in topic.facts {
                for word in fact.split(separator: " ") { words.insert(String(word)) }
            }
        }
        for example in sftExamples + sftHeldOutExamples {
            for word in (example.prompt + " " + example.completion).split(separator: " ") {
                words.insert(String(word))
            }
        }
        return words.sorted()
    }()
}
