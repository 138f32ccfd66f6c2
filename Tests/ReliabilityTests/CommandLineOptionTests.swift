import Foundation
import Testing

/// The `rlhf` executable's options reach the subcommand that reads them (the root command and
/// `bench` share --threads and --json: once the root took them and bench never saw them).
@Suite struct CommandLineOptionTests {
    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func benchMeasuresEveryThreadCountAsJSON() throws {
        let child = try Child(arguments: ["bench", "--config", "tiny", "--quick", "--json", "--threads", "1", "--threads", "2"], script: "")
        #expect(child.finish(seconds: 120) == 0, "\(child.text)")
        let objects = child.text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.map { $0["threads"] as? Int } == [1, 2], "\(child.text)")
        #expect(objects.allSatisfy { ($0["train_tokens_per_s"] as? Double ?? 0) > 0 })
    }

    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func benchMeasuresEveryConfigGiven() throws {
        let child = try Child(arguments: ["bench", "--config", "tiny", "--config", "small", "--quick", "--json"], script: "")
        #expect(child.finish(seconds: 120) == 0, "\(child.text)")
        let objects = child.text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.map { $0["config"] as? String } == ["tiny", "small"], "\(child.text)")
        let memory = try Child(arguments: ["bench", "--memory", "--config", "tiny", "--config", "small"], script: "")
        #expect(memory.finish() != 0 && memory.text.contains("--memory checks one config"), "\(memory.text)")
    }

    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func theLabTakesOneThreadCount() throws {
        // 13 is never the default (one thread per core, at most 8), so :show marks it as changed
        let child = try Child(arguments: ["--threads", "13", "-c", ":show threads"], script: "")
        #expect(child.finish() == 0 && child.text.contains("threads *13"), "\(child.text)")
        let twice = try Child(arguments: ["--threads", "1", "--threads", "2", "-c", ":show threads"], script: "")
        #expect(twice.finish() != 0 && twice.text.contains("give one thread count"), "\(twice.text)")
    }
}
