import Foundation
import Lab

/// Reads JSON text into the lab's `JSONValue` (writing is `JSONValue.encoded`). Every valid
/// JSON text round-trips: objects, arrays, strings, true/false, null, and numbers (whole
/// numbers that fit in an Int stay `.int`, others become `.number`). Invalid UTF-8, bad syntax
/// and nesting deeper than Foundation's JSON reader allows are thrown as errors, never traps.
public enum JSONText {
    /// Most nesting accepted (Foundation's reader stops at 512; a message needs 4 or 5).
    public static let maximumDepth = 100

    public static func parse(_ data: Data) throws -> JSONValue {
        let decoded = try JSONDecoder().decode(Decoded.self, from: data)
        return decoded.value
    }

    /// `JSONValue` read through `Decodable`, which keeps true apart from 1 (JSONSerialization
    /// on Linux hands both back as NSNumber).
    struct Decoded: Decodable {
        let value: JSONValue

        init(from decoder: Decoder) throws {
            guard decoder.codingPath.count <= JSONText.maximumDepth else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "nested deeper than \(JSONText.maximumDepth) levels"))
            }
            if var array = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !array.isAtEnd { items.append(try array.decode(Decoded.self).value) }
                value = .array(items)
            } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
                var fields: [String: JSONValue] = [:]
                for key in object.allKeys { fields[key.stringValue] = try object.decode(Decoded.self, forKey: key).value }
                value = .object(fields)
            } else {
                let single = try decoder.singleValueContainer()
                if single.decodeNil() { value = .null }
                else if let bool = try? single.decode(Bool.self) { value = .bool(bool) }
                else if let int = try? single.decode(Int.self) { value = .int(int) }
                else if let double = try? single.decode(Double.self) { value = .number(double) }
                else { value = .string(try single.decode(String.self)) }
            }
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int? = nil
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}

extension JSONValue {
    /// The value of `key` when this is an object.
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
}
