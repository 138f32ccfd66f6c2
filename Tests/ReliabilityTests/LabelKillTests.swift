import Foundation
import Testing
import Stages

/// Labels are never lost: `rlhf` with a preference file open is SIGKILLed right after a label's
/// output appears, and that label is on disk. Then the file's last line is torn by hand (as a
/// crash in the middle of a write would leave it) and a new `rlhf` opening the file reports the
/// torn line and keeps every whole one.
@Suite struct LabelKillTests {
    static let trials = Int(ProcessInfo.processInfo.environment["RLHF_KILL_TRIALS"] ?? "") ?? 200

    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func aLabelThatWasShownIsOnDisk() throws {
        let root = temporaryFolder("labels")
        defer { try? FileManager.default.removeItem(at: root) }
        var rng = SystemRandomNumberGenerator()
        let started = Date()
        var tornReported = 0
        for trial in 0..<LabelKillTests.trials {
            let file = root.appendingPathComponent("labels-\(trial).jsonl")
            let labels = Int.random(in: 1...4, using: &rng)
            var script = tinyModelLines + "prefs file \(file.path)\n"
            for _ in 0..<8 { script += "pair\nprefer \(Int.random(in: 1...2, using: &rng))\n" }
            let child = try Child(script: script)
            let shown = child.wait(for: "recorded: response", times: labels)
            let endedEarly = !child.process.isRunning
            child.signal(SIGKILL)
            let status = child.finish()
            #expect(shown, "trial \(trial): the label output never appeared (ended early \(endedEarly), status \(status), reason \(child.process.terminationReason.rawValue)):\n\(child.text)")
            let seen = child.count("recorded: response")
            let loaded = try PreferenceStore.load(from: file)
            #expect(loaded.comparisons.count >= seen, "trial \(trial): \(seen) labels shown, \(loaded.comparisons.count) on disk")
            #expect(loaded.problems.isEmpty)

            // tear the last line at a random byte, then open the file in a new process
            var data = try Data(contentsOf: file)
            let lastLineStart = (data.dropLast().lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            let cut = Int.random(in: (lastLineStart + 1)..<data.count, using: &rng)  // keeps >= 1 byte, drops the newline
            // cutting only the newline leaves a whole record: it is kept (and its line ended), not torn
            let onlyNewline = cut == data.count - 1
            data = data.prefix(cut)
            try data.write(to: file)
            let whole = loaded.comparisons.count - (onlyNewline ? 0 : 1)
            let reader = try Child(script: "prefs file \(file.path)\n:quit\n")
            reader.finish()
            #expect(reader.text.contains("(\(whole) comparisons there)"), "trial \(trial):\n\(reader.text)")
            #expect(reader.text.contains("torn last line") != onlyNewline, "trial \(trial):\n\(reader.text)")
            if !onlyNewline { tornReported += 1 }
            let repaired = try PreferenceStore.load(from: file)
            #expect(repaired.problems.isEmpty && repaired.comparisons.count == whole)
        }
        print("label kill test: \(LabelKillTests.trials) trials (\(tornReported) with a torn last line), \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
