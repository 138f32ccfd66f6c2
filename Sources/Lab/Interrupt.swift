import CLibEdit
import Foundation
import Synchronization

/// Ctrl-C presses for one session. Long commands poll `isRequested` at step boundaries and stop
/// cleanly; the REPL clears the flag before each command.
///
/// Each `Session` has its own flag, so a press meant for one session never stops another running
/// in the same process (the test suite runs notebook kernels beside a training story). The
/// terminal and the notebook kernel hand their session `InterruptFlag.process`, the flag the
/// SIGINT handler counts presses in (`Interrupt.installHandler(for:)`).
public final class InterruptFlag: Sendable {
    private let pending = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    public init() {}

    /// The flag of the process: SIGINT (Ctrl-C at a terminal, a notebook's interrupt) counts here.
    public static let process = InterruptFlag()

    /// True once a press came since the last `clear()`.
    public var isRequested: Bool { pending.load(ordering: .relaxed) > 0 }

    /// Forgets earlier presses.
    public func clear() { pending.store(0, ordering: .relaxed) }

    /// Acts as if Ctrl-C was pressed (a notebook's interrupt request; tests).
    public func request() { _ = press() }

    /// Every press since the flag was made, never cleared: the Jupyter kernel compares it before
    /// and after a line to know that the line was interrupted (the command clears `isRequested`
    /// when it stops).
    public var totalPresses: Int { total.load(ordering: .relaxed) }

    /// Counts one press; returns the presses since the last `clear()`. Only atomics, so the
    /// signal handler may call it.
    func press() -> Int {
        total.add(1, ordering: .relaxed)
        return pending.add(1, ordering: .relaxed).newValue
    }

    /// Waits until a press was counted, at most `seconds`.
    func waitForPress(seconds: Double) {
        var waited = 0.0
        while !isRequested && waited < seconds {
            usleep(1_000)
            waited += 0.001
        }
    }
}

/// The SIGINT handler. It only counts presses in `InterruptFlag.process`; nothing else is safe
/// inside a signal handler. At the prompt the REPL sees the press (el_gets fails with EINTR),
/// prints ^C and clears the line. A third press while a command ignores the first two exits the
/// process.
public enum Interrupt {
    /// True while the line editor waits at the prompt (there the editor itself prints ^C).
    static func setAtPrompt(_ value: Bool) { atPrompt.store(value, ordering: .relaxed) }

    /// Whether a third press during one command exits the process (the terminal's escape hatch).
    /// The Jupyter kernel turns it off: a notebook's interrupt must never kill its session.
    public static var exitsOnThirdPress: Bool {
        get { exitOnThirdPress.load(ordering: .relaxed) }
        set { exitOnThirdPress.store(newValue, ordering: .relaxed) }
    }

    /// Installs the SIGINT handler (sigaction without SA_RESTART, so blocked reads return EINTR)
    /// and makes Ctrl-C reach `session`: it takes the process's flag.
    public static func installHandler(for session: Session) {
        session.interrupt = InterruptFlag.process   // made before the handler can run
        _ = rlhf_install_sigint(handleInterrupt)
    }
}

private let atPrompt = Atomic<Bool>(false)
private let exitOnThirdPress = Atomic<Bool>(true)

private func handleInterrupt(_ signal: Int32) {
    let presses = InterruptFlag.process.press()
    if presses >= 3 && exitOnThirdPress.load(ordering: .relaxed) { rlhf_exit_interrupted() }
    // During a command the terminal echoes ^C; end that line so the command's report starts clean.
    if presses == 1 && !atPrompt.load(ordering: .relaxed) { rlhf_write_newline() }
}
