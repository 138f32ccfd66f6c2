import Foundation
import Testing
import Lab
import GPT2
import Jupyter

/// The committed corpus and every input that once broke a parser, replayed in-process; then the
/// CI-sized fuzz pass in a child process (a crash there kills only the child).
@Suite struct FuzzTests {
    /// Every harness the `rlhf` binary runs: Lab's and the Jupyter kernel's (registered as the
    /// executable's main.swift does).
    static let harnessNames: [String] = {
        FuzzHarness.register(.wireMessage)
        return FuzzHarness.all.map(\.name)
    }()

    static let corpus = repositoryRoot.appendingPathComponent("Tests/Fuzz/corpus")
    static let crashes = repositoryRoot.appendingPathComponent("Tests/Fuzz/crashes")

    static func files(_ folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTests.harnessNames)
    func seedsLoadAndRegressionsStayFixed(_ name: String) throws {
        let harness = FuzzHarness.named(name)!
        let runner = try FuzzRunner(harness: harness, crashDirectory: temporaryFolder("fuzz-crashes"))
        // every seed is a valid input
        let seeds = try harness.seeds().map { [UInt8]($0.value) } + FuzzTests.files(FuzzTests.corpus.appendingPathComponent(name)).map { [UInt8](try Data(contentsOf: $0)) }
        #expect(!seeds.isEmpty)
        for seed in seeds where name != "command-line" {
            if name == "safetensors" {  // valid files, not all of them checkpoints of the tiny config
                #expect(throws: Never.self) { _ = try Safetensors.decode(Data(seed)) }
                #expect(throws: Never.self) { _ = try runner.runOne(seed) }
                continue
            }
            #expect(try runner.runOne(seed) == .loaded, "seed of \(name) should load: \(String(decoding: seed.prefix(80), as: UTF8.self))")
        }
        // inputs that once crashed or broke a promise: now an outcome, no finding
        for file in FuzzTests.files(FuzzTests.crashes.appendingPathComponent(name)) {
            #expect(throws: Never.self, "\(file.lastPathComponent)") { _ = try runner.runOne([UInt8](try Data(contentsOf: file))) }
        }
    }

    @Test func crashInputsAreRejectedNow() throws {
        let bpe = try FuzzRunner(harness: .named("tokenizer-bpe")!, crashDirectory: temporaryFolder("fuzz-crashes"))
        let mergeWithSpace = try Data(contentsOf: FuzzTests.crashes.appendingPathComponent("tokenizer-bpe/merge-with-space.json"))
        guard case .rejected(let message) = try bpe.runOne([UInt8](mergeWithSpace)) else { Issue.record("should be rejected"); return }
        #expect(message.contains("space"))
    }

    /// `rlhf fuzz all --iterations 20000`: about 35 s in release on one core.
    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func ciSizedFuzzPassFindsNothing() throws {
        let crashes = temporaryFolder("fuzz-ci")
        let child = try Child(arguments: ["fuzz", "all", "--iterations", "20000", "--seed", "1",
                                          "--corpus", FuzzTests.corpus.path, "--crashes", crashes.path], script: "")
        let status = child.finish(seconds: 300)
        print(child.text)
        #expect(status == 0, "rlhf fuzz failed (a crash kills it; its input is in \(crashes.path)):\n\(child.text)")
        #expect(child.count(" findings ") == FuzzTests.harnessNames.count)
    }
}
