import Foundation
import Lab
import Synchronization

/// A Jupyter kernel around one lab `Session` (jupyter_client `docs/messaging.rst`, protocol 5.4).
///
/// Five sockets, bound to the ports of the connection file:
///   shell   ROUTER  requests from the notebook, run one at a time on the calling thread
///   control ROUTER  interrupt, shutdown and kernel_info, on their own thread, so they are
///                   answered while a long command runs (the spec's recommendation)
///   stdin   ROUTER  bound but unused: the lab never asks for input (allow_stdin is ignored)
///   iopub   PUB     everything shown: status, streams, results, errors (`Publisher`)
///   hb      REP     echoes bytes on its own thread (`Heartbeat`)
///
/// Every incoming message is checked (`WireMessage.parse`); one that is malformed, badly signed,
/// too large or of an unknown type is dropped with one line on stderr. Nothing a client sends
/// ends the kernel except `shutdown_request`.
public final class Kernel: @unchecked Sendable {
    public let session: Session
    /// The connection as bound: ports of 0 in the file are replaced by the ones chosen.
    public private(set) var connection: ConnectionFile
    let signer: MessageSigner
    let context: ZMQContext
    let shell: ZMQSocket
    let control: ZMQSocket
    let stdinSocket: ZMQSocket
    let publisher: Publisher
    let heartbeat: Heartbeat
    /// This kernel's session id (in the header of every message it sends).
    let kernelSession = UUID().uuidString.lowercased()

    /// The `kernel_info_reply`, made once at start: the control thread answers it too, and
    /// must not read the session while a command changes it.
    let kernelInfo: [String: JSONValue]
    /// The session's Ctrl-C flag, taken once at start: the control thread's interrupt and
    /// shutdown requests set it while a command runs.
    let interrupt: InterruptFlag

    /// Counts `execute_request`s with `store_history` (shown as `In [N]`).
    var executionCount = 0
    /// The cells run so far, for `history_request`: (execution count, code).
    var history: [(count: Int, code: String)] = []
    /// Set by `shutdown_request`; the shell loop ends at its next turn.
    let stopping = Atomic<Bool>(false)
    private let controlFinished = DispatchSemaphore(value: 0)

    /// Where one-line reports of dropped messages go (stderr; Jupyter shows it in its log).
    public var log: (String) -> Void = { line in
        FileHandle.standardError.write(Data("rlhf kernel: \(line)\n".utf8))
    }
    /// Whether a shutdown that the shell loop does not reach within 3 s (a command that never
    /// checks for interrupts) ends the process at once. Tests that run a kernel in-process turn it off.
    public var exitsWhenStuck = true

    /// Binds every socket. Throws when a port is taken or the connection is unusable.
    public init(connection: ConnectionFile, session: Session) throws {
        self.session = session
        interrupt = session.interrupt
        self.connection = connection
        signer = MessageSigner(key: connection.key)
        context = try ZMQContext()
        shell = try ZMQSocket(context, kind: .router)
        control = try ZMQSocket(context, kind: .router)
        stdinSocket = try ZMQSocket(context, kind: .router)
        let iopub = try ZMQSocket(context, kind: .publisher)
        let hb = try ZMQSocket(context, kind: .reply)
        self.connection.shellPort = try Kernel.bind(shell, port: connection.shellPort, connection)
        self.connection.controlPort = try Kernel.bind(control, port: connection.controlPort, connection)
        self.connection.stdinPort = try Kernel.bind(stdinSocket, port: connection.stdinPort, connection)
        self.connection.iopubPort = try Kernel.bind(iopub, port: connection.iopubPort, connection)
        self.connection.heartbeatPort = try Kernel.bind(hb, port: connection.heartbeatPort, connection)
        heartbeat = Heartbeat(socket: hb)
        publisher = Publisher(socket: iopub, signer: signer, session: kernelSession, log: { _ in })
        kernelInfo = KernelInfo.content(session: session)
        publisher.log = { [unowned self] in self.log($0) }
        session.printsOutcome = false
        session.console.sink = Kernel.discard
    }

    /// Binds a socket to the connection's endpoint for `port`; returns the port bound (the one
    /// libzmq chose when `port` is 0; ipc endpoints keep `port`).
    static func bind(_ socket: ZMQSocket, port: Int, _ connection: ConnectionFile) throws -> Int {
        let endpoint = try socket.bind(connection.endpoint(port: port))   // tcp://127.0.0.1:53794
        return endpoint.split(separator: ":").last.flatMap { Int($0) } ?? port
    }

    /// Runs until a `shutdown_request`: publishes `starting`, starts the heartbeat and control
    /// threads, then serves the shell socket on this thread (where the lab's commands run).
    public func run() {
        publisher.status("starting", parent: [:])
        heartbeat.start()
        let controlThread = Thread { [self] in
            serve(control, channel: "control")
            controlFinished.signal()
        }
        controlThread.name = "jupyter-control"
        controlThread.start()
        serve(shell, channel: "shell")
        controlFinished.wait()
        heartbeat.stop()
        shell.close(); control.close(); stdinSocket.close(); publisher.close()
    }

    /// Asks `run` to return (as a `shutdown_request` does).
    public func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Reads and handles messages until the kernel stops (polling every 100 ms for that).
    private func serve(_ socket: ZMQSocket, channel: String) {
        while !stopping.load(ordering: .relaxed) {
            let received: ZMQSocket.Received
            do { received = try socket.receive(milliseconds: 100) }
            catch { log("\(channel): \(error)"); usleep(100_000); continue }
            switch received {
            case .timeout: continue
            case .tooLarge(let why): log("\(channel): dropped a \(why)")
            case .frames(let frames):
                let request: WireMessage
                do { request = try WireMessage.parse(frames, signer: signer) }
                catch { log("\(channel): dropped a message: \(error)"); continue }
                handle(request, on: socket, channel: channel)
            }
        }
    }

    /// After a cell failed with `stop_on_error` (the default), the `execute_request`s already
    /// waiting on the shell socket are answered `status: aborted` without running (a reply and
    /// no status messages), as ipykernel does: "Run All" stops at the failing cell. It runs
    /// after the failed cell's reply and before its idle status, so a cell sent after the idle
    /// runs. Other waiting requests are handled as usual.
    func abortQueuedExecutes() {
        // a cell sent together with the failed one may still be on its way: wait 20 ms for more
        while case .frames(let frames)? = try? shell.receive(milliseconds: 20) {
            guard let request = try? WireMessage.parse(frames, signer: signer) else {
                log("shell: dropped a message while aborting the queue")
                continue
            }
            guard request.type == "execute_request" else {
                handle(request, on: shell, channel: "shell")
                continue
            }
            reply(to: request, on: shell, ["status": "aborted"])
        }
    }

    /// Sends a reply to `request` on its socket: the request's identities, type `X_reply`.
    func reply(to request: WireMessage, on socket: ZMQSocket, _ content: [String: JSONValue]) {
        let type = request.type.hasSuffix("_request") ? String(request.type.dropLast(8)) + "_reply" : request.type + "_reply"
        let message = WireMessage(identities: request.identities, header: WireMessage.header(type: type, session: kernelSession),
                                  parentHeader: request.header, content: content)
        do { try socket.send(message.frames(signer: signer)) }
        catch { log("cannot send \(type): \(error)") }
    }

    /// After a shutdown request: the shell loop stops at its next turn (an interrupt stops a
    /// running command first). A loop stuck in a command that never checks ends the process.
    func beginShutdown() {
        stop()
        interrupt.request()
        guard exitsWhenStuck, !Thread.isMainThread else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { [self] in
            log("a command did not stop within 3 s of the shutdown request; exiting")
            _exit(0)
        }
    }
}
