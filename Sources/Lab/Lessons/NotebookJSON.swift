import Foundation

/// JSON text the way Jupyter writes a notebook: Python's
/// `json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"` (nbformat's `writes`).
/// Keys are sorted, each level is indented by one more space, non-ASCII characters are written
/// as they are, and the text ends with a newline, so writing the same notebook twice gives the
/// same bytes, and a notebook saved again by JupyterLab does not change.
///
///     {
///      "cells": [
///       {
///        "cell_type": "markdown",
///        ...
public enum NotebookJSON {
    public static func text(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, to: &out)
        return out + "\n"
    }

    static func write(_ value: JSONValue, indent: Int, to out: inout String) {
        let inner = String(repeating: " ", count: indent + 1)
        switch value {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                write(item, indent: indent + 1, to: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let fields) where !fields.isEmpty:
            out += "{\n"
            let keys = fields.keys.sorted()   // code-point order, as Python sorts str keys
            for (i, key) in keys.enumerated() {
                out += inner + literal(key) + ": "
                write(fields[key]!, indent: indent + 1, to: &out)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        case .array: out += "[]"
        case .object: out += "{}"
        case .string(let s): out += literal(s)
        case .null, .bool, .int, .number: out += value.encoded
        }
    }

    /// A string literal with Python's escapes: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, and
    /// `\u00XX` for the other control characters; everything else as it is.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// nbformat's multi-line strings: `"a\nb\n"` -> `["a\n", "b\n"]`, each line keeping its
    /// newline (Python's `splitlines(True)` for text without other line breaks); "" -> [].
    public static func lines(_ text: String) -> JSONValue {
        var lines: [JSONValue] = []
        var current = ""
        for scalar in text.unicodeScalars {
            current.unicodeScalars.append(scalar)
            if scalar == "\n" { lines.append(.string(current)); current = "" }
        }
        if !current.isEmpty { lines.append(.string(current)) }
        return .array(lines)
    }
}
