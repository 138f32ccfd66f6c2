import Foundation
import Testing
import GPT2

/// Ctrl-C (SIGINT) in a piped session stops the running command at a step boundary and the
/// script goes on: the `:save` after an interrupted `pretrain 100000` saves the completed
/// steps, and a new process loads them.
@Suite struct InterruptTests {
    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func ctrlCStopsTrainingAndTheScriptContinues() throws {
        let root = temporaryFolder("interrupt")
        defer { try? FileManager.default.removeItem(at: root) }
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<20 {
            let folder = root.appendingPathComponent("model-\(trial)")
            let child = try Child(script: tinyModelLines.replacingOccurrences(of: ":set verbose 0\n", with: "")
                                  + "pretrain 100000\n:save policy \(folder.path)\nsample tea ? 1\n:quit\n")
            #expect(child.wait(for: "pretrain step 1 "), "\(child.text)")
            usleep(UInt32.random(in: 0...300_000, using: &rng))
            child.signal(SIGINT)
            let status = child.finish(seconds: 30)
            #expect(status == 0, "trial \(trial): status \(status)\n\(child.text)")
            #expect(child.text.contains("stopped by Ctrl-C after"), "\(child.text)")
            #expect(child.text.contains("saved policy to \(folder.path)"))
            #expect(child.text.contains("1: "), "the command after :save ran too: \(child.text)")
            let (_, tensors) = try Checkpoint.load(directory: folder)
            #expect(tensors.values.allSatisfy { $0.data.allSatisfy(\.isFinite) })
            let reader = try Child(script: ":load policy \(folder.path)\nsample tea ? 1 --max_tokens 8\n")
            #expect(reader.finish() == 0, "\(reader.text)")
        }
    }

    @Test(.enabled(if: rlhfBinary != nil, Comment(rawValue: missingBinary)))
    func threeCtrlCsEndTheScript() throws {
        let child = try Child(script: tinyModelLines.replacingOccurrences(of: ":set verbose 0\n", with: "") + "pretrain 100000\n:quit\n")
        #expect(child.wait(for: "pretrain step 1 "), "\(child.text)")
        // the handler counts presses; three before the command polls end the process (status 130),
        // otherwise the first press stops the command at its next step
        for _ in 0..<3 { child.signal(SIGINT) }
        let status = child.finish(seconds: 30)
        #expect(status == 130 || child.text.contains("stopped by Ctrl-C"), "\(status)\n\(child.text)")
    }
}
