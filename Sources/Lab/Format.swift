import Foundation

/// Numbers with fixed precision, so printed output lines up and golden files stay stable.
public enum Format {
    /// 4 decimals; scientific for very small or very large magnitudes:
    /// 0.4120 -> "0.4120", 3e-7 -> "3.0000e-07", 12345678 -> "1.2346e+07".
    public static func number(_ x: Double, decimals: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return String(format: "%.\(decimals)f", 0.0) }   // -0 (e.g. -beta * 0) shows as 0
        let magnitude = abs(x)
        if magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e6) {
            return String(format: "%.\(decimals)e", x)
        }
        return String(format: "%.\(decimals)f", x)
    }

    public static func number(_ x: Float, decimals: Int = 4) -> String {
        number(Double(x), decimals: decimals)
    }

    /// A setting value as a person would type it: 0.001, 3e-07, 1, 0.95.
    public static func plain(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        if abs(x) < 1e-4 || abs(x) >= 1e6 { return String(format: "%g", x) }
        return String(format: "%g", x)
    }

    /// A token's text with invisible characters made visible, so a table never breaks:
    /// newline -> \n, tab -> \t, other control characters -> \u{..}.
    public static func token(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f { out += "\\u{\(String(scalar.value, radix: 16))}" }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Pads or cuts to exactly `width` terminal columns (one column per character).
    public static func fit(_ s: String, _ width: Int, alignRight: Bool = false) -> String {
        let n = s.count
        if n > width { return width <= 1 ? String(s.prefix(width)) : String(s.prefix(width - 1)) + "…" }
        let pad = String(repeating: " ", count: width - n)
        return alignRight ? pad + s : s + pad
    }

    /// Word-wraps text to `width` columns, keeping existing line breaks, indenting every line.
    public static func wrap(_ text: String, width: Int, indent: String = "") -> String {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            let leading = String(paragraph.prefix(while: { $0 == " " }))
            for word in paragraph.split(separator: " ") {
                if line.isEmpty { line = leading + String(word) }
                else if indent.count + line.count + 1 + word.count > width {
                    lines.append(indent + line)
                    line = leading + String(word)
                } else { line += " " + word }
            }
            lines.append(line.isEmpty ? "" : indent + line)
        }
        return lines.joined(separator: "\n")
    }

    /// Wraps one long line at `width` columns between words, continuing on lines indented by the
    /// line's own leading spaces plus `hang` (a hanging indent), so a reason or an example never
    /// breaks mid-word at the terminal's edge:
    ///
    ///       how do i make tea ? -> sure ! for tea , steep the leaves for three minutes
    ///           and serve it in a warm mug .  (5)
    public static func wrapHanging(_ line: String, width: Int, hang: Int = 4) -> String {
        guard line.count > width, width > 20 else { return line }
        let leading = String(line.prefix(while: { $0 == " " }))
        let continuation = leading + String(repeating: " ", count: hang)
        // Words keep the spaces written before them (`...  (5)` keeps its two spaces).
        var words: [String] = []
        var spaces = ""
        for piece in line.dropFirst(leading.count).split(separator: " ", omittingEmptySubsequences: false) {
            if piece.isEmpty { spaces += " "; continue }
            words.append(spaces + piece)
            spaces = ""
        }
        var lines: [String] = []
        var current = leading
        var atStart = true
        for word in words {
            let gap = atStart ? "" : " "
            if !atStart && current.count + gap.count + word.count > width {
                lines.append(current)
                current = continuation
                atStart = true
            }
            current += (atStart ? word.drop(while: { $0 == " " }) : " " + word)
            atStart = false
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    /// Wraps a line of fields (`name value` pairs) at `width` columns between fields, never
    /// inside one, continuing with an indent of `hang` spaces; `separator` stays at the end of a
    /// line that goes on. For step lines (fields two spaces apart) and metric lists (", "):
    ///
    ///     ppo step 1  loss 0.1737  score 0.8063  kl 0.0000  clipfrac 0.023  approxkl 0.0015
    ///         |g| 0.5514  lr 0.0001
    public static func wrapFields(_ line: String, separator: String, width: Int, hang: Int = 4) -> String {
        guard line.count > width, width > 20 else { return line }
        let fields = line.components(separatedBy: separator)
        let continuation = String(repeating: " ", count: hang)
        var lines: [String] = []
        var current = fields[0]
        for field in fields.dropFirst() {
            if current.count + separator.count + field.count > width && current.trimmingCharacters(in: .whitespaces).count > 0 {
                lines.append(current + separator.trimmingWhitespaceAtEnd)
                current = continuation + field
            } else {
                current += separator + field
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
