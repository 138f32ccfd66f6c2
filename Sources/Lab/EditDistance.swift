/// "Did you mean" suggestions: the Levenshtein distance (insertions, deletions, substitutions
/// each cost 1), as swift-argument-parser does for unknown options.
public enum EditDistance {
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidates nearest to `word`, if near enough to be a plausible typo: at most 4 edits
    /// (argument-parser's similarity floor) and fewer edits than the longer word has letters,
    /// with a word that is a prefix of a candidate always counting as near.
    public static func suggestions(for word: String, among candidates: [String]) -> [String] {
        var best: [String] = []
        var bestDistance = Int.max
        for candidate in candidates {
            let d = distance(word, candidate)
            let limit = min(4, max(1, max(word.count, candidate.count) / 2))
            guard d <= limit else { continue }
            if d < bestDistance { best = [candidate]; bestDistance = d }
            else if d == bestDistance && !best.contains(candidate) { best.append(candidate) }
        }
        return best
    }

    /// "did you mean 'a' or 'b'?" or nil.
    public static func hint(for word: String, among candidates: [String]) -> String? {
        let found = suggestions(for: word, among: candidates)
        guard !found.isEmpty else { return nil }
        return "did you mean " + found.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?"
    }
}
