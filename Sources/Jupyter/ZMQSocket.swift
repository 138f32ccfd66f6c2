import CZeroMQ
import Foundation
import Lab

/// A ZeroMQ context: owns the I/O thread every socket of the kernel shares.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    /// Waits until every socket of the context is closed, then frees it.
    deinit { zmq_ctx_term(handle) }
}

/// A thin wrapper around one libzmq socket. A socket belongs to one thread at a time (libzmq
/// sockets are not thread-safe); the kernel's IOPub socket is shared under a lock.
public final class ZMQSocket: @unchecked Sendable {
    public enum Kind: Int32 {
        case router, publisher, reply, request, dealer, subscriber
        var value: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .publisher: ZMQ_PUB
            case .reply: ZMQ_REP
            case .request: ZMQ_REQ
            case .dealer: ZMQ_DEALER
            case .subscriber: ZMQ_SUB
            }
        }
    }

    /// What `receive` got.
    public enum Received {
        case frames([[UInt8]])
        /// Nothing arrived within the timeout.
        case timeout
        /// A message over the size or frame limit; its frames were read and thrown away.
        case tooLarge(String)
    }

    private var handle: UnsafeMutableRawPointer?
    public let context: ZMQContext

    public init(_ context: ZMQContext, kind: Kind) throws {
        self.context = context
        guard let handle = zmq_socket(context.handle, kind.value) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        var linger: Int32 = 1000   // at close, try for 1 s to deliver what is queued (the shutdown reply)
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        // A hard cap per frame, far above the message limit: a peer sending more is disconnected
        // by libzmq before the bytes are stored; smaller oversized messages reach `receive`,
        // which drops them with a line on stderr.
        var largestFrame = Int64(4 * WireMessage.maximumBytes)
        zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &largestFrame, MemoryLayout<Int64>.size)
        if kind == .subscriber { zmq_setsockopt(handle, ZMQ_SUBSCRIBE, "", 0) }
    }

    deinit { close() }

    public func close() {
        if let handle { zmq_close(handle) }
        handle = nil
    }

    /// Binds to an endpoint such as `tcp://127.0.0.1:53794` (`:*` picks a free port); returns
    /// the endpoint actually bound.
    @discardableResult
    public func bind(_ endpoint: String) throws -> String {
        guard let handle else { throw ZMQError("bind on a closed socket") }
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("cannot bind \(endpoint)") }
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func connect(_ endpoint: String) throws {
        guard let handle else { throw ZMQError("connect on a closed socket") }
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("cannot connect to \(endpoint)") }
    }

    /// Sends one multipart message (every frame but the last with ZMQ_SNDMORE).
    public func send(_ frames: [[UInt8]]) throws {
        guard let handle else { throw ZMQError("send on a closed socket") }
        for (index, frame) in frames.enumerated() {
            let flags = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            while true {
                let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if sent >= 0 { break }
                if zmq_errno() == EINTR { continue }   // a SIGINT arrived; try again
                throw ZMQError.last("zmq_send")
            }
        }
    }

    /// Waits up to `milliseconds` (-1: forever) for a message and reads all its frames. A
    /// message with more than `maximumFrames` frames or `maximumBytes` bytes is drained and
    /// reported as `.tooLarge`, so a bad peer cannot make the kernel hold it.
    public func receive(milliseconds: Int = -1, maximumBytes: Int = WireMessage.maximumBytes,
                        maximumFrames: Int = WireMessage.maximumFrames) throws -> Received {
        guard let handle else { throw ZMQError("receive on a closed socket") }
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let ready = zmq_poll(&item, 1, milliseconds)
        if ready < 0 {
            if zmq_errno() == EINTR { return .timeout }
            throw ZMQError.last("zmq_poll")
        }
        if ready == 0 { return .timeout }
        var frames: [[UInt8]] = []
        var total = 0
        var tooLarge: String? = nil
        var message = zmq_msg_t()
        var more = true
        while more {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            var count: Int32
            repeat { count = zmq_msg_recv(&message, handle, 0) } while count < 0 && zmq_errno() == EINTR
            if count < 0 { throw ZMQError.last("zmq_msg_recv") }
            total += Int(count)
            if tooLarge == nil && (frames.count >= maximumFrames || total > maximumBytes) {
                tooLarge = "message over the limit (\(maximumFrames) frames, \(maximumBytes) bytes)"
                frames.removeAll()
            }
            if tooLarge == nil, let data = zmq_msg_data(&message) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: Int(count))))
            } else if tooLarge == nil {
                frames.append([])
            }
            more = zmq_msg_more(&message) != 0
        }
        if let tooLarge { return .tooLarge(tooLarge) }
        return .frames(frames)
    }
}

/// A libzmq call that failed, with zmq_strerror's text.
public struct ZMQError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
    static func last(_ what: String) -> ZMQError { ZMQError("\(what): \(String(cString: zmq_strerror(zmq_errno())))") }
}
