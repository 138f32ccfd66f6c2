import Foundation
import GPT2

/// A JSON value for `--json` output. Objects print with `command` and `ok` first and every other
/// key sorted, so the output of one command is byte-for-byte stable.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The compact one-line encoding.
    public var encoded: String {
        var out = ""
        write(to: &out)
        return out
    }

    private static let leadingKeys = ["command", "ok"]

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .number(let x):
            // JSON has no NaN or infinity: they become null.
            if !x.isFinite { out += "null" }
            else if x == x.rounded(), abs(x) < 1e15 { out += String(format: "%.1f", x) }
            else { out += "\(x)" }
        case .string(let s): out += jsonStringLiteral(s)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            let leading = JSONValue.leadingKeys.filter { fields[$0] != nil }
            let rest = fields.keys.filter { !JSONValue.leadingKeys.contains($0) }.sorted()
            for (i, key) in (leading + rest).enumerated() {
                if i > 0 { out += "," }
                out += jsonStringLiteral(key)
                out += ":"
                fields[key]!.write(to: &out)
            }
            out += "}"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
                     ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
                     ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
