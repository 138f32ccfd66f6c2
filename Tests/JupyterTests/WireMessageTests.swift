import Foundation
import Testing
import Lab
@testable import Jupyter

@Suite struct WireMessageTests {
    let signer = MessageSigner(key: "secret")

    func sample() -> WireMessage {
        WireMessage(identities: [Array("id-1".utf8), [0, 255]],
                    header: WireMessage.header(type: "execute_request", session: "abc"),
                    parentHeader: ["msg_id": "p"],
                    metadata: ["deep": [[["x": .null]]]],
                    content: ["code": "pretrain 10\n# é ✓ \u{1F600} \"q\" \\ \t", "silent": false, "n": 3, "x": 0.25,
                              "big": 1e300, "neg": -7, "list": [true, false, .null, "s"]],
                    buffers: [[1, 2, 3], []])
    }

    @Test func roundTripsFramesExactly() throws {
        let message = sample()
        let frames = message.frames(signer: signer)
        #expect(frames[2] == WireMessage.delimiter)
        #expect(frames.count == 2 + 1 + 1 + 4 + 2)
        let parsed = try WireMessage.parse(frames, signer: signer)
        #expect(parsed == message)
        #expect(parsed.type == "execute_request")
        #expect(parsed.content["silent"] == .bool(false))   // a bool stays a bool, not 0
        #expect(parsed.content["n"] == .int(3))
    }

    func rejection(_ frames: [[UInt8]], signer: MessageSigner? = nil) -> String? {
        do { _ = try WireMessage.parse(frames, signer: signer ?? self.signer); return nil }
        catch { return "\(error)" }
    }

    @Test func refusesABadSignature() {
        var frames = sample().frames(signer: signer)
        frames[3][0] = frames[3][0] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        #expect(rejection(frames) == "bad signature")
        #expect(rejection(sample().frames(signer: MessageSigner(key: "other"))) == "bad signature")
        #expect(rejection(sample().frames(signer: MessageSigner(key: ""))) == "bad signature")
        // a changed content frame no longer matches its signature
        frames = sample().frames(signer: signer)
        frames[7] = Array("{\"code\":\"rm\"}".utf8)
        #expect(rejection(frames) == "bad signature")
    }

    @Test func refusesMalformedMessages() {
        let unsigned = MessageSigner(key: "")
        let header = Array("{\"msg_type\":\"x\"}".utf8)
        let good: [[UInt8]] = [WireMessage.delimiter, [], header, Array("{}".utf8), Array("{}".utf8), Array("{}".utf8)]
        #expect(rejection(good, signer: unsigned) == nil)
        #expect(rejection(Array(good.dropFirst()), signer: unsigned)!.contains("delimiter"))
        #expect(rejection(Array(good.dropLast()), signer: unsigned)!.contains("needs 5"))
        var bad = good; bad[2] = Array("{\"msg_type\":".utf8)
        #expect(rejection(bad, signer: unsigned) == "header is not valid JSON")
        bad = good; bad[5] = Array("[1,2]".utf8)
        #expect(rejection(bad, signer: unsigned) == "content is not a JSON object")
        bad = good; bad[2] = Array("{}".utf8)
        #expect(rejection(bad, signer: unsigned) == "header has no msg_type")
        bad = good; bad[4] = [0xFF, 0xFE, 0x7B]
        #expect(rejection(bad, signer: unsigned) == "metadata is not valid JSON")
        bad = good; bad[3] = Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8)
        #expect(rejection(bad, signer: unsigned) == "parent_header is not valid JSON")
        #expect(rejection([], signer: unsigned)!.contains("delimiter"))
    }

    @Test func refusesHugeMessagesBeforeReadingThem() {
        var frames = sample().frames(signer: signer)
        frames.append([UInt8](repeating: 0, count: WireMessage.maximumBytes))
        #expect(rejection(frames)!.contains("more than \(WireMessage.maximumBytes)"))
        let many = [[UInt8]](repeating: [1], count: WireMessage.maximumFrames + 1)
        #expect(rejection(many)!.contains("frames"))
    }

    @Test func jsonRoundTripsEveryKindOfValue() throws {
        let text = #"{"a":[1,-2,3.5,1e300,true,false,null,"\u00e9\n\"",{}],"b":{"c":[[]]},"d":9007199254740993}"#
        let value = try JSONText.parse(Data(text.utf8))
        #expect(value["d"] == .int(9007199254740993))
        #expect(try JSONText.parse(Data(value.encoded.utf8)) == value)
    }
}
