import Foundation
import Testing
import Numerics
import GPT2

/// The GPT-2 forward pass, the reward head and the sampling distributions against
/// transformers (Tests/GPT2Tests/Fixtures, made by tools/make_fixtures.py).
/// Tolerance 1e-4 absolute in float32, as the issue asks; the largest difference is printed.
let fixtureTolerance: Float = 1e-4

func loadJSON(_ name: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL(name))) as! [String: Any]
}

func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map { $0.floatValue } }
func ints(_ value: Any?) -> [Int32] { (value as! [NSNumber]).map { $0.int32Value } }

func loadModel(_ name: String) throws -> GPT2Model { try loadModel(at: fixtureURL(name)) }

func loadModel(at directory: URL) throws -> GPT2Model {
    let (config, tensors) = try Checkpoint.load(directory: directory)
    return try GPT2Model(config: config, tensors: tensors)
}

@Suite struct GPT2FixtureTests {
    @Test func languageModelLogitsAndLogProbabilities() throws {
        let model = try loadModel("tiny-lm")
        let expected = try loadJSON("tiny-lm-expected.json")
        for (index, sequence) in (expected["sequences"] as! [[String: Any]]).enumerated() {
            let ids = ints(sequence["ids"])
            let batch = TokenBatch(rows: [ids])
            let logits = withoutGradients { model.logits(batch) }
            let difference = largestDifference(logits.data, floats(sequence["logits"]))
            print("tiny-lm sequence \(index): first logits \(logits.data.prefix(3)), largest difference \(difference)")
            #expect(difference < fixtureTolerance)
            let logProbabilities = withoutGradients { tokenLogProbabilities(model, batch) }
            let expectedLogProbabilities = floats(sequence["token_logprobs"])
            #expect(largestDifference(Array(logProbabilities.data.prefix(ids.count - 1)), expectedLogProbabilities) < fixtureTolerance)
        }
        let hidden = withoutGradients { model.hiddenStates(TokenBatch(rows: [ints((expected["sequences"] as! [[String: Any]])[0]["ids"])])) }
        #expect(largestDifference(hidden.data, floats(expected["ln_f_hidden_seq1"])) < fixtureTolerance)
    }

    @Test func rewardModelReadsTheLastRealToken() throws {
        let model = try loadModel("tiny-reward")
        #expect(model.scoreHead != nil)
        let expected = try loadJSON("tiny-reward-expected.json")
        let rows = (expected["input_ids"] as! [[NSNumber]]).map { $0.map { $0.int32Value } }
        let lengths = (expected["lengths"] as! [NSNumber]).map(\.intValue)
        let batch = TokenBatch(tokens: rows.flatMap { $0 }, rows: rows.count, time: rows[0].count, lengths: lengths,
                               promptLengths: [Int](repeating: 0, count: rows.count))
        let rewards = withoutGradients { model.rewards(batch) }
        let difference = largestDifference(rewards.data, floats(expected["rewards"]))
        print("tiny-reward rewards \(rewards.data), largest difference \(difference)")
        #expect(difference < fixtureTolerance)
    }

    @Test func samplingDistributionsMatchTransformersWarpers() throws {
        let model = try loadModel("tiny-lm")
        let expected = try loadJSON("sampling-expected.json")
        let logits = nextTokenLogits(model, prompt: ints(expected["prompt_ids"]))
        #expect(largestDifference(logits, floats(expected["last_logits"])) < fixtureTolerance)
        for testCase in expected["cases"] as! [[String: Any]] {
            let settings = SamplingSettings(temperature: (testCase["temperature"] as! NSNumber).floatValue,
                                            topK: (testCase["top_k"] as? NSNumber)?.intValue ?? 0,
                                            topP: (testCase["top_p"] as? NSNumber)?.floatValue ?? 1)
            // use the fixture's own logits so only the processing is compared
            let distribution = nextTokenDistribution(logits: floats(expected["last_logits"]), settings: settings)
            let expectedProbabilities = floats(testCase["probs"])
            let kept = ints(testCase["kept_token_ids"]).map(Int.init).sorted()
            #expect(distribution.final.indices.filter { distribution.final[$0] > 0 } == kept, "\(testCase["name"]!)")
            #expect(largestDifference(distribution.final, expectedProbabilities) < 1e-5, "\(testCase["name"]!)")
        }
    }

    @Test func savedModelLoadsBackIdentically() throws {
        let model = try loadModel("tiny-lm")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-roundtrip-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Checkpoint.save(directory: directory, config: model.config, tensors: model.namedParameters)
        let again = try loadModel(at: directory)
        for (name, tensor) in model.namedParameters { #expect(again.namedParameters[name]!.data == tensor.data) }
    }
}
