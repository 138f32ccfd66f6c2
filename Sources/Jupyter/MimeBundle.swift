import Foundation
import Lab

/// What the notebook shows for a command's result: a MIME bundle, keyed by MIME type
/// (jupyter_client `docs/messaging.rst`, "Display Data"). `text/plain` is always the text the
/// terminal prints. Lab's `MimeBundle.of` adds `text/html` (tables, bars, inline SVG
/// charts) and `image/svg+xml` (a result that is one chart).
///
/// Returns [:] for a result with nothing to show (the notebook then shows no Out[N]).
/// With `json` (`:set output json` or `--json`) the bundle holds the JSON object the terminal
/// prints, as text/plain and application/json.
public func mimeBundle(for result: CommandResult, session: Session, json: Bool = false, command: String? = nil) -> [String: JSONValue] {
    if json {
        var fields = result.fields
        fields["ok"] = .bool(true)
        if let command { fields["command"] = .string(command) }
        return ["text/plain": .string(JSONValue.object(fields).encoded), "application/json": .object(fields)]
    }
    guard !result.text.isEmpty else { return [:] }
    return MimeBundle.of(result.displays, style: result.style).mapValues { .string($0) }
}
