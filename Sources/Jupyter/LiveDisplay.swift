import Foundation
import Lab

/// A progress bar that updates in place in the notebook, like `tqdm.notebook`
/// (jupyter_client `docs/messaging.rst`, "Display Data" and "Update Display Data"): the first
/// redraw of a bar is a `display_data` with `transient.display_id`; later redraws are
/// `update_display_data` with the same id, at most 4 a second, and the last state of the bar
/// is always sent when its line ends (so an interrupted run shows where it stopped).
final class LiveDisplay {
    /// Fewest seconds between two updates of one display.
    static let minimumInterval = 0.25

    private let publisher: Publisher
    private let parent: [String: JSONValue]
    private var displayID: String?
    private var title = ""
    private var done = -1
    private var lastSent = 0.0
    private var pending: LiveProgress?

    init(publisher: Publisher, parent: [String: JSONValue]) {
        self.publisher = publisher
        self.parent = parent
    }

    /// A redraw from `ProgressBar`: a new display for a new bar, else an update when due.
    func show(_ progress: LiveProgress) {
        let now = Date().timeIntervalSinceReferenceDate
        let isNewBar = displayID == nil || progress.title != title || progress.done < done
        title = progress.title
        done = progress.done
        if isNewBar {
            let id = UUID().uuidString.lowercased()
            displayID = id
            publish("display_data", progress, id: id)
            lastSent = now
            pending = nil
        } else if progress.done >= progress.total || now - lastSent >= LiveDisplay.minimumInterval {
            publish("update_display_data", progress, id: displayID!)
            lastSent = now
            pending = nil
        } else {
            pending = progress
        }
    }

    /// Sends the redraw that was held back, if any (called after each line of the cell).
    func flush() {
        if let pending, let displayID { publish("update_display_data", pending, id: displayID) }
        pending = nil
    }

    private func publish(_ type: String, _ progress: LiveProgress, id: String) {
        publisher.publish(type, ["data": .object(progressBundle(progress)), "metadata": [:],
                                 "transient": ["display_id": .string(id)]], parent: parent)
    }
}

/// How a progress bar looks in the notebook: the terminal's line as text/plain, and an HTML
/// `<progress>` element with the same line beside it. Like `mimeBundle(for:session:)`, the one
/// place to change when Lab draws live progress (and live loss charts) itself.
func progressBundle(_ progress: LiveProgress) -> [String: JSONValue] {
    let html = "<div><progress value=\"\(progress.done)\" max=\"\(max(1, progress.total))\" style=\"width: 12em\"></progress> "
        + "<code>\(htmlEscaped(progress.text))</code></div>"
    return ["text/plain": .string(progress.text), "text/html": .string(html)]
}

/// `<`, `>`, `&` and `"` as HTML entities.
func htmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
