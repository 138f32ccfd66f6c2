// The pre-training corpus: documents written from the phrase patterns with a seeded
// random generator, so the same seed and size always give the same text.
//
// Mix of documents (per thousand):
//   280 encyclopedia   1-3 sentences of facts about one topic, each about the next fact
//                      ("for tea , heat water in a kettle . people who love tea steep the ...")
//    50 chat           small talk naming topics ("my friend likes tea and chess .")
//   670 questions with an answer, `<q> question <a> answer`, in every style but helpful:
//       140 neutral, 60 curt, 30 unfinished, 70 rude on topic, 60 rude, 80 off-topic polite,
//        40 off topic, 100 polite non-answer, 90 blah
// Questions use every topic (all splits) and every phrasing (training and held-out). No
// document is polite *and* on topic *and* complete: that is what SFT and RLHF must add.
// Documents are joined with " <|endoftext|> ".
import Numerics

extension TinyWorld {
    public static let defaultCorpusSeed: UInt64 = 1234
    public static let defaultCorpusDocuments = 18_000

    /// What each pre-training document is, with its weight per thousand documents.
    public enum DocumentKind: Sendable, Equatable {
        case encyclopedia, chat
        case question(AnswerStyle)
    }

    public static let corpusMix: [(kind: DocumentKind, perThousand: Int)] = [
        (.encyclopedia, 280), (.chat, 50),
        (.question(.neutral), 140), (.question(.curt), 60), (.question(.unfinished), 30),
        (.question(.rudeOnTopic), 70), (.question(.rude), 60),
        (.question(.offTopicPolite), 80), (.question(.offTopic), 40),
        (.question(.politeNonAnswer), 100), (.question(.blah), 90),
    ]

    /// The pre-training corpus: `documents` documents joined with " <|endoftext|> ".
    public static func generateCorpus(seed: UInt64 = defaultCorpusSeed,
                                      documents: Int = defaultCorpusDocuments) -> String {
        var rng = RandomGenerator(seed: seed)
        var texts: [String] = []
        texts.reserveCapacity(documents)
        for _ in 0..<documents {
            texts.append(randomDocument(rng: &rng))
        }
        return texts.joined(separator: " " + endOfText + " ")
    }

    /// One document, its kind drawn from `corpusMix`.
    public static func randomDocument(rng: inout RandomGenerator) -> String {
        var pick = rng.nextInt(below: 1000)
        var kind = corpusMix[0].kind
        for entry in corpusMix {
            if pick < entry.perThousand { kind = entry.kind; break }
            pick -= entry.perThousand
        }
        let topic = topics[rng.nextInt(below: topics.count)]
        switch kind {
        case .encyclopedia:
            let count = 1 + rng.nextInt(below: 3)
            return sentences(Phrases.encyclopedia, count: count, topic: topic, rng: &rng)
        case .chat:
            let count = 1 + rng.nextInt(below: 2)
            return sentences(Phrases.chat, count: count, topic: topic, rng: &rng)
        case .question(let style):
            let template = questionTemplates[rng.nextInt(below: questionTemplates.count)]
            let answer = sampleAnswer(style, topic: topic, rng: &rng)
            return "\(questionMarker) \(template.question(about: topic)) \(answerMarker) \(answer)"
        }
    }

    /// An answer in one style to a question about `topic`, e.g. for showing the styles.
    public static func sampleAnswer(_ style: AnswerStyle, topic: Topic,
                                    rng: inout RandomGenerator) -> String {
        switch style {
        case .blah:
            return blahAnswer(topic: topic, rng: &rng)
        case .unfinished:
            let values = PlaceholderValues(topic: topic, rng: &rng)
            let words = Phrases.styles[.neutral]!.fill(values, rng: &rng).split(separator: " ")
            // Cut after at least 3 words, before the final full stop, not after punctuation.
            var length = 3 + rng.nextInt(below: max(1, words.count - 3))
            while length > 1 && (length >= words.count || isEndPunctuation(words[length - 1])) {
                length -= 1
            }
            return words[0..<length].joined(separator: " ")
        default:
            let values = PlaceholderValues(topic: topic, rng: &rng)
            return Phrases.styles[style]!.fill(values, rng: &rng)
        }
    }

    private static func sentences(_ pattern: PhrasePattern, count: Int, topic: Topic,
                                  rng: inout RandomGenerator) -> String {
        // Sentence k uses fact (start + k): a document never says one fact twice.
        let start = rng.nextInt(below: topic.facts.count)
        var parts: [String] = []
        for k in 0..<count {
            let values = PlaceholderValues(topic: topic, rng: &rng).withFacts(startingAt: start + k)
            parts.append(pattern.fill(values, rng: &rng))
        }
        return parts.joined(separator: " ")
    }

    /// 4-9 words: mostly filler, some the asked noun, some stray words of random facts;
    /// ends with "." seven times in ten.
    private static func blahAnswer(topic: Topic, rng: inout RandomGenerator) -> String {
        var words: [String] = []
        for _ in 0..<(4 + rng.nextInt(below: 6)) {
            let roll = rng.nextInt(below: 10)
            if roll < 6 {
                words.append(Phrases.blahWords[rng.nextInt(below: Phrases.blahWords.count)])
            } else if roll < 8 {
                words.append(topic.name)
            } else {
                let someTopic = topics[rng.nextInt(below: topics.count)]
                let fact = someTopic.facts[rng.nextInt(below: someTopic.facts.count)]
                let factWords = fact.split(separator: " ")
                words.append(String(factWords[rng.nextInt(below: factWords.count)]))
            }
        }
        if rng.nextInt(below: 10) < 7 { words.append(".") }
        return words.joined(separator: " ")
    }

    static func isEndPunctuation<S: StringProtocol>(_ word: S) -> Bool {
        word == "." || word == "!" || word == "?"
    }
}
