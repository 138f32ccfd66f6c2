import Foundation
import Testing
import Lab
@testable import Jupyter

/// A client for the tests: DEALER sockets on shell and control, SUB on IOPub, like
/// jupyter_client's blocking client.
final class TestClient {
    let context: ZMQContext
    let shell: ZMQSocket
    let control: ZMQSocket
    let iopub: ZMQSocket
    let signer: MessageSigner

    init(_ connection: ConnectionFile) throws {
        context = try ZMQContext()
        signer = MessageSigner(key: connection.key)
        shell = try ZMQSocket(context, kind: .dealer)
        control = try ZMQSocket(context, kind: .dealer)
        iopub = try ZMQSocket(context, kind: .subscriber)
        try shell.connect(connection.endpoint(port: connection.shellPort))
        try control.connect(connection.endpoint(port: connection.controlPort))
        try iopub.connect(connection.endpoint(port: connection.iopubPort))
        usleep(300_000)   // a subscriber misses what is published before it has joined
    }

    func close() { shell.close(); control.close(); iopub.close() }

    /// Sends a request; returns its header (whose msg_id the replies carry as parent).
    @discardableResult
    func send(_ type: String, _ content: [String: JSONValue] = [:], on socket: ZMQSocket? = nil,
              signer: MessageSigner? = nil) throws -> [String: JSONValue] {
        let message = WireMessage(header: WireMessage.header(type: type, session: "test-client"), content: content)
        try (socket ?? shell).send(message.frames(signer: signer ?? self.signer))
        return message.header
    }

    func receive(_ socket: ZMQSocket, seconds: Double = 10) throws -> WireMessage {
        guard case .frames(let frames) = try socket.receive(milliseconds: Int(seconds * 1000)) else {
            throw WireError("nothing received within \(seconds) s")
        }
        return try WireMessage.parse(frames, signer: signer)
    }

    /// IOPub messages of one request, up to and including its `status: idle`.
    func outputs(of request: [String: JSONValue]) throws -> [WireMessage] {
        var messages: [WireMessage] = []
        while true {
            let message = try receive(iopub)
            guard message.parentHeader["msg_id"] == request["msg_id"] else { continue }
            messages.append(message)
            if message.type == "status" && message.content["execution_state"] == "idle" { return messages }
        }
    }
}

@Suite(.serialized) struct KernelEndToEndTests {
    @Test func kernelAnswersOnLoopbackAndShutsDown() throws {
        let session = Session(console: Console(writesToTerminal: true, isTerminal: false))
        session.controlsThreads = false
        let kernel = try Kernel(connection: ConnectionFile(key: "test-key"), session: session)
        kernel.exitsWhenStuck = false
        var logged: [String] = []
        let logLock = NSLock()
        kernel.log = { line in logLock.lock(); logged.append(line); logLock.unlock() }
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread { kernel.run(); finished.signal() }
        thread.start()
        let client = try TestClient(kernel.connection)
        defer { client.close() }

        // kernel_info: reply on shell, busy and idle on IOPub
        var request = try client.send("kernel_info_request")
        var reply = try client.receive(client.shell)
        #expect(reply.type == "kernel_info_reply")
        #expect(reply.parentHeader["msg_id"] == request["msg_id"])
        #expect(reply.content["language_info"]?["name"] == "rlhf")
        #expect(reply.content["protocol_version"] == "5.4")
        var states = try client.outputs(of: request).filter { $0.type == "status" }.map { $0.content["execution_state"] }
        #expect(states == ["busy", "idle"])

        // execute: execute_input, then the result as execute_result
        request = try client.send("execute_request", ["code": "# the seed\n:show seed", "silent": false, "store_history": true])
        reply = try client.receive(client.shell)
        #expect(reply.content["status"] == "ok")
        #expect(reply.content["execution_count"] == 1)
        var outputs = try client.outputs(of: request)
        #expect(outputs.map(\.type) == ["status", "execute_input", "execute_result", "status"])
        let text = outputs.first { $0.type == "execute_result" }?.content["data"]?["text/plain"]?.stringValue ?? ""
        #expect(text.contains("seed") && text.contains("(default 0)"), "\(text)")

        // an error: error reply and error message with the one-line error; the session goes on
        request = try client.send("execute_request", ["code": ":show seed\n:frobnicate 3\n:show seed"])
        reply = try client.receive(client.shell)
        #expect(reply.content["status"] == "error")
        #expect(reply.content["execution_count"] == 2)
        #expect(reply.content["evalue"]?.stringValue?.contains(":frobnicate") == true)
        outputs = try client.outputs(of: request)
        #expect(outputs.map(\.type) == ["status", "execute_input", "display_data", "error", "status"])

        // a message with a bad signature is dropped with one line; the kernel still answers
        try client.send("kernel_info_request", signer: MessageSigner(key: "wrong"))
        request = try client.send("complete_request", ["code": ":sh", "cursor_pos": 3])
        reply = try client.receive(client.shell)
        #expect(reply.type == "complete_reply")
        #expect(reply.content["matches"] == [":show"])
        #expect(reply.content["cursor_start"] == 0)
        _ = try client.outputs(of: request)
        logLock.lock(); let lines = logged; logLock.unlock()
        #expect(lines.contains { $0.contains("bad signature") }, "\(lines)")

        // interrupt on control while idle: answered, nothing breaks
        let processPresses = InterruptFlag.process.totalPresses
        request = try client.send("interrupt_request", on: client.control)
        reply = try client.receive(client.control)
        #expect(reply.type == "interrupt_reply")
        #expect(InterruptFlag.process.totalPresses == processPresses, "the press reaches this kernel's session only")
        _ = try client.outputs(of: request)

        // shutdown on control: the reply, then run() returns
        request = try client.send("shutdown_request", ["restart": false], on: client.control)
        reply = try client.receive(client.control)
        #expect(reply.type == "shutdown_reply")
        #expect(reply.content["restart"] == false)
        states = try client.outputs(of: request).map { $0.content["execution_state"] ?? .null }
        #expect(states == ["busy", "idle"])
        #expect(finished.wait(timeout: .now() + 10) == .success, "the kernel did not stop after shutdown_request")
    }

    @Test func completionCountsCodePointsAndUsesTheCursorLine() throws {
        let session = Session(console: Console(writesToTerminal: true, isTerminal: false))
        let kernel = try Kernel(connection: ConnectionFile(), session: session)
        let code = "# é ✓\n:sh"
        let reply = kernel.complete(["code": .string(code), "cursor_pos": .int(code.unicodeScalars.count)])
        #expect(reply["matches"] == [":show"])
        #expect(reply["cursor_start"] == .int(code.unicodeScalars.count - 3))
        let inspect = kernel.inspect(["code": "pretrain 10", "cursor_pos": 2])
        #expect(inspect["found"] == true)
        #expect(inspect["data"]?["text/plain"]?.stringValue?.hasPrefix("usage: pretrain") == true)
        #expect(kernel.isComplete(["code": "sample 3\n:show seed"])["status"] == "complete")
        #expect(kernel.isComplete(["code": "compare policy \"what is"])["status"] == "invalid")
        kernel.history = [(1, ":show seed"), (2, "pretrain 5"), (3, ":show seed")]
        #expect(kernel.historyReply(["hist_access_type": "tail", "n": 2])["history"] == [[0, 2, "pretrain 5"], [0, 3, ":show seed"]])
        #expect(kernel.historyReply(["hist_access_type": "search", "pattern": ":sh*", "unique": true])["history"] == [[0, 3, ":show seed"]])
        #expect(kernel.historyReply(["hist_access_type": "range", "start": 2, "stop": 3])["history"] == [[0, 2, "pretrain 5"]])
        #expect(Kernel.glob("p*n ?", matches: "pretrain 5"))
        #expect(!Kernel.glob("p*x", matches: "pretrain 5"))
    }
}
