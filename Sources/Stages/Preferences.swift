import Foundation
import GPT2

/// One human (or rule) judgement: for this prompt, `chosen` is better than `rejected`.
///
/// Stored as one JSON line in TRL's explicit-prompt preference form plus our metadata:
///   {"prompt": ..., "chosen": ..., "rejected": ..., "labeler": "student", "time": "2026-11-25T10:00:00Z",
///    "chosen_score": 5.5, "rejected_score": -1}
/// (the scores only when a rule labeler judged).
public struct Comparison: Codable, Sendable, Equatable {
    public var prompt: String
    public var chosen: String
    public var rejected: String
    /// Who judged: "student" or the rule labeler's name.
    public var labeler: String
    /// When, ISO 8601 in UTC.
    public var time: String
    public var chosenScore: Double?
    public var rejectedScore: Double?

    enum CodingKeys: String, CodingKey {
        case prompt, chosen, rejected, labeler, time
        case chosenScore = "chosen_score", rejectedScore = "rejected_score"
    }

    public init(prompt: String, chosen: String, rejected: String, labeler: String, time: Date = Date(),
                chosenScore: Double? = nil, rejectedScore: Double? = nil) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.labeler = labeler
        self.time = ISO8601DateFormatter().string(from: time)
        self.chosenScore = chosenScore
        self.rejectedScore = rejectedScore
    }

    /// A K-way ranking (best first) expands into all K(K-1)/2 pairs: each response is preferred
    /// to every response ranked below it.
    public static func pairs(prompt: String, rankedBestFirst responses: [String], labeler: String,
                             time: Date = Date()) -> [Comparison] {
        var pairs: [Comparison] = []
        for i in 0..<responses.count {
            for j in (i + 1)..<max(i + 1, responses.count) {
                pairs.append(Comparison(prompt: prompt, chosen: responses[i], rejected: responses[j],
                                        labeler: labeler, time: time))
            }
        }
        return pairs
    }
}

/// What loading a preference file found.
public struct PreferenceLoad: Sendable {
    public var comparisons: [Comparison]
    /// Lines that could not be read, e.g. "prefs.jsonl:12: torn last line (partial write), skipped".
    public var problems: [String]
}

/// A preference file: every new comparison is appended and flushed to disk (fsync) the moment
/// it is made, so a crash or a kill loses no label.
public final class PreferenceStore {
    public let url: URL
    public private(set) var comparisons: [Comparison] = []
    /// What opening the file found wrong, e.g. a torn last line that was cut off.
    public private(set) var problems: [String] = []

    /// Opens (or creates) the file and reads what is already there. A torn last line (from a
    /// crash in the middle of a write) is reported in `problems` and cut off the file, so the
    /// next label starts on a clean line.
    public init(url: URL) throws {
        self.url = url
        // open (or create) it for appending now: a file we cannot write is an error here, not at the first label
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else {
            throw DataFileError("\(url.path): cannot open for appending (\(String(cString: strerror(errno))))")
        }
        close(fd)
        let loaded = try PreferenceStore.load(from: url)
        comparisons = loaded.comparisons
        problems = loaded.problems
        // The next label must start on a line of its own. A file that does not end with a newline
        // has either a torn last line (a problem: cut it off, back to the last newline) or a whole
        // last line without one (a file written by hand: end it).
        if let data = FileManager.default.contents(atPath: url.path), let last = data.last, last != UInt8(ascii: "\n") {
            if problems.isEmpty {
                try append(raw: Data([UInt8(ascii: "\n")]))
            } else {
                truncate(url.path, off_t((data.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1))
            }
        }
    }

    /// Appends one comparison as a JSON line and fsyncs before returning.
    public func append(_ comparison: Comparison) throws {
        var line = try PreferenceStore.encode(comparison)  // one line: JSONEncoder escapes newlines
        line.append(UInt8(ascii: "\n"))
        try append(raw: line)
        comparisons.append(comparison)
    }

    /// Appends bytes with one write and fsyncs before returning.
    func append(raw line: Data) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw DataFileError("\(url.path): cannot open for appending (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw DataFileError("\(url.path): could not write the label to disk (\(String(cString: strerror(errno))))")
        }
    }

    static func encode(_ comparison: Comparison) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(comparison)
    }

    /// Reads a preference JSONL file. Accepts TRL's plain {"prompt","chosen","rejected"} lines
    /// (labeler "imported"). A bad line in the middle is an error; a bad *last* line is a torn
    /// write: it is reported in `problems` and the valid lines are kept.
    public static func load(from url: URL) throws -> PreferenceLoad {
        let data = try readDataFile(url)
        let text = String(decoding: data, as: UTF8.self)
        let lines = textLines(text)
        let endsWithNewline = data.last == UInt8(ascii: "\n")
        var result = PreferenceLoad(comparisons: [], problems: [])
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                result.comparisons.append(try decode(Data(trimmed.utf8)))
            } catch {
                let place = "\(url.lastPathComponent):\(index + 1)"
                // torn = the very last bytes of the file, with no newline after them (a line that
                // ends with a newline, even one followed by blank lines, was written whole)
                if index == lines.count - 1 && !endsWithNewline {
                    result.problems.append("\(place): torn last line (partial write), skipped")
                } else {
                    throw DataFileError("\(place): \(error is DataFileError ? "\(error)" : "not a preference record {\"prompt\", \"chosen\", \"rejected\"}")")
                }
            }
        }
        return result
    }

    static func decode(_ line: Data) throws -> Comparison {
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              let prompt = object["prompt"] as? String, let chosen = object["chosen"] as? String,
              let rejected = object["rejected"] as? String else {
            throw DataFileError("not a preference record {\"prompt\", \"chosen\", \"rejected\"}")
        }
        var comparison = Comparison(prompt: prompt, chosen: chosen, rejected: rejected,
                                    labeler: object["labeler"] as? String ?? "imported")
        // a record without a time keeps none (not the time of loading, which would differ on every load)
        comparison.time = object["time"] as? String ?? ""
        comparison.chosenScore = object["chosen_score"] as? Double
        comparison.rejectedScore = object["rejected_score"] as? Double
        return comparison
    }

    /// Writes comparisons to a JSONL file atomically (temporary file, fsync, rename).
    public static func export(_ comparisons: [Comparison], to url: URL) throws {
        var data = Data()
        for comparison in comparisons {
            data.append(try encode(comparison))
            data.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(data, to: url)
    }
}
