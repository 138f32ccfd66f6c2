import Foundation

/// Comparing a command's output with the expected lines of a lesson, and showing the
/// difference as a unified diff (`--- expected`, `+++ actual`, `@@` hunks).
///
/// Matching rules (doctest ELLIPSIS, llm.c's `tol`):
///   - a line `...` in the expected output matches any number of actual lines, even none;
///   - other lines match exactly, or, when the lesson has `tolerance: t > 0`, after cutting both
///     lines into numbers and the text between them: the text must be equal and each pair of
///     numbers must satisfy |e - a| <= t * max(|e|, |a|) or |e - a| <= t (an absolute floor).
public enum OutputMatch {
    /// One expected or actual line cut into numbers and the text between them.
    enum Token: Equatable {
        case text(String)
        case number(Double)
    }

    /// `r=+1.23 loss 0.17` -> [text "r=", number 1.23, text " loss ", number 0.17]. A sign belongs
    /// to the number only after a non-word character (so `a-1` keeps its `-` as text).
    static func tokens(_ line: String) -> [Token] {
        let chars = Array(line.unicodeScalars)
        var tokens: [Token] = []
        var text = ""
        var i = 0
        func isDigit(_ k: Int) -> Bool { k < chars.count && ("0"..."9").contains(chars[k]) }
        func isWord(_ k: Int) -> Bool {
            k >= 0 && k < chars.count && (chars[k].properties.isAlphabetic || ("0"..."9").contains(chars[k]) || chars[k] == "_" || chars[k] == ".")
        }
        while i < chars.count {
            var start = i
            let signed = (chars[i] == "-" || chars[i] == "+") && isDigit(i + 1) && !isWord(i - 1)
            if signed || (isDigit(i) && !(i > 0 && chars[i - 1].properties.isAlphabetic)) {
                var j = signed ? i + 1 : i
                while isDigit(j) { j += 1 }
                if j < chars.count && chars[j] == "." && isDigit(j + 1) {
                    j += 1
                    while isDigit(j) { j += 1 }
                }
                if j < chars.count && (chars[j] == "e" || chars[j] == "E") {
                    var k = j + 1
                    if k < chars.count && (chars[k] == "-" || chars[k] == "+") { k += 1 }
                    if isDigit(k) {
                        while isDigit(k) { k += 1 }
                        j = k
                    }
                }
                let literal = String(String.UnicodeScalarView(chars[start..<j]))
                if let value = Double(literal) {
                    if !text.isEmpty { tokens.append(.text(text)); text = "" }
                    tokens.append(.number(value))
                    i = j
                    continue
                }
                start = i
            }
            text.unicodeScalars.append(chars[start])
            i = start + 1
        }
        if !text.isEmpty { tokens.append(.text(text)) }
        return tokens
    }

    /// Whether one actual line matches one expected line (never `...`; see `matches`).
    public static func lineMatches(expected: String, actual: String, tolerance: Double) -> Bool {
        if expected == actual { return true }
        guard tolerance > 0 else { return false }
        let e = tokens(expected), a = tokens(actual)
        guard e.count == a.count else { return false }
        for (x, y) in zip(e, a) {
            switch (x, y) {
            case (.text(let s), .text(let t)) where s == t: continue
            case (.number(let u), .number(let v)):
                let difference = abs(u - v)
                if difference <= tolerance || difference <= tolerance * max(abs(u), abs(v)) { continue }
                return false
            default: return false
            }
        }
        return true
    }

    /// One line of the alignment between expected and actual output.
    enum Edit: Equatable {
        case same(String)                 // matched (shows the expected text)
        case ellipsis(absorbed: Int)      // a `...` line and the actual lines it stood for
        case removed(String)              // expected, not printed
        case added(String)                // printed, not expected
    }

    /// The cheapest alignment: `...` absorbs actual lines for free, a matching pair is free, a
    /// missing or extra line costs 1. Output matches when the cost is 0. Dynamic programming on
    /// suffixes, O(expected * actual).
    static func align(expected: [String], actual: [String], tolerance: Double) -> [Edit] {
        let n = expected.count, m = actual.count
        guard n * m <= 4_000_000 else {   // far larger than any lesson output: compare line by line
            var edits: [Edit] = []
            for k in 0..<max(n, m) {
                if k < n && k < m && lineMatches(expected: expected[k], actual: actual[k], tolerance: tolerance) { edits.append(.same(expected[k])); continue }
                if k < n { edits.append(.removed(expected[k])) }
                if k < m { edits.append(.added(actual[k])) }
            }
            return edits
        }
        let width = m + 1
        var cost = [Int](repeating: 0, count: (n + 1) * width)
        var equal = [Bool](repeating: false, count: max(1, n * m))
        for i in 0..<n where expected[i] != "..." {
            for j in 0..<m { equal[i * m + j] = lineMatches(expected: expected[i], actual: actual[j], tolerance: tolerance) }
        }
        for j in stride(from: m, through: 0, by: -1) { cost[n * width + j] = m - j }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m, through: 0, by: -1) {
                let skipExpected = cost[(i + 1) * width + j]
                if expected[i] == "..." {
                    cost[i * width + j] = j < m ? min(skipExpected, cost[i * width + j + 1]) : skipExpected
                    continue
                }
                var best = skipExpected + 1
                if j < m {
                    best = min(best, cost[i * width + j + 1] + 1)
                    if equal[i * m + j] { best = min(best, cost[(i + 1) * width + j + 1]) }
                }
                cost[i * width + j] = best
            }
        }
        var edits: [Edit] = []
        var i = 0, j = 0
        while i < n || j < m {
            let here = cost[i * width + j]
            if i < n && expected[i] == "..." {
                var absorbed = 0
                while j < m && cost[i * width + j + 1] == cost[i * width + j] && cost[(i + 1) * width + j] != cost[i * width + j] {
                    j += 1; absorbed += 1
                }
                edits.append(.ellipsis(absorbed: absorbed))
                i += 1
            } else if i < n && j < m && equal[i * m + j] && cost[(i + 1) * width + j + 1] == here {
                edits.append(.same(expected[i])); i += 1; j += 1
            } else if i < n && cost[(i + 1) * width + j] + 1 == here {
                edits.append(.removed(expected[i])); i += 1
            } else {
                edits.append(.added(actual[j])); j += 1
            }
        }
        return edits
    }

    /// Whether `actual` matches `expected` (with `...` and the tolerance).
    public static func matches(expected: [String], actual: [String], tolerance: Double) -> Bool {
        align(expected: expected, actual: actual, tolerance: tolerance).allSatisfy {
            if case .same = $0 { return true }
            if case .ellipsis = $0 { return true }
            return false
        }
    }

    /// The index into `expected` of the first line that differs (expected.count if only extra
    /// lines were printed at the end), or nil when the output matches.
    public static func firstDifference(expected: [String], actual: [String], tolerance: Double) -> Int? {
        var index = 0
        for edit in align(expected: expected, actual: actual, tolerance: tolerance) {
            switch edit {
            case .same, .ellipsis: index += 1
            case .removed, .added: return index
            }
        }
        return nil
    }

    /// A unified diff of expected against actual output, `context` unchanged lines around each
    /// change; "" when they match. A `...` line is shown as context (it stands for the actual
    /// lines it absorbed, counted on the + side).
    public static func unifiedDiff(expected: [String], actual: [String], tolerance: Double, context: Int = 3) -> String {
        let edits = align(expected: expected, actual: actual, tolerance: tolerance)
        let changed = edits.indices.filter {
            if case .removed = edits[$0] { return true }
            if case .added = edits[$0] { return true }
            return false
        }
        guard !changed.isEmpty else { return "" }
        // Group changes whose context would touch into one hunk.
        var ranges: [ClosedRange<Int>] = []
        for k in changed {
            let range = max(0, k - context)...min(edits.count - 1, k + context)
            if let last = ranges.last, range.lowerBound <= last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...range.upperBound
            } else {
                ranges.append(range)
            }
        }
        // Line numbers (1-based) of each edit on both sides.
        var oldLine = [Int](), newLine = [Int]()
        var o = 1, n = 1
        for edit in edits {
            oldLine.append(o); newLine.append(n)
            switch edit {
            case .same: o += 1; n += 1
            case .ellipsis(let absorbed): o += 1; n += absorbed
            case .removed: o += 1
            case .added: n += 1
            }
        }
        var out = ["--- expected", "+++ actual"]
        for range in ranges {
            var oldCount = 0, newCount = 0
            var body: [String] = []
            for k in range {
                switch edits[k] {
                case .same(let line): body.append(" " + line); oldCount += 1; newCount += 1
                case .ellipsis(let absorbed): body.append(" ..."); oldCount += 1; newCount += absorbed
                case .removed(let line): body.append("-" + line); oldCount += 1
                case .added(let line): body.append("+" + line); newCount += 1
                }
            }
            let oldStart = oldCount == 0 ? oldLine[range.lowerBound] - 1 : oldLine[range.lowerBound]
            let newStart = newCount == 0 ? newLine[range.lowerBound] - 1 : newLine[range.lowerBound]
            out.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            out += body
        }
        return out.joined(separator: "\n")
    }
}
