import Foundation

/// GPT-2's byte level: text is UTF-8 bytes, and each of the 256 bytes is shown as a printable
/// character so that vocab.json and merges.txt can be plain text.
///
/// bytes_to_unicode (from OpenAI's encoder.py): the printable bytes `!`..`~`, `¡`..`¬`, `®`..`ÿ`
/// stand for themselves; the other 68 bytes, in order, become U+0100, U+0101, ...
/// So a space (byte 32) is `Ġ` (U+0120) and a newline (byte 10) is `Ċ` (U+010A).
public enum ByteLevel {
    /// The character that stands for each byte value.
    public static let byteToCharacter: [Unicode.Scalar] = {
        var printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var characters = printable
        var next = 0
        for byte in 0..<256 where !printable.contains(byte) {
            printable.append(byte)
            characters.append(256 + next)
            next += 1
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (byte, character) in zip(printable, characters) { table[byte] = Unicode.Scalar(UInt32(character))! }
        return table
    }()

    /// The inverse table: character -> byte.
    public static let characterToByte: [Unicode.Scalar: UInt8] = {
        var table: [Unicode.Scalar: UInt8] = [:]
        for (byte, character) in byteToCharacter.enumerated() { table[character] = UInt8(byte) }
        return table
    }()

    /// "é " -> "Ã©Ġ": the UTF-8 bytes of `text`, each shown as its character.
    public static func encode(_ text: String) -> [Unicode.Scalar] {
        text.utf8.map { byteToCharacter[Int($0)] }
    }

    /// The bytes a token stands for. If some character of the token is not in the table
    /// (an added token like "<q>" is stored as itself), the token's own UTF-8 bytes are used,
    /// as Hugging Face's ByteLevel decoder does.
    public static func bytes(of token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in token.unicodeScalars {
            guard let byte = characterToByte[scalar] else { return Array(token.utf8) }
            bytes.append(byte)
        }
        return bytes
    }

    // MARK: Pre-tokenization

    /// Cuts text into the pieces BPE works on, with GPT-2's pattern:
    ///
    ///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    ///
    /// The first alternative that matches at the current position wins. Matched by hand on
    /// Unicode scalars: "don't stop  now" -> "don", "'t", " stop", " ", " now".
    /// A run of spaces gives all but its last space to its own piece, so the last one can lead
    /// the next word (`\s+(?!\S)`).
    public static func preTokenize(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        var start = 0
        while start < scalars.count {
            let end = matchLength(scalars, at: start) + start
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[start..<end])
            pieces.append(String(piece))
            start = end
        }
        return pieces
    }

    enum Kind { case letter, number, space, other }

    static func kind(_ scalar: Unicode.Scalar) -> Kind {
        if scalar.properties.isWhitespace { return .space }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    /// Length (at least 1) of the piece that starts at `start`.
    static func matchLength(_ scalars: [Unicode.Scalar], at start: Int) -> Int {
        let count = scalars.count
        // 's|'t|'re|'ve|'m|'ll|'d
        if scalars[start] == "'" {
            for ending in contractions where start + 1 + ending.count <= count
                && scalars[(start + 1)..<(start + 1 + ending.count)].elementsEqual(ending) {
                return 1 + ending.count
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one kind.
        let hasSpace = scalars[start] == " " && start + 1 < count
        let first = hasSpace ? start + 1 : start
        let firstKind = kind(scalars[first])
        if firstKind != .space {
            var end = first + 1
            while end < count && kind(scalars[end]) == firstKind { end += 1 }
            return end - start
        }
        // `\s+(?!\S)`: whitespace not followed by a non-space, so the last space of a run before
        // a word is left for the word; `\s+` otherwise (a single space before a word).
        var end = start
        while end < count && kind(scalars[end]) == .space { end += 1 }
        if end < count && end - start > 1 { return end - start - 1 }
        return end - start
    }
}
