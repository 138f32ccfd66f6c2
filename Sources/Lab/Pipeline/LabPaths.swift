import Foundation

/// Where the lab finds its shipped files: the `lessons/` folder (tiny world data, shipped
/// models, lessons). Looked up in this order: `$RLHF_HOME/lessons`, `./lessons`, then next to
/// the executable (`.build/release/rlhf` -> `../../lessons`).
public enum LabPaths {
    public static var lessons: URL? {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["RLHF_HOME"] {
            candidates.append(URL(fileURLWithPath: home).appendingPathComponent("lessons"))
        }
        candidates.append(URL(fileURLWithPath: fileManager.currentDirectoryPath).appendingPathComponent("lessons"))
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("lessons"))
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { fileManager.fileExists(atPath: $0.appendingPathComponent("world").path) }
    }

    /// `lessons/models`, where the shipped models live.
    public static var models: URL? { lessons?.appendingPathComponent("models") }

    /// The names of the shipped models (folders with a config.json).
    public static var shippedModelNames: [String] {
        guard let models, let names = try? FileManager.default.contentsOfDirectory(atPath: models.path) else { return [] }
        return names.filter { FileManager.default.fileExists(atPath: models.appendingPathComponent("\($0)/config.json").path) }.sorted()
    }
}
