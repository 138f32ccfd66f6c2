import Foundation
import Lab

/// The IOPub channel (jupyter_client `docs/messaging.rst`, "Messages on the IOPub (PUB/SUB)
/// channel"): everything a kernel shows goes out here to every client: `status`,
/// `execute_input`, `stream`, `display_data`, `execute_result`, `error`. The shell loop and the
/// control thread both publish, so every send holds a lock (a ZeroMQ socket is not thread-safe).
final class Publisher: @unchecked Sendable {
    private let socket: ZMQSocket
    private let lock = NSLock()
    let signer: MessageSigner
    /// The kernel's session id, in every header it writes.
    let session: String
    var log: (String) -> Void

    init(socket: ZMQSocket, signer: MessageSigner, session: String, log: @escaping (String) -> Void) {
        self.socket = socket; self.signer = signer; self.session = session; self.log = log
    }

    /// Publishes one message; `parent` is the header of the request it belongs to. The prefix
    /// frame is the topic `kernel.SESSION.MSG_TYPE`, as ipykernel writes it (subscribers take all).
    func publish(_ type: String, _ content: [String: JSONValue], parent: [String: JSONValue],
                 metadata: [String: JSONValue] = [:]) {
        let message = WireMessage(identities: [Array("kernel.\(session).\(type)".utf8)],
                                  header: WireMessage.header(type: type, session: session),
                                  parentHeader: parent, metadata: metadata, content: content)
        lock.lock()
        defer { lock.unlock() }
        do { try socket.send(message.frames(signer: signer)) }
        catch { log("cannot publish \(type): \(error)") }
    }

    /// `status` with `execution_state` busy, idle or starting.
    func status(_ state: String, parent: [String: JSONValue]) {
        publish("status", ["execution_state": .string(state)], parent: parent)
    }

    func close() {
        lock.lock()
        socket.close()
        lock.unlock()
    }
}
