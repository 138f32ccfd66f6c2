import Foundation
import Synchronization

/// The heartbeat channel (jupyter_client `docs/messaging.rst`, "Heartbeat for kernels"): a REP
/// socket that sends every message straight back, raw bytes, not a Jupyter message. It runs on
/// its own thread, so a client sees the kernel alive while a long command computes.
final class Heartbeat: @unchecked Sendable {
    private let socket: ZMQSocket
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(socket: ZMQSocket) { self.socket = socket }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                switch try? socket.receive(milliseconds: 100, maximumBytes: 1 << 16, maximumFrames: 16) {
                case .frames(let frames)?: try? socket.send(frames)
                case .tooLarge?: try? socket.send([[]])   // a REP socket must answer before it reads again
                case .timeout?, nil: break
                }
            }
            socket.close()
            finished.signal()
        }
        thread.name = "jupyter-heartbeat"
        thread.start()
    }

    /// Stops the echo loop and waits for its thread to close the socket.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
    }
}
