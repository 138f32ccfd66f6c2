// The rule labeler: a deterministic stand-in for the person who compares two answers.
//
// It scores one response to one question by adding the points of every rule that fires, and
// says why, one reason line per rule. Of two responses it prefers the higher score; equal
// scores are a tie (the pair is not used).
//
// | rule              | points          | fires when                                                |
// |-------------------|-----------------|-----------------------------------------------------------|
// | polite            | +1              | a polite word: sure course great happy glad thanks hope   |
// |                   |                 | helps help luck fun enjoy nice                            |
// | rude              | -4              | a rude word: ugh seriously dumb stupid obviously          |
// |                   |                 | bothering yourself nobody cares                           |
// | answers           | +2 per fact     | a content word of a fact of the asked topic (at most 2    |
// |                   | (max +4)        | facts count)                                              |
// | does not answer   | -1              | the question names a topic and no fact of it is mentioned |
// | other topic       | -1.5 per topic  | another topic's noun or content word (at most 2 count)    |
// |                   | (max -3)        |                                                           |
// | repetitive        | -3              | a content word twice (the same fact twice), any other     |
// |                   |                 | non-stop word 3 times, or a word triple twice             |
// | blah              | -1              | a filler word: blah hmm um stuff things whatever anyway   |
// |                   |                 | meh                                                       |
// | short             | -1              | fewer than 4 words                                        |
// | unfinished        | -2              | the last word is not . ! or ?                             |
// | ungrammatical     | -1 per pair     | a word pair that occurs in no clean text of any style     |
// |                   | (max -3)        | (the answer patterns, encyclopedia sentences, SFT data)   |
//
// "Helpful" = polite, mentions a fact of the asked topic, and is not rude, off topic,
// repetitive, blah, unfinished or ungrammatical. A helpful two-fact answer scores +5, the most
// any response can score. The order of the styles (pinned by the tests), for "any tips for tea ?":
//
//   +5.0  helpful, two facts      sure ! for tea , heat water in a kettle and steep the leaves
//                                 for three minutes . hope this helps !
//   +4.0  neutral, two facts      for tea , heat water in a kettle and serve it in a warm mug .
//   +3.0  polite, one fact        of course ! for tea , heat water in a kettle . good luck !
//   +2.0  curt, one fact          just steep the leaves for three minutes .
//   +1.0  polite, unfinished      sure ! for tea , heat water in a
//    0.0  polite non-answer       of course ! i am glad you asked . have a nice day !
//    0.0  the same fact twice     sure ! for tea , heat water in a kettle and heat water in a
//                                 kettle . hope this helps !
//   -1.5  polite, wrong topic     great question ! for rice , rinse the grains first . good luck !
//   -2.0  rude, on topic          ugh , steep the leaves for three minutes . stop bothering me .
//   -5.0  rude                    what a dumb question . figure it out yourself .
//   -8.0  blah                    blah blah tea hmm stuff blah whatever .
//
// Saying one fact twice earns nothing over saying nothing: that is what a reward model which
// only counts fact words misses, and what a policy trained without a KL penalty finds.
import Foundation
import Stages

public struct RuleLabeler: Labeler, Sendable {
    public let name = "rule-labeler-v1"

    public init() {}

    /// The rules as (name, points, when it fires), for the REPL's help card.
    public static let rules: [(name: String, points: String, firesWhen: String)] = [
        ("polite", "+1", "a polite word (sure, course, great, happy, glad, thanks, hope, helps, ...)"),
        ("rude", "-4", "a rude word (ugh, seriously, dumb, stupid, obviously, bothering, ...)"),
        ("answers", "+2 per fact, max +4", "a content word of a fact of the asked topic"),
        ("does not answer", "-1", "no fact of the asked topic"),
        ("other topic", "-1.5 per topic, max -3", "another topic's noun or content word"),
        ("repetitive", "-3", "a fact twice, a word 3 times, or a word triple twice"),
        ("blah", "-1", "a filler word (blah, hmm, um, stuff, things, whatever, ...)"),
        ("short", "-1", "fewer than 4 words"),
        ("unfinished", "-2", "the last word is not . ! or ?"),
        ("ungrammatical", "-1 per pair, max -3", "a word pair that no clean text contains"),
    ]

    public func judge(prompt: String, response: String) -> Judgement {
        var words = response.split(separator: " ").map(String.init)
        if let end = words.firstIndex(of: TinyWorld.endOfText) { words = Array(words[..<end]) }
        let asked = TinyWorld.topic(ofQuestion: prompt)
        var score = 0.0
        var reasons: [String] = []
        func add(_ points: Double, _ reason: String) {
            score += points
            reasons.append(String(format: "%+.1f ", points) + reason)
        }

        let polite = words.first { Phrases.politeWords.contains($0) }
        if let polite { add(1, "polite ('\(polite)')") }
        let rude = words.first { Phrases.rudeWords.contains($0) }
        if let rude { add(-4, "rude ('\(rude)')") }

        // Facts of the asked topic, and other topics mentioned.
        var factsAnswered: [Int] = []
        var factEvidence: [String] = []
        var otherTopics: [String] = []
        for word in words {
            if let index = TinyWorld.topicIndexByContentWord[word] {
                let topic = TinyWorld.topics[index]
                if topic == asked {
                    if let fact = topic.facts.firstIndex(where: { $0.split(separator: " ").contains(Substring(word)) }),
                       !factsAnswered.contains(fact) {
                        factsAnswered.append(fact)
                        factEvidence.append(word)
                    }
                } else if !otherTopics.contains(topic.name) {
                    otherTopics.append(topic.name)
                }
            } else if let index = TinyWorld.topics.firstIndex(where: { $0.name == word }),
                      TinyWorld.topics[index] != asked, !otherTopics.contains(word) {
                otherTopics.append(word)
            }
        }
        if let asked {
            if factsAnswered.isEmpty {
                add(-1, "does not answer the asked topic (\(asked.name))")
            } else {
                let counted = min(2, factsAnswered.count)
                let evidence = factEvidence.prefix(counted).map { "'\($0)'" }.joined(separator: ", ")
                add(2 * Double(counted), "answers \(asked.name) with \(counted) fact\(counted == 1 ? "" : "s") (\(evidence))")
            }
        }
        if !otherTopics.isEmpty {
            let counted = min(2, otherTopics.count)
            add(-1.5 * Double(counted), "mentions other topic\(otherTopics.count == 1 ? "" : "s"): \(otherTopics.joined(separator: ", "))")
        }

        let repetition = RuleLabeler.repetition(in: words)
        if let repetition { add(-3, "repetitive: \(repetition)") }
        let blah = words.first { Phrases.blahWords.contains($0) }
        if let blah { add(-1, "blah ('\(blah)')") }
        if words.count < 4 { add(-1, "short (\(words.count) word\(words.count == 1 ? "" : "s"))") }
        let finished = words.last.map { TinyWorld.isEndPunctuation($0) } ?? false
        if !finished { add(-2, "unfinished (does not end with . ! or ?)") }
        var badPairs: [String] = []
        for i in words.indices.dropFirst() {
            let pair = words[i - 1] + " " + words[i]
            if !RuleLabeler.grammaticalPairs.contains(pair) { badPairs.append(pair) }
        }
        if !badPairs.isEmpty {
            let counted = min(3, badPairs.count)
            let shown = badPairs.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            add(-Double(counted), "ungrammatical: \(badPairs.count) word pair\(badPairs.count == 1 ? "" : "s") (\(shown))")
        }

        let isOnTopic = !factsAnswered.isEmpty
        let isHelpful = polite != nil && isOnTopic && rude == nil && otherTopics.isEmpty
            && repetition == nil && blah == nil && finished && badPairs.isEmpty
        var judgement = Judgement(score: score, reasons: reasons, isHelpful: isHelpful)
        judgement.isPolite = polite != nil
        judgement.isRude = rude != nil
        judgement.isOnTopic = isOnTopic
        judgement.isOffTopic = !otherTopics.isEmpty
        judgement.isRepetitive = repetition != nil
        judgement.isUnfinished = !finished
        judgement.isGarbled = !badPairs.isEmpty
        return judgement
    }

    /// What makes the response repetitive, or nil: a content word twice (one fact said twice),
    /// another non-stop word three times, or a word triple that occurs twice.
    static func repetition(in words: [String]) -> String? {
        var counts: [String: Int] = [:]
        for word in words { counts[word, default: 0] += 1 }
        for word in words where counts[word]! >= 2 && TinyWorld.topicIndexByContentWord[word] != nil {
            return "says '\(word)' twice (the same fact twice)"
        }
        for word in words where counts[word]! >= 3 && !Phrases.stopWords.contains(word) {
            return "'\(word)' \(counts[word]!) times"
        }
        var triples = Set<String>()
        for i in words.indices.dropFirst(2) {
            let triple = words[(i - 2)...i].joined(separator: " ")
            if !triples.insert(triple).inserted { return "'\(triple)' twice" }
        }
        return nil
    }

    /// Word pairs found in clean text of any style: every answer pattern, the encyclopedia
    /// sentences and the SFT examples (not chat or blah), with every topic filled in.
    public static let grammaticalPairs: Set<String> = {
        var pairs = Set<String>()
        for pattern in Array(Phrases.styles.values) + [Phrases.encyclopedia] {
            pairs.formUnion(pattern.wordPairs())
        }
        for example in TinyWorld.sftExamples + TinyWorld.sftHeldOutExamples {
            let words = example.completion.split(separator: " ")
            for i in words.indices.dropFirst() { pairs.insert(words[i - 1] + " " + words[i]) }
        }
        return pairs
    }()
}
