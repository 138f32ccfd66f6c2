import Foundation
import Testing
import GPT2

/// SIGKILL at random moments while `:save` writes a checkpoint over an older one: the folder
/// always loads (config.json, model.safetensors, tokenizer), and its weights are one of the
/// versions that were saved, never a mixture or half a file.
@Suite struct AtomicCheckpointTests {
    static let versions = 6
    static let trials = Int(ProcessInfo.processInfo.environment["RLHF_KILL_TRIALS"] ?? "") ?? 200

    /// The script: version 0 saved, a new random model (the next seed of the session's random
    /// numbers, so the same in every run), version 1 saved, ...
    static func script(saveTo path: (Int) -> String) -> String {
        var lines = tinyModelLines
        for version in 0..<versions {
            if version > 0 { lines += ":new policy\n" }
            lines += ":save policy \(path(version))\n"
        }
        return lines + ":quit\n"
    }

    static func weights(_ folder: URL) throws -> [String: [UInt32]] {
        let (config, tensors) = try Checkpoint.load(directory: folder)
        let tokenizer = try loadTokenizer(directory: folder)
        #expect(tokenizer.vocabularySize == config.vocabSize)
        return tensors.mapValues { $0.data.map(\.bitPattern) }
    }

    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func killedWhileSavingLeavesALoadableVersion() throws {
        let root = temporaryFolder("checkpoint")
        defer { try? FileManager.default.removeItem(at: root) }
        // the reference run: every version in its own folder
        let reference = try Child(script: AtomicCheckpointTests.script { root.appendingPathComponent("v\($0)").path })
        #expect(reference.wait(for: "policy: new GPT-2"))
        let savingStarted = Date()
        #expect(reference.finish() == 0, "\(reference.text)")
        // kills land uniformly over the time the saves take (in microseconds)
        let measured = UInt32(max(0.02, Date().timeIntervalSince(savingStarted)) * 1e6)
        let versions = try (0..<AtomicCheckpointTests.versions).map { try AtomicCheckpointTests.weights(root.appendingPathComponent("v\($0)")) }
        #expect(Set(versions.map { $0["transformer.wte.weight"]! }).count == AtomicCheckpointTests.versions)

        var rng = SystemRandomNumberGenerator()
        var killedWhileRunning = 0
        var seen = Set<Int>()
        // The saves take longer or shorter when other jobs share the machine: a kill that finds
        // the child already done narrows the window, one that finds it running widens it a little,
        // so the kills keep landing in the saves rather than after them.
        var window = measured
        let started = Date()
        let target = root.appendingPathComponent("target")
        let script = AtomicCheckpointTests.script { _ in target.path }
        for trial in 0..<AtomicCheckpointTests.trials {
            // the previous checkpoint: version 0 (a killed trial may leave a newer one, also fine)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: root.appendingPathComponent("v0"), to: target)
            let child = try Child(script: script)
            #expect(child.wait(for: "policy: new GPT-2"), "\(child.text)")
            usleep(UInt32.random(in: 0...window, using: &rng))
            if child.process.isRunning {
                killedWhileRunning += 1
                window = min(2 * measured, window + window / 8)
            } else {
                window = max(2_000, window * 3 / 4)
            }
            child.signal(SIGKILL)
            child.finish()
            let loaded: [String: [UInt32]]
            do { loaded = try AtomicCheckpointTests.weights(target) }
            catch { Issue.record("trial \(trial): the checkpoint does not load after SIGKILL: \(error)"); continue }
            guard let version = versions.firstIndex(of: loaded) else {
                Issue.record("trial \(trial): the weights are none of the saved versions"); continue
            }
            seen.insert(version)
        }
        print("checkpoint kill test: \(AtomicCheckpointTests.trials) trials, \(killedWhileRunning) killed while running, versions found \(seen.sorted()), \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(killedWhileRunning > AtomicCheckpointTests.trials / 3)
        #expect(seen.count >= 2, "kills should land between different saves")
    }
}
