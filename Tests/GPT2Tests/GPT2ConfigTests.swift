import Foundation
import Testing
import GPT2

@Suite struct GPT2ConfigTests {
    @Test func readsFixtureLanguageModelConfig() throws {
        let config = try GPT2Config.load(from: fixtureURL("tiny-lm/config.json"))
        #expect(config == tinyConfig())
        #expect(!config.isRewardModel)
        #expect(config.headSize == 8)
        #expect("\(config)".hasPrefix("GPT2Config(language model: V 50, T 16, C 32, L 2, H 4, "))
    }

    @Test func readsFixtureRewardConfig() throws {
        let config = try GPT2Config.load(from: fixtureURL("tiny-reward/config.json"))
        #expect(config.isRewardModel)
        #expect(config == tinyConfig(reward: true))
    }

    @Test func roundTripKeepsEveryField() throws {
        for config in [tinyConfig(), tinyConfig(reward: true)] {
            let decoded = try GPT2Config.decode(try config.encoded())
            #expect(decoded == config)
        }
        let text = String(decoding: try tinyConfig(reward: true).encoded(), as: UTF8.self)
        for field in ["\"model_type\" : \"gpt2\"", "\"n_inner\" : null", "\"id2label\"", "\"label2id\"",
                      "\"tie_word_embeddings\" : true", "\"layer_norm_epsilon\" : 1e-05"] {
            #expect(text.contains(field), "missing \(field) in \(text)")
        }
    }

    @Test func parameterCountMatchesTensorShapes() {
        for config in [tinyConfig(), tinyConfig(reward: true)] {
            let total = Checkpoint.expectedTensorShapes(config: config).map { $0.1.reduce(1, *) }.reduce(0, +)
            #expect(config.parameterCount == total)
            #expect(config.estimatedBytes == 4 * total)
        }
        // GPT-2 small: 124,439,808 parameters.
        let small = GPT2Config(vocabSize: 50257, contextLength: 1024, embeddingSize: 768, layerCount: 12,
                               headCount: 12, bosTokenId: 50256, eosTokenId: 50256)
        #expect(small.parameterCount == 124_439_808)
    }

    @Test func acceptsAliasesAndIgnoresUnknownFields() throws {
        let json = """
        {"vocab_size": 10, "n_ctx": 8, "n_embd": 4, "n_layer": 1, "n_head": 2, "bos_token_id": 0,
         "eos_token_id": 0, "activation_function": "gelu_pytorch_tanh", "some_future_field": [1, {"x": 2}],
         "architectures": ["GPT2ForSequenceClassification"], "num_labels": 1}
        """
        let config = try GPT2Config.decode(Data(json.utf8))
        #expect(config.contextLength == 8)
        #expect(config.isRewardModel)
        #expect(config.layerNormEpsilon == 1e-5)
        #expect(config.padTokenId == nil)
    }

    /// Each broken config throws an error naming the file and the field.
    @Test(arguments: [
        ("{\"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "vocab_size"),
        ("{\"vocab_size\": 10, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_positions"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 6, \"n_layer\": 1, \"n_head\": 4, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_head"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 0, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_head"),
        ("{\"vocab_size\": 10000000000, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "vocab_size"),
        ("{\"vocab_size\": 10, \"n_positions\": 1000000, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_positions"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 65536, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_embd"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 100000, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_layer"),
        ("{\"vocab_size\": -3, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "vocab_size"),
        ("{\"vocab_size\": \"10\", \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "vocab_size"),
        ("{\"vocab_size\": 10.5, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "vocab_size"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": null, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0}", "n_layer"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 10}", "eos_token_id"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0, \"activation_function\": \"relu\"}", "activation_function"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0, \"layer_norm_epsilon\": -1}", "layer_norm_epsilon"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0, \"model_type\": \"llama\"}", "model_type"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0, \"architectures\": [\"GPT2ForSequenceClassification\"], \"id2label\": {\"0\": \"a\", \"1\": \"b\"}}", "id2label"),
        ("{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2, \"bos_token_id\": 0, \"eos_token_id\": 0, \"architectures\": [\"BertModel\"]}", "architectures"),
    ])
    func rejectsBrokenConfig(json: String, field: String) {
        let error = thrownError { _ = try GPT2Config.decode(Data(json.utf8), file: "my/config.json") }
        let configError = error as? GPT2ConfigError
        #expect(configError?.field == field, "\(String(describing: error))")
        let message = configError?.description ?? ""
        #expect(message.hasPrefix("my/config.json: field '\(field)'"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func rejectsNonJSON() {
        for text in ["", "not json", "[1, 2]", "{\"vocab_size\": ", "null"] {
            let error = thrownError { _ = try GPT2Config.decode(Data(text.utf8), file: "c.json") } as? GPT2ConfigError
            #expect(error != nil, "accepted \(text)")
            #expect(error?.description.hasPrefix("c.json") == true)
        }
    }
}
