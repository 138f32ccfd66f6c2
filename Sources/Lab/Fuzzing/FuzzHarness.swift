import Foundation

/// One parser under attack: how to feed it bytes, and what must hold afterwards.
///
/// A harness turns an input into a verdict: `.loaded` (the parser accepted it) or `.rejected`
/// (it threw an error, as it should for garbage). A trap inside the parser kills the process,
/// which is the bug the fuzzer hunts for; a broken promise (an error of several lines, a file
/// that loads but does not load again after saving) is thrown as a `FuzzFinding`.
public struct FuzzHarness {
    public enum Verdict: Equatable {
        case loaded
        case rejected(String)
    }

    /// Where a harness may write the files its parser reads (a fresh folder per run).
    public struct Context {
        public let scratch: URL
        /// Writes `data` to the scratch file `name` and returns its URL.
        public func file(_ name: String, _ data: Data) throws -> URL {
            let url = scratch.appendingPathComponent(name)
            try data.write(to: url)
            return url
        }
    }

    public let name: String
    public let summary: String
    /// Tokens of the format the mutator inserts whole (field names, keywords, punctuation).
    public let dictionary: [String]
    /// Valid inputs built in code, name -> bytes (also written to Tests/Fuzz/corpus/<name>/).
    public let seeds: () -> [String: Data]
    /// Errors must be one line (file parsers: "FILE: what is wrong").
    public let errorsAreOneLine: Bool
    public let run: (Data, Context) throws -> Verdict

    public init(name: String, summary: String, dictionary: [String], errorsAreOneLine: Bool = true,
                seeds: @escaping () -> [String: Data], run: @escaping (Data, Context) throws -> Verdict) {
        self.name = name
        self.summary = summary
        self.dictionary = dictionary
        self.errorsAreOneLine = errorsAreOneLine
        self.seeds = seeds
        self.run = run
    }

    /// Every harness, in the order `rlhf fuzz all` runs them: Lab's own, then the registered ones.
    public static var all: [FuzzHarness] { builtIn + registered }

    static let builtIn: [FuzzHarness] = [
        .commandLine, .settings, .safetensors, .config, .wordTokenizer, .bpeTokenizer, .vocabMerges,
        .preferences, .promptCompletions,
    ]

    /// Harnesses of modules above Lab (the Jupyter kernel's message parser), which Lab cannot
    /// import: the executable and the tests register them before they fuzz.
    nonisolated(unsafe) public private(set) static var registered: [FuzzHarness] = []

    /// Adds a harness to `all` (once per name).
    public static func register(_ harness: FuzzHarness) {
        if !all.contains(where: { $0.name == harness.name }) { registered.append(harness) }
    }

    public static func named(_ name: String) -> FuzzHarness? { all.first { $0.name == name } }

    /// JSON punctuation and literals, shared by the JSON formats.
    public static let jsonTokens = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "\\u0000", "\\ud800", "\\\"",
                             "{\"a\":", "[[[[[[[[", "]]]]]]]]", "\"\":", " ", "\n", "\u{FEFF}", "\u{FFFD}", "é"]
}

/// A promise a parser broke without crashing, e.g. an error message of several lines.
public struct FuzzFinding: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
