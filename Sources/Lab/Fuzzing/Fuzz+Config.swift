import Foundation
import GPT2

extension FuzzHarness {
    /// `config.json`. A config that loads must survive writing and reading back unchanged, and
    /// its size arithmetic (parameter count, bytes) must not overflow.
    static let config = FuzzHarness(
        name: "config", summary: "config.json (GPT2Config.decode)",
        dictionary: jsonTokens + ["\"model_type\"", "\"gpt2\"", "\"vocab_size\"", "\"n_positions\"", "\"n_ctx\"", "\"n_embd\"",
                                  "\"n_layer\"", "\"n_head\"", "\"layer_norm_epsilon\"", "\"activation_function\"",
                                  "\"gelu_new\"", "\"bos_token_id\"", "\"eos_token_id\"", "\"pad_token_id\"", "\"architectures\"",
                                  "\"GPT2LMHeadModel\"", "\"GPT2ForSequenceClassification\"", "\"num_labels\"", "\"id2label\"",
                                  "{\"0\": \"LABEL_0\"}", "1e-05"],
        seeds: {
            var reward = tinyConfig
            reward.architectures = [GPT2Config.rewardArchitecture]
            let gpt2 = GPT2Config(vocabSize: 50257, contextLength: 1024, embeddingSize: 768, layerCount: 12, headCount: 12,
                                  bosTokenId: 50256, eosTokenId: 50256)
            let minimal = #"{"vocab_size": 8, "n_ctx": 4, "n_embd": 4, "n_layer": 1, "n_head": 2, "bos_token_id": 0, "eos_token_id": 7}"#
            return ["tiny.json": (try? tinyConfig.encoded()) ?? Data(), "reward.json": (try? reward.encoded()) ?? Data(),
                    "gpt2.json": (try? gpt2.encoded()) ?? Data(), "minimal.json": Data(minimal.utf8)]
        },
        run: { data, _ in
            let config: GPT2Config
            do { config = try GPT2Config.decode(data, file: "fuzz/config.json") }
            catch { return .rejected("\(error)") }
            _ = config.estimatedTrainingBytes
            let again = try GPT2Config.decode(try config.encoded())
            guard again == config else { throw FuzzFinding("config changed when written and read again: \(config) -> \(again)") }
            return .loaded
        })
}
