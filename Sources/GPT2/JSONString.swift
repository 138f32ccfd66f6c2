import Foundation

/// A JSON string literal: quotes, backslashes and control characters escaped (\n, \r, \t by
/// name, the others as \u00XX); everything else written as it is. Every JSON file and line the
/// lab writes (safetensors headers, tokenizer files, world data, JSON output) uses this one.
public func jsonStringLiteral(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
