import Foundation
import Lab

extension FuzzHarness {
    /// The kernel's message parser (`WireMessage.parse`) and the request handlers that read a
    /// message's content (complete, inspect, is_complete, history). Input: one frame per line.
    /// Each input is parsed twice: with the key "fuzz" (a mutated signature must be refused) and
    /// without a key (so mutated JSON reaches the JSON reader). A message that loads must come
    /// back unchanged after writing and reading again, and the handlers must answer its content.
    /// `rlhf` registers it (`FuzzHarness.register(.wireMessage)`): Lab cannot import Jupyter.
    public static let wireMessage = FuzzHarness(
        name: "jupyter-wire", summary: "Jupyter wire messages (WireMessage.parse, then the handlers)",
        dictionary: jsonTokens + ["<IDS|MSG>", "\n", "\"msg_type\"", "\"msg_id\"", "\"session\"", "\"username\"", "\"date\"",
                                  "\"version\"", "\"5.4\"", "\"execute_request\"", "\"complete_request\"", "\"inspect_request\"",
                                  "\"is_complete_request\"", "\"history_request\"", "\"code\"", "\"cursor_pos\"", "-1",
                                  "9223372036854775807", "\"hist_access_type\"", "\"search\"", "\"range\"", "\"tail\"",
                                  "\"pattern\"", "\"*\"", "\"n\"", "\"unique\"", "\"start\"", "\"stop\"", "\"output\"",
                                  "\"pretrain \\u00e9\"", "\"\\n\\n\"", "1e400", "-0", "0.5"],
        seeds: {
            var seeds: [String: Data] = [:]
            let header: [String: JSONValue] = ["msg_id": "1", "session": "s", "username": "u", "date": "2026-01-01T00:00:00Z", "version": "5.4"]
            let requests: [(String, [String: JSONValue])] = [
                ("kernel_info_request", [:]),
                ("execute_request", ["code": ":show seed\n# note\npretrain 2", "silent": false, "store_history": true,
                                     "user_expressions": [:], "allow_stdin": false, "stop_on_error": true]),
                ("complete_request", ["code": ":show se", "cursor_pos": 8]),
                ("inspect_request", ["code": "pretrain 10", "cursor_pos": 3, "detail_level": 0]),
                ("is_complete_request", ["code": "sample \"unclosed"]),
                ("history_request", ["hist_access_type": "search", "pattern": ":sh*", "n": 10, "unique": true, "output": false, "raw": true]),
            ]
            for (type, content) in requests {
                var fields = header
                fields["msg_type"] = .string(type)
                let message = WireMessage(identities: [Array("client-1".utf8)], header: fields, content: content,
                                          buffers: type == "execute_request" ? [[1, 2, 3]] : [])
                seeds["\(type).txt"] = frameLines(message.frames(signer: MessageSigner(key: "fuzz")))
            }
            return seeds
        },
        run: { data, _ in
            let frames = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { [UInt8]($0) }
            let signer = MessageSigner(key: "fuzz")
            let message: WireMessage
            do { message = try WireMessage.parse(frames, signer: signer) }
            catch let error as WireError {
                guard error.description == "bad signature" else { return .rejected(error.description) }
                do { message = try WireMessage.parse(frames, signer: MessageSigner(key: "")) }
                catch { return .rejected("\(error)") }
            }
            let again = try WireMessage.parse(message.frames(signer: signer), signer: signer)
            guard again == message else { throw FuzzFinding("the message changed when written and read again: \(message) -> \(again)") }
            let kernel = try fuzzKernel()
            _ = kernel.complete(message.content)
            _ = kernel.inspect(message.content)
            _ = kernel.isComplete(message.content)
            _ = kernel.historyReply(message.content)
            return .loaded
        })

    /// Frames as the harness reads them: one per line.
    static func frameLines(_ frames: [[UInt8]]) -> Data {
        Data(frames.map { Data($0) }.joined(separator: Data([UInt8(ascii: "\n")])))
    }
}

/// One kernel on loopback ports for the harness's handler calls, made on first use.
nonisolated(unsafe) private var sharedFuzzKernel: Kernel?

private func fuzzKernel() throws -> Kernel {
    if let sharedFuzzKernel { return sharedFuzzKernel }
    let session = Session(console: .capturing())
    session.controlsThreads = false
    let kernel = try Kernel(connection: ConnectionFile(), session: session)
    kernel.history = [(1, ":show seed"), (2, "pretrain 10\n:models"), (3, ":show seed")]
    sharedFuzzKernel = kernel
    return kernel
}
