import CLibEdit
import Foundation
import Synchronization

/// Ctrl-C handling. The SIGINT handler only counts presses in an atomic; nothing else is safe
/// inside a signal handler. At the prompt the REPL sees the press (el_gets fails with EINTR),
/// prints ^C and clears the line. Long commands poll `Interrupt.isRequested` at step boundaries
/// and stop cleanly. A third press while a command ignores the first two exits the process.
public enum Interrupt {
    /// True once Ctrl-C was pressed since the last `clear()`.
    public static var isRequested: Bool { interruptCount.load(ordering: .relaxed) > 0 }

    /// Forgets earlier presses (the REPL calls this before each command).
    public static func clear() { interruptCount.store(0, ordering: .relaxed) }

    /// Acts as if Ctrl-C was pressed (for tests and for lessons that demonstrate stopping).
    public static func request() {
        interruptCount.add(1, ordering: .relaxed)
        pressTotal.add(1, ordering: .relaxed)
    }

    /// Every press since the process started, never cleared: the Jupyter kernel compares it
    /// before and after a line to know that the line was interrupted (the command clears
    /// `isRequested` when it stops).
    public static var totalPresses: Int { pressTotal.load(ordering: .relaxed) }

    /// True while the line editor waits at the prompt (there the editor itself prints ^C).
    static func setAtPrompt(_ value: Bool) { atPrompt.store(value, ordering: .relaxed) }

    /// Waits until the handler has counted a press, at most `seconds`.
    static func waitForPress(seconds: Double) {
        var waited = 0.0
        while !isRequested && waited < seconds {
            usleep(1_000)
            waited += 0.001
        }
    }

    /// Whether a third press during one command exits the process (the terminal's escape hatch).
    /// The Jupyter kernel turns it off: a notebook's interrupt must never kill its session.
    public static var exitsOnThirdPress: Bool {
        get { exitOnThirdPress.load(ordering: .relaxed) }
        set { exitOnThirdPress.store(newValue, ordering: .relaxed) }
    }

    /// Installs the SIGINT handler (sigaction without SA_RESTART, so blocked reads return EINTR).
    public static func installHandler() {
        _ = rlhf_install_sigint(handleInterrupt)
    }
}

private let interruptCount = Atomic<Int>(0)
private let atPrompt = Atomic<Bool>(false)
private let exitOnThirdPress = Atomic<Bool>(true)
private let pressTotal = Atomic<Int>(0)

private func handleInterrupt(_ signal: Int32) {
    let presses = interruptCount.add(1, ordering: .relaxed).newValue
    pressTotal.add(1, ordering: .relaxed)
    if presses >= 3 && exitOnThirdPress.load(ordering: .relaxed) { rlhf_exit_interrupted() }
    // During a command the terminal echoes ^C; end that line so the command's report starts clean.
    if presses == 1 && !atPrompt.load(ordering: .relaxed) { rlhf_write_newline() }
}
