// Filling phrase patterns: with one random choice per slot (for the corpus), or with every
// choice at once (for the labeler's set of grammatical word pairs).
import Numerics

/// What the placeholders of a pattern stand for in one filled-in text.
struct PlaceholderValues {
    let topic: Topic
    let other: Topic
    /// Indices into topic.facts: {f}, {f2}.
    let facts: (Int, Int)
    /// Indices into other.facts: {of}, {of2}.
    let otherFacts: (Int, Int)

    /// Random values: two different facts of each topic, and another topic than `topic`.
    init(topic: Topic, rng: inout RandomGenerator) {
        self.topic = topic
        let others = TinyWorld.topics.filter { $0.name != topic.name }
        other = others[rng.nextInt(below: others.count)]
        facts = PlaceholderValues.twoDifferent(topic.facts.count, &rng)
        otherFacts = PlaceholderValues.twoDifferent(other.facts.count, &rng)
    }

    /// The same values with {f} set to fact `first` and {f2} to the fact after it.
    func withFacts(startingAt first: Int) -> PlaceholderValues {
        let count = topic.facts.count
        return PlaceholderValues(topic: topic, other: other,
                                 facts: (first % count, (first + 1) % count), otherFacts: otherFacts)
    }

    private init(topic: Topic, other: Topic, facts: (Int, Int), otherFacts: (Int, Int)) {
        self.topic = topic
        self.other = other
        self.facts = facts
        self.otherFacts = otherFacts
    }

    static func twoDifferent(_ count: Int, _ rng: inout RandomGenerator) -> (Int, Int) {
        let first = rng.nextInt(below: count)
        let second = (first + 1 + rng.nextInt(below: count - 1)) % count
        return (first, second)
    }

    func value(of placeholder: String) -> String? {
        switch placeholder {
        case "{n}": return topic.name
        case "{v}": return topic.verb
        case "{f}": return topic.facts[facts.0]
        case "{f2}": return topic.facts[facts.1]
        case "{o}": return other.name
        case "{of}": return other.facts[otherFacts.0]
        case "{of2}": return other.facts[otherFacts.1]
        default: return nil
        }
    }
}

extension PhrasePattern {
    /// One text: a random alternative per slot, placeholders filled in, single spaces.
    func fill(_ values: PlaceholderValues, rng: inout RandomGenerator) -> String {
        var words: [String] = []
        for slot in slots {
            let choice = slot[rng.nextInt(below: slot.count)]
            for word in choice.split(separator: " ") {
                let word = String(word)
                if let value = values.value(of: word) {
                    words += value.split(separator: " ").map(String.init)
                } else {
                    words.append(word)
                }
            }
        }
        return words.joined(separator: " ")
    }

    /// Every word the pattern can write, placeholders left out.
    var literalWords: Set<String> {
        var words = Set<String>()
        for slot in slots {
            for choice in slot {
                for word in choice.split(separator: " ") where !word.hasPrefix("{") {
                    words.insert(String(word))
                }
            }
        }
        return words
    }

    /// Every adjacent word pair ("kettle and") in any text this pattern can write, with any
    /// topic, verb or fact in the placeholders. Computed exactly, slot by slot, by carrying the
    /// set of words a text so far can end with.
    func wordPairs() -> Set<String> {
        var pairs = Set<String>()
        var lastWords: Set<String> = [""]  // "" marks the start of the text
        for slot in slots {
            var next = Set<String>()
            for choice in slot {
                let tokens = choice.split(separator: " ").map(String.init)
                next.formUnion(PhrasePattern.walk(tokens, from: lastWords, into: &pairs))
            }
            lastWords = next
        }
        return pairs
    }

    /// The words that can end a text made of `tokens`, given the words that can come before.
    private static func walk(_ tokens: [String], from before: Set<String>,
                             into pairs: inout Set<String>) -> Set<String> {
        var current = before
        for token in tokens {
            if let options = placeholderOptions[token] {
                var next = Set<String>()
                for option in options {
                    let words = option.split(separator: " ").map(String.init)
                    next.formUnion(walk(words, from: current, into: &pairs))
                }
                current = next
            } else {
                for previous in current where !previous.isEmpty {
                    pairs.insert(previous + " " + token)
                }
                current = [token]
            }
        }
        return current
    }

    /// Everything a placeholder may stand for, over all topics.
    private static let placeholderOptions: [String: [String]] = {
        let nouns = TinyWorld.topics.map(\.name)
        let verbs = Array(Set(TinyWorld.topics.map(\.verb))).sorted()
        let facts = TinyWorld.topics.flatMap(\.facts)
        return ["{n}": nouns, "{o}": nouns, "{v}": verbs,
                "{f}": facts, "{f2}": facts, "{of}": facts, "{of2}": facts]
    }()
}
