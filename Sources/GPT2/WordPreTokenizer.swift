import Foundation

/// How the word-level tokenizer cuts text into pieces before looking each piece up.
/// Both are Hugging Face `tokenizers` pre-tokenizers, written the way `tokenizer.json` names them.
public enum WordPreTokenizer: String, Sendable, Equatable {
    /// `Sequence[WhitespaceSplit, Punctuation(behavior: Isolated)]`: split on runs of whitespace
    /// (dropped), then every punctuation character becomes a piece of its own.
    ///     "tea?!... yes" -> tea ? ! . . . yes        "don't" -> don ' t
    case whitespaceSplitPunctuation
    /// `Whitespace`: the regex `\w+|[^\w\s]+`, runs of word characters or runs of other non-space
    /// characters.
    ///     "tea?!... yes" -> tea ?!... yes            "don't" -> don ' t
    case whitespace

    /// The pieces of `text`, in order.
    public func split(_ text: String) -> [String] {
        switch self {
        case .whitespaceSplitPunctuation:
            return runs(text) { scalar in
                if scalar.properties.isWhitespace { return .drop }
                if WordPreTokenizer.isPunctuation(scalar) { return .alone }
                return .group(0)
            }
        case .whitespace:
            return runs(text) { scalar in
                if WordPreTokenizer.isWordCharacter(scalar) { return .group(0) }
                if scalar.properties.isWhitespace { return .drop }
                return .group(1)
            }
        }
    }

    /// What to do with one character: drop it, make it a piece alone, or join neighbours of the same group.
    enum Role: Equatable { case drop, alone, group(Int) }

    /// Cuts text into maximal runs of characters with the same `.group`; `.alone` characters are
    /// single pieces; `.drop` characters end a run and vanish.
    func runs(_ text: String, role: (Unicode.Scalar) -> Role) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var currentGroup: Int? = nil
        func flush() {
            if !current.isEmpty { pieces.append(String(current)) }
            current = String.UnicodeScalarView()
            currentGroup = nil
        }
        for scalar in text.unicodeScalars {
            switch role(scalar) {
            case .drop:
                flush()
            case .alone:
                flush()
                pieces.append(String(scalar))
            case .group(let group):
                if currentGroup != group { flush() }
                current.append(scalar)
                currentGroup = group
            }
        }
        flush()
        return pieces
    }

    /// Punctuation as `tokenizers` defines it: ASCII punctuation (which includes symbols like
    /// `$ + < = > ^ | ~`) or a Unicode punctuation category (Pc Pd Ps Pe Pi Pf Po).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value)
                || (0x5B...0x60).contains(value) || (0x7B...0x7E).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// `\w` in Unicode regexes: letters, marks, decimal digits, connector punctuation (`_`), joiners.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }

    // MARK: tokenizer.json

    /// Reads the `pre_tokenizer` field of tokenizer.json.
    static func fromJSON(_ value: Any?, file: String) throws -> WordPreTokenizer {
        func type(_ value: Any?) -> String? { (value as? [String: Any])?["type"] as? String }
        if type(value) == "Whitespace" { return .whitespace }
        if type(value) == "Sequence", let steps = (value as? [String: Any])?["pretokenizers"] as? [Any],
           steps.count == 2, type(steps[0]) == "WhitespaceSplit", type(steps[1]) == "Punctuation" {
            let behavior = (steps[1] as? [String: Any])?["behavior"] as? String ?? "Isolated"
            if behavior == "Isolated" { return .whitespaceSplitPunctuation }
        }
        throw TokenizerError(file: file, problem: "pre_tokenizer must be {\"type\": \"Whitespace\"} or a Sequence of WhitespaceSplit and Punctuation (behavior Isolated)")
    }

    /// The `pre_tokenizer` field as Hugging Face writes it.
    func json(indent: Int) -> String {
        switch self {
        case .whitespace:
            return JSONWriter.object([("type", "\"Whitespace\"")], indent: indent)
        case .whitespaceSplitPunctuation:
            let steps = [JSONWriter.object([("type", "\"WhitespaceSplit\"")], indent: indent + 4),
                         JSONWriter.object([("type", "\"Punctuation\""), ("behavior", "\"Isolated\"")], indent: indent + 4)]
            return JSONWriter.object([("type", "\"Sequence\""),
                                      ("pretokenizers", JSONWriter.array(steps, indent: indent + 2))], indent: indent)
        }
    }
}
