import Foundation
import Lab

/// What a running command redraws in place in the notebook (a progress bar and the loss so far
/// as a chart), like `tqdm.notebook` (jupyter_client `docs/messaging.rst`, "Display Data" and
/// "Update Display Data"): the first drawing of a display id is a `display_data` with
/// `transient.display_id`; later drawings are `update_display_data` with the same id, at most 4
/// a second, and the last state is always sent when the display finishes (so an interrupted
/// run shows where it stopped). Lab's `ProgressBar` calls it through `Session.liveDisplay`.
final class LiveDisplay: LiveDisplaySink {
    /// Fewest seconds between two updates of one display.
    static let minimumInterval = 0.25

    private let publisher: Publisher
    private let parent: [String: JSONValue]
    private let style: RenderStyle
    /// Lab's id -> the id sent to the notebook (unique across the kernel's life).
    private var shownIDs: [String: String] = [:]
    private var lastSent: [String: Double] = [:]
    private var pending: [String: [Display]] = [:]

    init(publisher: Publisher, parent: [String: JSONValue], style: RenderStyle) {
        self.publisher = publisher
        self.parent = parent
        self.style = style
    }

    func show(_ displays: [Display], id: String) {
        let now = Date().timeIntervalSinceReferenceDate
        if let notebookID = shownIDs[id] {
            if now - (lastSent[id] ?? 0) >= LiveDisplay.minimumInterval {
                publish("update_display_data", displays, id: notebookID)
                lastSent[id] = now
                pending[id] = nil
            } else {
                pending[id] = displays
            }
        } else {
            let notebookID = UUID().uuidString.lowercased()
            shownIDs[id] = notebookID
            publish("display_data", displays, id: notebookID)
            lastSent[id] = now
        }
    }

    func finish(id: String) {
        if let displays = pending[id], let notebookID = shownIDs[id] { publish("update_display_data", displays, id: notebookID) }
        pending[id] = nil
    }

    /// Sends every drawing still held back (called after each line of the cell).
    func flush() {
        for id in Array(pending.keys) { finish(id: id) }
    }

    private func publish(_ type: String, _ displays: [Display], id: String) {
        let data = MimeBundle.of(displays, style: style).mapValues { JSONValue.string($0) }
        // metadata rlhf.live marks a redrawn display, so a saved notebook's reader can tell it
        // from a command's result (the lesson-notebook test skips it).
        publisher.publish(type, ["data": .object(data), "metadata": ["rlhf": ["live": true]],
                                 "transient": ["display_id": .string(id)]], parent: parent)
    }
}
