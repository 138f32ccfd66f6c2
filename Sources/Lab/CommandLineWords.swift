/// Splits a command line into words, the way sqlite's shell splits a dot-command:
/// whitespace separates words; '…' quotes literally; "…" quotes with the escapes
/// \n \t \" \\ ; a quote inside a word continues the word (`--name="a b"` is one word).
/// An unterminated quote is an error, never a guess.
public enum CommandLineWords {
    public static func words(_ line: String) throws -> [String] {
        try scan(line, splitStatements: false).first ?? []
    }

    /// Splits `a; b; c` (semicolons outside quotes) into statements, each already split into
    /// words. Used by `rlhf -c 'cmd; cmd'`.
    public static func statements(_ line: String) throws -> [[String]] {
        try scan(line, splitStatements: true)
    }

    /// Splits `a; b` into statement strings, keeping each statement's original text.
    public static func statementLines(_ line: String) throws -> [String] {
        var lines: [String] = []
        var current = ""
        var quote: Character? = nil
        var escaped = false
        for c in line {
            if let q = quote {
                current.append(c)
                if escaped { escaped = false }
                else if q == "\"" && c == "\\" { escaped = true }
                else if c == q { quote = nil }
            } else if c == ";" {
                lines.append(current)
                current = ""
            } else {
                if c == "\"" || c == "'" { quote = c }
                current.append(c)
            }
        }
        if let q = quote { throw unterminated(q) }
        lines.append(current)
        return lines.map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
    }

    static func unterminated(_ quote: Character) -> LabError {
        LabError("unterminated \(quote == "\"" ? "double" : "single") quote",
                 hint: "close the quote with \(quote), or escape a double quote inside \"…\" as \\\"")
    }

    private static func scan(_ line: String, splitStatements: Bool) throws -> [[String]] {
        var statements: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(word); word = ""; inWord = false }
            case ";" where splitStatements:
                if inWord { words.append(word); word = ""; inWord = false }
                if !words.isEmpty { statements.append(words) }
                words = []
            case "'":
                inWord = true
                var closed = false
                while let d = chars.next() {
                    if d == "'" { closed = true; break }
                    word.append(d)
                }
                if !closed { throw unterminated("'") }
            case "\"":
                inWord = true
                var closed = false
                while let d = chars.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\" {
                        guard let e = chars.next() else { break }
                        switch e {
                        case "n": word.append("\n")
                        case "t": word.append("\t")
                        case "\"": word.append("\"")
                        case "\\": word.append("\\")
                        default: word.append("\\"); word.append(e)
                        }
                    } else {
                        word.append(d)
                    }
                }
                if !closed { throw unterminated("\"") }
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(word) }
        if !words.isEmpty || statements.isEmpty { statements.append(words) }
        return statements
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
