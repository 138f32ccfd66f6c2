import Foundation
import GPT2

/// How far the student got in each lesson, kept in `lessons.json` so `lesson N` resumes:
///
///     {"lessons":{"00-welcome":{"finished":false,"step":3,"steps":9}},"version":1}
///
/// Written atomically (AtomicFile) after every step. Where: `$RLHF_STATE_DIR/lessons.json`,
/// else `$XDG_STATE_HOME/rlhf/lessons.json`, else `~/.local/state/rlhf/lessons.json`.
public final class LessonProgress {
    public struct Entry: Codable, Equatable, Sendable {
        /// The next step to do (0 = not started); `steps` when finished.
        public var step: Int
        public var steps: Int
        public var finished: Bool
        public init(step: Int, steps: Int, finished: Bool) { self.step = step; self.steps = steps; self.finished = finished }
    }

    struct FileContents: Codable {
        var version = 1
        var lessons: [String: Entry] = [:]
    }

    /// nil: progress is kept for this session only.
    public let url: URL?
    public private(set) var entries: [String: Entry] = [:]

    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let dir = environment["RLHF_STATE_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir).appendingPathComponent("lessons.json")
        }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("rlhf/lessons.json")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/rlhf/lessons.json")
    }

    /// Reads the file if it exists; a missing or unreadable file means no progress yet.
    public init(url: URL? = LessonProgress.defaultURL()) {
        self.url = url
        if let url, let data = try? Data(contentsOf: url),
           let contents = try? JSONDecoder().decode(FileContents.self, from: data) {
            entries = contents.lessons
        }
    }

    public subscript(name: String) -> Entry? { entries[name] }

    /// Records `entry` for lesson `name` and saves the file.
    public func set(_ name: String, _ entry: Entry) throws {
        entries[name] = entry
        guard let url else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(FileContents(lessons: entries))
        try AtomicFile.write(data + Data("\n".utf8), to: url)
    }
}
