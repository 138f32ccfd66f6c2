import Foundation
import Testing
import TinyWorld

/// The files under lessons/world/ are exactly what the generator writes. After changing the
/// world, regenerate them with:
///   REGENERATE_WORLD=1 swift test -c release --filter WorldFilesTests
@Suite struct WorldFilesTests {
    static let committed = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("lessons/world")

    @Test func committedFilesMatchTheGenerator() throws {
        if ProcessInfo.processInfo.environment["REGENERATE_WORLD"] != nil {
            try TinyWorld.writeFiles(to: Self.committed)
        }
        let generated = TinyWorld.fileContents()
        for name in TinyWorld.fileNames {
            let url = Self.committed.appendingPathComponent(name)
            let stored = try String(contentsOf: url, encoding: .utf8)
            #expect(stored == generated[name]!,
                    "lessons/world/\(name) differs from the generator; regenerate (see WorldFilesTests)")
        }
    }

    @Test func writeFilesWritesEveryFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tinyworld-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try TinyWorld.writeFiles(to: directory, seed: 5, documents: 100)
        for name in TinyWorld.fileNames {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path))
        }
        let sft = try String(contentsOf: directory.appendingPathComponent("sft.jsonl"), encoding: .utf8)
        let first = sft.split(separator: "\n")[0]
        #expect(first == #"{"prompt": "any tips for tea ?", "completion": "sure ! for tea , heat water in a kettle and steep the leaves for three minutes . hope this helps !"}"#)
        let data = Data(first.utf8)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: String]
        #expect(object?["prompt"] == "any tips for tea ?")
        let corpus = try String(contentsOf: directory.appendingPathComponent("corpus.txt"), encoding: .utf8)
        #expect(corpus.components(separatedBy: " <|endoftext|> ").count == 100)
    }
}
