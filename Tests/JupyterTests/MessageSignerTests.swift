import Foundation
import Testing
@testable import Jupyter

@Suite struct MessageSignerTests {
    /// RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    @Test func hmacSHA256MatchesRFC4231TestCase2() {
        let digest = MessageSigner.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(MessageSigner.hex(digest) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// RFC 4231, test case 1: a 20-byte key of 0x0b, data "Hi There".
    @Test func hmacSHA256MatchesRFC4231TestCase1() {
        let digest = MessageSigner.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(MessageSigner.hex(digest) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func signatureCoversTheFourFramesInOrder() {
        let signer = MessageSigner(key: "Jefe")
        let frames = ["what do ya", " want ", "for nothing", "?"].map { Array($0.utf8) }
        #expect(signer.signature(frames) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(signer.verify(signature: Array(signer.signature(frames).utf8), frames: frames))
        #expect(!signer.verify(signature: Array(signer.signature(frames.reversed()).utf8), frames: frames))
        #expect(!signer.verify(signature: Array("5bdcc146".utf8), frames: frames))
        #expect(!signer.verify(signature: [], frames: frames))
    }

    @Test func anEmptyKeyMeansNoSigning() {
        let signer = MessageSigner(key: "")
        #expect(!signer.isSigning)
        #expect(signer.signature([[1, 2, 3]]) == "")
        #expect(signer.verify(signature: Array("anything".utf8), frames: [[1]]))
    }
}
