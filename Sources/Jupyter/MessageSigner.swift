import COpenSSL
import Foundation

/// Signs and checks Jupyter messages (jupyter_client `docs/messaging.rst`, "The Wire Protocol"):
///
///     signature = hex( HMAC-SHA256(key, header + parent_header + metadata + content) )
///
/// over the four serialized JSON frames exactly as they travel, in that order. An empty key
/// means authentication is off: the signature frame is empty and is not checked. HMAC comes
/// from OpenSSL's libcrypto; the comparison is constant-time (CRYPTO_memcmp), so the time it
/// takes says nothing about how many leading characters of a forged signature were right.
public struct MessageSigner: Sendable {
    public let key: [UInt8]

    public init(key: String) { self.key = Array(key.utf8) }

    /// False when the key is empty: nothing is signed or checked.
    public var isSigning: Bool { !key.isEmpty }

    /// The lowercase hex HMAC-SHA256 of the frames, or "" without a key.
    public func signature(_ frames: [[UInt8]]) -> String {
        guard isSigning else { return "" }
        return MessageSigner.hex(MessageSigner.hmacSHA256(key: key, message: Array(frames.joined())))
    }

    /// True when `signature` is the hex HMAC of the frames (always true without a key).
    public func verify(signature: [UInt8], frames: [[UInt8]]) -> Bool {
        guard isSigning else { return true }
        let expected = Array(self.signature(frames).utf8)
        guard signature.count == expected.count else { return false }
        return expected.withUnsafeBytes { a in
            signature.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, expected.count) == 0 }
        }
    }

    /// HMAC-SHA256 (RFC 2104 with SHA-256; RFC 4231 has test vectors) through OpenSSL's
    /// one-shot HMAC(). Returns [] if OpenSSL fails, so that nothing verifies.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // one extra byte each, so the pointers are valid even for an empty key or message
        let keyBytes = key + [0], messageBytes = message + [0]
        let result = keyBytes.withUnsafeBytes { k in
            messageBytes.withUnsafeBufferPointer { m in
                HMAC(EVP_sha256(), k.baseAddress, Int32(key.count), m.baseAddress, message.count, &digest, &length)
            }
        }
        guard result != nil, length == 32 else { return [] }
        return Array(digest.prefix(Int(length)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
