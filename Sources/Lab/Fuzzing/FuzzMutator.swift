import Foundation
import Numerics

/// Seeded random damage to valid inputs, the way AFL's "havoc" stage does it: each new input is
/// a seed with 1 to 6 random changes stacked on top of each other.
///
///   bit flip          one bit of one byte
///   random byte       overwrite, insert or delete one byte
///   delete chunk      cut out up to 64 bytes
///   duplicate chunk   copy up to 64 bytes to another place (nesting, repeated keys)
///   splice            the start of this input + the end of another seed
///   interesting int   1, 2, 4 or 8 bytes set to 0, -1, 2^31, 2^63, ... (binary sizes and offsets)
///   number            a run of digits replaced by a huge, negative or odd number ("1e309", "-1")
///   dictionary        a token of the format ("data_offsets", "{", "--seed") inserted or overwritten
///   truncate          the end cut off (torn writes)
/// The same seed gives the same inputs on every machine (our own `RandomGenerator`).
public struct FuzzMutator {
    public var rng: RandomGenerator
    /// Tokens of the input format, inserted whole.
    public let dictionary: [[UInt8]]
    /// Mutated inputs never grow beyond this.
    public let maximumLength: Int

    public init(seed: UInt64, dictionary: [String], maximumLength: Int = 1 << 20) {
        rng = RandomGenerator(seed: seed)
        self.dictionary = (dictionary + FuzzMutator.interestingNumbers).map { Array($0.utf8) }
        self.maximumLength = maximumLength
    }

    /// Numbers that break parsers: limits of Int32, Int64, UInt64 and Double, signs, NaN.
    public static let interestingNumbers = [
        "0", "-0", "-1", "1", "255", "256", "65535", "65536", "2147483647", "2147483648", "-2147483649",
        "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "18446744073709551616", "99999999999999999999999999999999", "1e6", "1e308", "1e309", "-1e309", "1e-320",
        "1e1000000", "NaN", "nan", "inf", "-inf", "Infinity", "0.5", "1.0", "0x10", "1_000", "00000001",
    ]

    /// Little-endian integers of 8 bytes that break binary headers.
    static let interestingIntegers: [UInt64] = [
        0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, UInt64.max, UInt64.max - 7, 100_000_001,
    ]

    /// A new input made from `seeds[index]`, possibly spliced with another seed.
    public mutating func mutate(_ seeds: [[UInt8]]) -> [UInt8] {
        var bytes = seeds[rng.nextInt(below: seeds.count)]
        let changes = 1 + rng.nextInt(below: 6)
        for _ in 0..<changes { mutateOnce(&bytes, seeds: seeds) }
        if bytes.count > maximumLength { bytes.removeLast(bytes.count - maximumLength) }
        return bytes
    }

    mutating func position(in bytes: [UInt8], allowingEnd: Bool = false) -> Int {
        let count = bytes.count + (allowingEnd ? 1 : 0)
        return count == 0 ? 0 : rng.nextInt(below: count)
    }

    mutating func mutateOnce(_ bytes: inout [UInt8], seeds: [[UInt8]]) {
        switch rng.nextInt(below: 12) {
        case 0 where !bytes.isEmpty:  // bit flip
            let at = position(in: bytes)
            bytes[at] ^= 1 << UInt8(rng.nextInt(below: 8))
        case 1 where !bytes.isEmpty:  // random byte, overwritten
            bytes[position(in: bytes)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:  // random byte, inserted
            bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position(in: bytes, allowingEnd: true))
        case 3 where !bytes.isEmpty:  // delete a chunk
            let at = position(in: bytes)
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.nextInt(below: 64)))
        case 4 where !bytes.isEmpty:  // duplicate a chunk somewhere else
            let from = position(in: bytes)
            let chunk = Array(bytes[from..<min(bytes.count, from + 1 + rng.nextInt(below: 64))])
            let times = rng.nextInt(below: 8) == 0 ? 1 + rng.nextInt(below: 64) : 1   // sometimes many times: deep nesting
            let to = position(in: bytes, allowingEnd: true)
            bytes.insert(contentsOf: [[UInt8]](repeating: chunk, count: times).joined(), at: to)
        case 5:  // splice: our start, another seed's end
            let other = seeds[rng.nextInt(below: seeds.count)]
            let cut = position(in: bytes, allowingEnd: true)
            let otherCut = position(in: other, allowingEnd: true)
            bytes = Array(bytes[..<cut]) + other[otherCut...]
        case 6 where !bytes.isEmpty:  // interesting binary integer
            let width = [1, 2, 4, 8][rng.nextInt(below: 4)]
            let value = FuzzMutator.interestingIntegers[rng.nextInt(below: FuzzMutator.interestingIntegers.count)]
            // half the time at the very start, where binary formats keep their lengths
            let at = rng.nextInt(below: 2) == 0 ? 0 : position(in: bytes)
            for k in 0..<width where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        case 7:  // a run of digits becomes an interesting number
            let start = position(in: bytes)
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            let replacement = Array(FuzzMutator.interestingNumbers[rng.nextInt(below: FuzzMutator.interestingNumbers.count)].utf8)
            if let first = bytes.indices.dropFirst(start).first(where: { digits.contains(bytes[$0]) }) {
                var end = first
                while end < bytes.count && digits.contains(bytes[end]) { end += 1 }
                bytes.replaceSubrange(first..<end, with: replacement)
            } else {
                bytes.insert(contentsOf: replacement, at: position(in: bytes, allowingEnd: true))
            }
        case 8, 9:  // a dictionary token, inserted or overwriting
            let token = dictionary[rng.nextInt(below: dictionary.count)]
            let at = position(in: bytes, allowingEnd: true)
            if rng.nextInt(below: 2) == 0 || at + token.count > bytes.count {
                bytes.insert(contentsOf: token, at: at)
            } else {
                bytes.replaceSubrange(at..<(at + token.count), with: token)
            }
        case 10 where !bytes.isEmpty:  // truncate
            bytes.removeLast(1 + rng.nextInt(below: min(bytes.count, 1 + rng.nextInt(below: 256))))
        default:  // swap two bytes
            guard bytes.count > 1 else { return }
            bytes.swapAt(position(in: bytes), position(in: bytes))
        }
    }
}
