import Foundation
import Testing
import Numerics
import GPT2

/// Seeded random damage to valid files: every mutated copy must either load or throw, never crash.
/// (A crash fails the whole test run, so reaching the end of each loop is the assertion.)
@Suite struct MutationTests {
    static let copies = 2_000

    /// One random change: overwrite, insert, delete, swap a digit, or truncate.
    static func mutate(_ original: Data, _ rng: inout RandomGenerator, focus: Range<Int>? = nil) -> Data {
        var bytes = [UInt8](original)
        let changes = 1 + rng.nextInt(below: 3)
        for _ in 0..<changes {
            guard !bytes.isEmpty else { break }
            let region = focus.map { $0.clamped(to: 0..<bytes.count) } ?? (0..<bytes.count)
            let span = region.isEmpty ? 0..<bytes.count : region
            let position = span.lowerBound + rng.nextInt(below: span.count)
            switch rng.nextInt(below: 6) {
            case 0: bytes[position] = UInt8(rng.nextInt(below: 256))
            case 1: bytes.insert(UInt8(rng.nextInt(below: 256)), at: position)
            case 2: bytes.remove(at: position)
            case 3:  // digits are where sizes, ids and offsets live
                if let digit = bytes[position...].firstIndex(where: { (0x30...0x39).contains($0) }) {
                    bytes[digit] = UInt8(0x30 + rng.nextInt(below: 10))
                }
            case 4:
                let specials = Array("-9e\"{}[],:.".utf8)
                bytes[position] = specials[rng.nextInt(below: specials.count)]
            default: bytes.removeLast(rng.nextInt(below: min(bytes.count, 16)) + 1)
            }
        }
        return Data(bytes)
    }

    @Test func mutatedSafetensorsLoadOrThrow() throws {
        var rng = RandomGenerator(seed: 2024)
        let small = SafetensorsTests.validFile
        let fixture = try fixtureData("tiny-lm/model.safetensors")
        let headerEnd = 8 + Int(fixture[0]) + Int(fixture[1]) << 8
        var loaded = 0, thrown = 0
        for copy in 0..<MutationTests.copies {
            // Half the copies damage the hand-built file anywhere, half the fixture's header.
            let mutated = copy % 2 == 0 ? MutationTests.mutate(small, &rng)
                                        : MutationTests.mutate(fixture, &rng, focus: 0..<headerEnd)
            do {
                let tensors = try Safetensors.decode(mutated, file: "mutated.safetensors")
                for tensor in tensors.values { #expect(tensor.data.count == tensor.shape.reduce(1, *)) }
                loaded += 1
            } catch let error as SafetensorsError {
                #expect(!error.description.contains("\n"))
                thrown += 1
            }
        }
        #expect(loaded + thrown == MutationTests.copies)
        #expect(thrown > MutationTests.copies / 2)
    }

    @Test func mutatedConfigsLoadOrThrow() throws {
        var rng = RandomGenerator(seed: 7)
        let original = try fixtureData("tiny-reward/config.json")
        var loaded = 0
        for _ in 0..<MutationTests.copies {
            let mutated = MutationTests.mutate(original, &rng)
            do {
                let config = try GPT2Config.decode(mutated)
                #expect(config.parameterCount > 0)
                loaded += 1
            } catch let error as GPT2ConfigError {
                #expect(!error.description.contains("\n"))
            }
        }
        #expect(loaded > 0)
    }

    @Test func mutatedTokenizersLoadOrThrow() throws {
        var rng = RandomGenerator(seed: 99)
        let word = try fixtureData("word-tokenizer/tokenizer.json")
        let bpe = try fixtureData("bpe-tokenizer/tokenizer.json")
        let sample = "<q>how do i make tea?<a> sure, heat water.<|endoftext|> don't 🍵"
        var loaded = 0
        for copy in 0..<MutationTests.copies {
            do {
                let tokenizer: any Tokenizer = copy % 2 == 0
                    ? try WordTokenizer(tokenizerJSON: MutationTests.mutate(word, &rng))
                    : try BPETokenizer(tokenizerJSON: MutationTests.mutate(bpe, &rng))
                let ids = tokenizer.encode(sample)
                #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
                _ = tokenizer.decode(ids + [-1, Int32.max])
                loaded += 1
            } catch let error as TokenizerError {
                #expect(!error.description.contains("\n"))
            }
        }
        #expect(loaded > 0)
    }
}
