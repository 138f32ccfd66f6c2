import CLibEdit

/// At a terminal, the session's `width` follows the terminal's columns, so that tables, bars and
/// wrapped answers fit an 80-column window as they fit a 120-column one. It is read again as
/// every command starts (a resized window counts from the next command), until the student sets
/// `width` to something else: then their value stays. Scripts, lessons and notebooks keep the
/// width they were given (100 unless set), so that their outputs do not depend on a window.
struct TerminalWidth {
    /// The width this followed last, to tell it from one the student set.
    private var followed: Int?

    /// Sets `width` to the terminal's columns (within the setting's 40...300), unless the student
    /// changed it since the last time.
    mutating func follow(_ session: Session) {
        let columns = Int(rlhf_terminal_columns(1))
        guard columns > 0 else { return }
        let width = min(max(columns, 40), 300)
        if let followed, session.settings.int("width") != followed { return }
        session.settings.assign("width", .int(width))
        followed = width
    }
}
