import Foundation
import Lab

/// One Jupyter message as it travels over ZeroMQ (jupyter_client `docs/messaging.rst`, "The
/// Wire Protocol"): a multipart message of
///
///     [identities...] b"<IDS|MSG>" signature header parent_header metadata content [buffers...]
///
/// The identities are the ROUTER socket's routing prefix (a reply echoes them; on IOPub the one
/// prefix frame is a topic). The signature is the hex HMAC of the four JSON frames
/// (`MessageSigner`). The four dicts are JSON objects; `header` holds msg_id, session,
/// username, date, msg_type and version, and `parent_header` is the header of the request a
/// message answers ({} for none).
public struct WireMessage: Equatable {
    public var identities: [[UInt8]] = []
    public var header: [String: JSONValue]
    public var parentHeader: [String: JSONValue] = [:]
    public var metadata: [String: JSONValue] = [:]
    public var content: [String: JSONValue] = [:]
    public var buffers: [[UInt8]] = []

    public init(identities: [[UInt8]] = [], header: [String: JSONValue], parentHeader: [String: JSONValue] = [:],
                metadata: [String: JSONValue] = [:], content: [String: JSONValue] = [:], buffers: [[UInt8]] = []) {
        self.identities = identities; self.header = header; self.parentHeader = parentHeader
        self.metadata = metadata; self.content = content; self.buffers = buffers
    }

    /// The frame between the identities and the signature.
    public static let delimiter = Array("<IDS|MSG>".utf8)
    /// Largest message accepted, all frames together (bigger ones are dropped, not parsed).
    public static let maximumBytes = 16 << 20
    /// Most frames accepted (identities plus buffers; a normal message has 6 or 7).
    public static let maximumFrames = 1000

    /// `header.msg_type`, e.g. "execute_request" ("" when missing).
    public var type: String { header["msg_type"]?.stringValue ?? "" }

    /// A new message's header (protocol version 5.4; `date` in ISO 8601 with a Z).
    public static func header(type: String, session: String, username: String = "kernel") -> [String: JSONValue] {
        ["msg_id": .string(UUID().uuidString.lowercased()), "session": .string(session), "username": .string(username),
         "date": .string(isoDate(Date())), "msg_type": .string(type), "version": .string(KernelInfo.protocolVersion)]
    }

    static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    // MARK: Parsing

    /// Reads frames off a socket. Checks, in order: size, the delimiter, the signature (before
    /// any JSON is read), that the four dicts are JSON objects, and that the header names a
    /// msg_type. Any other shape is thrown as a one-line `WireError`; no input traps.
    public static func parse(_ frames: [[UInt8]], signer: MessageSigner) throws -> WireMessage {
        guard frames.count <= maximumFrames else { throw WireError("\(frames.count) frames, more than \(maximumFrames)") }
        let total = frames.reduce(0) { $0 + $1.count }
        guard total <= maximumBytes else { throw WireError("\(total) bytes, more than \(maximumBytes)") }
        guard let split = frames.firstIndex(of: delimiter) else { throw WireError("no <IDS|MSG> delimiter frame") }
        let rest = Array(frames[(split + 1)...])
        guard rest.count >= 5 else { throw WireError("\(rest.count) frames after <IDS|MSG>, needs 5 (signature, header, parent_header, metadata, content)") }
        let dicts = Array(rest[1...4])
        guard signer.verify(signature: rest[0], frames: dicts) else { throw WireError("bad signature") }
        let names = ["header", "parent_header", "metadata", "content"]
        var objects: [[String: JSONValue]] = []
        for (name, frame) in zip(names, dicts) {
            let value: JSONValue
            do { value = try JSONText.parse(Data(frame)) }
            catch { throw WireError("\(name) is not valid JSON") }
            guard case .object(let object) = value else { throw WireError("\(name) is not a JSON object") }
            objects.append(object)
        }
        let message = WireMessage(identities: Array(frames[..<split]), header: objects[0], parentHeader: objects[1],
                                  metadata: objects[2], content: objects[3], buffers: Array(rest.dropFirst(5)))
        guard !message.type.isEmpty else { throw WireError("header has no msg_type") }
        return message
    }

    // MARK: Writing

    /// The frames to send: identities, delimiter, signature, the four dicts, buffers.
    public func frames(signer: MessageSigner) -> [[UInt8]] {
        let dicts = [header, parentHeader, metadata, content].map { Array(JSONValue.object($0).encoded.utf8) }
        return identities + [WireMessage.delimiter, Array(signer.signature(dicts).utf8)] + dicts + buffers
    }
}

/// Why an incoming message was dropped (one line, for the kernel's stderr).
public struct WireError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
