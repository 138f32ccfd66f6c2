import Foundation

// The lesson format: Markdown that reads like a notebook. Lessons, `:record` transcripts and
// `rlhf check` fixtures all use it (cram's `.t` files, doctest, rustdoc's fence attributes).
//
//     ---                          optional front matter: title, seed, tolerance, width, threads
//     title: Welcome
//     seed: 0
//     ---
//     Prose is shown to the student as written.
//
//     ```rlhf                      a block; attributes after `rlhf`: hidden, no-check,
//     > :set temperature 0.5       should-fail, exercise (comma or space separated)
//     temperature: 1 -> 0.5        expected output of the command above
//     > :show seed
//     ...                          a line `...` matches any number of lines
//     ```
//
// An expected line starting with `\` has the backslash removed, so output that begins with `>`,
// `\` or a fence can be written (the writer adds the backslash itself). An output line that is
// exactly `...` cannot be told from the ellipsis: it is written as is and matches anything.

/// A parsed lesson: front matter, then prose and `rlhf` blocks in file order.
public struct Lesson: Equatable, Sendable {
    public var file: String
    public var frontMatter: FrontMatter
    public var items: [Item]

    public init(file: String, frontMatter: FrontMatter = FrontMatter(), items: [Item] = []) {
        self.file = file; self.frontMatter = frontMatter; self.items = items
    }

    public enum Item: Equatable, Sendable {
        /// Markdown lines between blocks, joined with newlines (never an empty list of lines).
        case prose(String)
        case block(Block)
    }

    /// The settings a lesson runs with.
    public struct FrontMatter: Equatable, Sendable {
        public var title: String?
        public var seed = 0
        /// Relative tolerance for numbers in expected output (also an absolute floor); 0 = exact text.
        public var tolerance = 0.0
        public var width = 100
        /// Worker threads while the lesson runs; nil keeps the session's (the outputs do not
        /// depend on it).
        public var threads: Int?
        /// The lines between the `---` markers as written; nil when the file has none. The writer
        /// keeps them verbatim (comments and key order survive `--update`).
        public var source: [String]?

        public init(title: String? = nil, seed: Int = 0, tolerance: Double = 0, width: Int = 100, threads: Int? = nil) {
            self.title = title; self.seed = seed; self.tolerance = tolerance; self.width = width; self.threads = threads
        }

        public static let keys = ["title", "seed", "tolerance", "width", "threads"]

        /// The front matter lines for these values (defaults left out, except the seed).
        public var canonicalLines: [String] {
            var lines: [String] = []
            if let title { lines.append("title: \(title)") }
            lines.append("seed: \(seed)")
            if tolerance != 0 { lines.append("tolerance: \(Format.plain(tolerance))") }
            if width != 100 { lines.append("width: \(width)") }
            if let threads { lines.append("threads: \(threads)") }
            return lines
        }
    }

    public enum Attribute: String, CaseIterable, Sendable {
        case hidden, noCheck = "no-check", shouldFail = "should-fail", exercise
    }

    /// A fenced ```rlhf block: its attributes, its commands with their expected output, and the
    /// line of its opening fence.
    public struct Block: Equatable, Sendable {
        public var attributes: [Attribute]
        public var steps: [Step]
        public var line: Int

        public init(attributes: [Attribute] = [], steps: [Step] = [], line: Int = 0) {
            self.attributes = attributes; self.steps = steps; self.line = line
        }
        public func has(_ attribute: Attribute) -> Bool { attributes.contains(attribute) }
        public var isHidden: Bool { has(.hidden) }
    }

    /// One `> command` line, the expected output lines after it, and its line in the file.
    public struct Step: Equatable, Sendable {
        public var command: String
        public var expected: [String]
        public var line: Int

        public init(command: String, expected: [String] = [], line: Int = 0) {
            self.command = command; self.expected = expected; self.line = line
        }
    }

    public var blocks: [Block] {
        items.compactMap { if case .block(let block) = $0 { block } else { nil } }
    }

    /// The front matter title, else the first `# ` heading, else the file name.
    public var title: String {
        if let title = frontMatter.title, !title.isEmpty { return title }
        for case .prose(let text) in items {
            for line in text.components(separatedBy: "\n") where line.hasPrefix("# ") {
                return String(line.dropFirst(2)).trimmingWhitespace
            }
        }
        return ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}

/// A lesson file that cannot be read: `FILE:LINE: message`, on one line.
public struct LessonFormatError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Reading and writing the lesson format.
public enum LessonFile {
    /// Reads and parses a lesson file.
    public static func load(_ path: String) throws -> Lesson {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LessonFormatError(file: path, line: 0, message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Splits text into lines; a final newline does not make an extra empty line; `\r\n` works.
    static func lines(_ text: String) -> [String] {
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// A fence line (CommonMark: up to 3 spaces, then 3 or more ` or ~): its character, length
    /// and info string.
    static func fence(_ line: String) -> (mark: Character, count: Int, info: String)? {
        var rest = Substring(line)
        var indent = 0
        while rest.first == " " && indent < 4 { rest = rest.dropFirst(); indent += 1 }
        guard indent <= 3, let mark = rest.first, mark == "`" || mark == "~" else { return nil }
        let count = rest.prefix(while: { $0 == mark }).count
        guard count >= 3 else { return nil }
        let info = String(rest.dropFirst(count)).trimmingWhitespace
        if mark == "`" && info.contains("`") { return nil }
        return (mark, count, info)
    }

    /// The words of an info string (`rlhf,hidden no-check` -> [rlhf, hidden, no-check]).
    static func infoWords(_ info: String) -> [String] {
        info.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// Parses lesson text. Never crashes; anything it cannot read is a `LessonFormatError`.
    public static func parse(_ text: String, file: String) throws -> Lesson {
        let lines = lines(text)
        var lesson = Lesson(file: file)
        func fail(_ line: Int, _ message: String) -> LessonFormatError {
            LessonFormatError(file: file, line: line, message: message)
        }
        var index = 0
        if let first = lines.first, first.trimmingWhitespace == "---" {
            guard let end = lines.indices.dropFirst().first(where: { lines[$0].trimmingWhitespace == "---" }) else {
                throw fail(1, "front matter opened with --- is never closed by a --- line")
            }
            lesson.frontMatter = try parseFrontMatter(Array(lines[1..<end]), firstLine: 2, file: file)
            index = end + 1
        }
        var prose: [String] = []
        func flushProse() {
            if !prose.isEmpty { lesson.items.append(.prose(prose.joined(separator: "\n"))); prose = [] }
        }
        while index < lines.count {
            let line = lines[index]
            guard let open = fence(line) else { prose.append(line); index += 1; continue }
            let words = infoWords(open.info)
            // Another language's fence: prose up to its closing fence (so ```rlhf can be quoted).
            func closes(_ candidate: String) -> Bool {
                guard let close = fence(candidate) else { return false }
                return close.mark == open.mark && close.count >= open.count && close.info.isEmpty
            }
            guard words.first == "rlhf" else {
                guard let end = lines.indices.dropFirst(index + 1).first(where: { closes(lines[$0]) }) else {
                    throw fail(index + 1, "code fence \(String(repeating: open.mark, count: open.count))\(open.info) is never closed")
                }
                prose += lines[index...end]
                index = end + 1
                continue
            }
            var block = Lesson.Block(line: index + 1)
            for word in words.dropFirst() {
                guard let attribute = Lesson.Attribute(rawValue: word) else {
                    let known = Lesson.Attribute.allCases.map(\.rawValue)
                    let hint = EditDistance.suggestions(for: word, among: known).first.map { " (did you mean '\($0)'?)" }
                        ?? " (known: \(known.joined(separator: ", ")))"
                    throw fail(index + 1, "unknown block attribute '\(word)'" + hint)
                }
                if !block.attributes.contains(attribute) { block.attributes.append(attribute) }
            }
            var end = index + 1
            while end < lines.count && !closes(lines[end]) {
                let body = lines[end]
                if body.hasPrefix(">>") {
                    throw fail(end + 1, "continuation lines (>>) are not supported: put the command on one line")
                } else if body == ">" || body.hasPrefix("> ") {
                    let command = String(body.dropFirst()).trimmingWhitespace
                    guard !command.isEmpty else { throw fail(end + 1, "a '>' line without a command") }
                    block.steps.append(Lesson.Step(command: command, line: end + 1))
                } else if body.hasPrefix(">") {
                    throw fail(end + 1, "a command line starts with '> ' (a space after the >)")
                } else if block.steps.isEmpty {
                    if !body.trimmingWhitespace.isEmpty {
                        throw fail(end + 1, "output before the first '> command' line of the block")
                    }
                } else {
                    block.steps[block.steps.count - 1].expected.append(body.hasPrefix("\\") ? String(body.dropFirst()) : body)
                }
                end += 1
            }
            guard end < lines.count else {
                throw fail(index + 1, "```rlhf block is never closed (a line ``` ends it)")
            }
            for i in block.steps.indices { block.steps[i].expected = trimTrailingBlankLines(block.steps[i].expected) }
            flushProse()
            lesson.items.append(.block(block))
            index = end + 1
        }
        flushProse()
        return lesson
    }

    static func trimTrailingBlankLines(_ lines: [String]) -> [String] {
        var lines = lines
        while let last = lines.last, last.trimmingWhitespace.isEmpty { lines.removeLast() }
        return lines
    }

    static func parseFrontMatter(_ lines: [String], firstLine: Int, file: String) throws -> Lesson.FrontMatter {
        var matter = Lesson.FrontMatter()
        matter.source = lines
        var seen: Set<String> = []
        let settings = Settings()
        for (offset, raw) in lines.enumerated() {
            let number = firstLine + offset
            func fail(_ message: String) -> LessonFormatError { LessonFormatError(file: file, line: number, message: message) }
            let line = raw.trimmingWhitespace
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else { throw fail("front matter lines are 'key: value', got '\(line)'") }
            let key = String(line[..<colon]).trimmingWhitespace
            var value = String(line[line.index(after: colon)...]).trimmingWhitespace
            guard Lesson.FrontMatter.keys.contains(key) else {
                let hint = EditDistance.suggestions(for: key, among: Lesson.FrontMatter.keys).first.map { " (did you mean '\($0)'?)" }
                    ?? " (keys: \(Lesson.FrontMatter.keys.joined(separator: ", ")))"
                throw fail("unknown front matter key '\(key)'" + hint)
            }
            guard seen.insert(key).inserted else { throw fail("front matter key '\(key)' given twice") }
            func setting(_ name: String) throws -> Int {
                do {
                    if case .int(let n) = try settings.validate(name, value) { return n }
                } catch let error as LabError {
                    throw fail(error.message + (error.hint.map { " (\($0))" } ?? ""))
                }
                throw fail("\(key): '\(value)' is not a whole number")
            }
            switch key {
            case "title":
                if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                    value = String(value.dropFirst().dropLast())
                }
                matter.title = value
            case "seed": matter.seed = try setting("seed")
            case "width": matter.width = try setting("width")
            case "threads": matter.threads = try setting("threads")
            default:
                guard let tolerance = Double(value), tolerance.isFinite, tolerance >= 0, tolerance < 1 else {
                    throw fail("tolerance: '\(value)' is not a number in 0 <= tolerance < 1 (e.g. 1e-4)")
                }
                matter.tolerance = tolerance
            }
        }
        return matter
    }

    // MARK: Writing

    /// An expected-output line as written in a block (a backslash protects lines the parser
    /// would read as a command, a fence or an escape; `...` stays the ellipsis).
    static func escape(_ line: String) -> String {
        if line.hasPrefix(">") || line.hasPrefix("\\") || fence(line) != nil { return "\\" + line }
        return line
    }

    /// The lesson as text, in the format `parse` reads: `parse(write(l))` equals `l` up to line
    /// numbers. Fences are written as ```rlhf with comma-separated attributes.
    public static func write(_ lesson: Lesson) -> String {
        var out: [String] = []
        var frontLines = lesson.frontMatter.source ?? lesson.frontMatter.canonicalLines
        if lesson.frontMatter.source == nil && lesson.frontMatter == Lesson.FrontMatter() { frontLines = [] }
        if lesson.frontMatter.source != nil || !frontLines.isEmpty {
            out.append("---")
            out += frontLines
            out.append("---")
        }
        for item in lesson.items {
            switch item {
            case .prose(let text):
                out += text.components(separatedBy: "\n")
            case .block(let block):
                out.append((["rlhf"] + block.attributes.map(\.rawValue)).joined(separator: ",").withFence)
                for step in block.steps {
                    out.append("> " + step.command)
                    out += trimTrailingBlankLines(step.expected).map(escape)
                }
                out.append("```")
            }
        }
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }

    /// Output text as expected lines: trailing whitespace of each line and trailing blank lines
    /// removed.
    public static func outputLines(_ text: String) -> [String] {
        trimTrailingBlankLines(lines(text).map(\.trimmingWhitespaceAtEnd))
    }
}

private extension String {
    var withFence: String { "```" + self }
}
