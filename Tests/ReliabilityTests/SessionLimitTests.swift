import Foundation
import Testing
import Numerics
import GPT2
import Lab

/// In-process checks through `session.execute(line:)`: the divergence guard, resource limits,
/// and paths that are data (used as given, one-line errors).
@Suite struct SessionLimitTests {
    func tinySession() -> Session {
        let session = Session(console: .capturing())
        for line in tinyModelLines.split(separator: "\n") { #expect(session.execute(line: String(line)).ok) }
        return session
    }

    @Test func anEnormousLearningRateIsStoppedAndTheSessionGoesOn() throws {
        let session = tinySession()
        #expect(session.execute(line: "pretrain 2").ok)
        let before = session.pipeline.models[.policy]!.namedParameters.mapValues(\.data)
        let outcome = session.execute(line: "pretrain 20 --pretrain.lr 1e6 --pretrain.warmup 0")
        #expect(!outcome.ok)
        let message = outcome.error?.message ?? ""
        #expect(message.contains("pretrain step 3"), "\(message)")
        #expect(message.contains("transformer."), "names the tensor: \(message)")
        #expect(message.contains("lower learning rate") && (outcome.error?.hint ?? "").contains(":set pretrain.lr"))
        let after = session.pipeline.models[.policy]!.namedParameters
        #expect(after.values.allSatisfy { $0.data.allSatisfy { $0.isFinite && abs($0) < 1e4 } })
        #expect(after.mapValues(\.data) == before, "the refused step left the weights as they were")
        #expect(session.execute(line: "pretrain 2").ok)
        #expect(session.execute(line: "sample tea ? 1").ok)
        let sft = session.execute(line: "sft 5 --sft.lr 1e6")
        #expect(!sft.ok && (sft.error?.message ?? "").contains("sft step 1"))
        #expect(session.execute(line: "sft 1").ok)
    }

    @Test func generationBeyondTheContextIsRefusedWithTheLimit() {
        let session = tinySession()
        for line in ["sample tea ? --max_tokens 5000", "pair --max_tokens 5000", "autolabel 3 --max_tokens 5000",
                     "eval --max_tokens 5000", "reinforce 1 --max_tokens 5000", "ppo 1 --max_tokens 5000"] {
            let outcome = session.execute(line: line)
            #expect(!outcome.ok)
            #expect((outcome.error?.hint ?? "").contains("1024") || (outcome.error?.message ?? "").contains("1024"), "\(line): \(outcome.stderr)")
        }
        for line in ["sample tea ? --max_tokens 32", "pair --max_tokens 40", "autolabel 1 --max_tokens 100", "eval --max_tokens 32"] {
            let outcome = session.execute(line: line)
            #expect(!outcome.ok && (outcome.error?.message ?? "").contains("context holds 32"), "\(line): \(outcome.stderr)")
        }
        let long = "sample " + String(repeating: "tea ", count: 40)
        let longMessage = session.execute(line: long).error?.message ?? ""
        #expect(longMessage.contains("context holds 32"))
        let big = session.execute(line: ":set model.context 2000")
        #expect(!big.ok && (big.error?.hint ?? "").contains("1024"))
        #expect(session.execute(line: ":set model.context 8").ok)
        #expect(session.execute(line: ":new policy").ok)
        let autolabel = session.execute(line: "autolabel 1 --max_tokens 4")
        #expect(!autolabel.ok && (autolabel.error?.message ?? "").contains("context holds 8"), "\(autolabel.stderr)")
    }

    @Test func aModelTooLargeForTheMachineIsRefusedWithAnEstimate() {
        let session = Session(console: .capturing())
        let outcome = session.execute(line: ":new policy --model.layers 12 --model.width 1024 --model.context 1024 --pretrain.batch 1024")
        #expect(!outcome.ok)
        let message = outcome.error?.message ?? ""
        #expect(message.contains("GiB") && message.contains("activations") && message.contains("KV cache"), "\(message)")
        #expect(session.pipeline.models.isEmpty)
    }

    @Test func badPathsAreOneLineErrors() throws {
        let session = tinySession()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file.txt")
        try Data("hello".utf8).write(to: file)
        let cases: [(String, String)] = [
            (":load policy /nonexistent", "no model folder '/nonexistent'"),
            (":save policy /proc/forbidden", "cannot create the folder '/proc/forbidden'"),
            (":load policy \(folder.path)", "config.json is missing"),
            (":load policy \(file.path)", "is a file, not a model folder"),
            (":save policy \(file.path)", "cannot create the folder"),
            (":load policy ~/nothing-here", "no model folder '~/nothing-here'"),
            ("prefs import /dev/zero", "not a regular file"),
            ("prefs import \(folder.path)", "is a folder"),
            ("sft 1 --data /dev/zero", "not a regular file"),
            (":read /dev/zero", "not a regular file"),
            ("prefs file /proc/forbidden.jsonl", "forbidden"),
        ]
        for (line, expected) in cases {
            let outcome = session.execute(line: line)
            #expect(!outcome.ok, "\(line)")
            let message = outcome.error?.message ?? ""
            #expect(message.contains(expected), "\(line): \(message)")
            #expect(!message.contains("\n"), "\(line): one line: \(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: NSHomeDirectory() + "/nothing-here"))
        let help = session.execute(line: ":help :load").stdout + session.execute(line: ":help :save").stdout
        #expect(help.contains("~") && help.contains("not expanded") || help.contains("is not your home"), "\(help)")
    }
}
