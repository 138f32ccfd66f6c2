import Foundation
import Testing
@testable import Lab

/// Smoke tests: every measurement runs and gives a positive figure. No test looks at a time.
struct BenchmarkTests {
    @Test func tinyQuickRunGivesEveryFigure() throws {
        let results = try measureBenchmarks([.tiny], threadCounts: [1], settings: .quick)
        #expect(results.count == 1)
        let result = try #require(results.first)
        #expect(result.config == "tiny" && result.threads == 1)
        for figure in result.figures {
            let value = try #require(figure.value, "\(figure.key) is missing")
            #expect(value > 0 && value.isFinite, "\(figure.key) = \(value)")
        }
        #expect(!result.blasCore.isEmpty)
        #expect(result.blasVersion.first?.isNumber == true, "version '\(result.blasVersion)'")
    }

    @Test func jsonLineNamesEveryKey() throws {
        let text = try runBenchmarks(configs: ["tiny"], threads: 1, json: true, quick: true)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        for key in ["config", "threads", "blas_version", "blas_core", "train_tokens_per_s", "train_gflops",
                    "sample_tokens_per_s_b1", "sample_tokens_per_s_b8", "rm_pairs_per_s", "ppo_step_s",
                    "sgemm_gflops", "matmul_gflops", "peak_rss_mib"] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        #expect(object["config"] as? String == "tiny")
        #expect(object["threads"] as? Int == 1)
    }

    @Test func tableHasOneRowPerResult() throws {
        let text = try runBenchmarks(configs: ["tiny"], threads: 1, json: false, quick: true)
        #expect(text.contains("train tok/s"))
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("tiny ") })
    }

    @Test func onlyMeasuresTheNamedParts() throws {
        let results = try measureBenchmarks([.tiny], threadCounts: [1], settings: .quick, parts: [.train, .gemm])
        let result = try #require(results.first)
        let measured = result.figures.filter { $0.value != nil }.map(\.key)
        #expect(measured == ["train_tokens_per_s", "train_gflops", "sgemm_gflops", "matmul_gflops", "peak_rss_mib"])
        let tokens = try #require(result.trainTokensPerSecond), gflops = try #require(result.trainGflops)
        #expect(abs(gflops - tokens * BenchmarkConfig.tiny.trainingFlopsPerToken / 1e9) < 1e-9 * gflops)
        #expect(throws: BenchmarkError.self) {
            try runBenchmarks(configs: ["tiny"], threadCounts: [1], json: false, quick: true, only: ["speed"])
        }
    }

    @Test func unknownConfigAndBadThreadsAreErrors() {
        #expect(throws: BenchmarkError.self) { try runBenchmarks(configs: ["huge"], threads: 1, json: false, quick: true) }
        #expect(throws: BenchmarkError.self) { try runBenchmarks(configs: ["tiny"], threads: 0, json: false, quick: true) }
        #expect(throws: BenchmarkError.self) { try BenchmarkConfig.named("Tiny") }
    }

    @Test func memoryCheckReportsResidentMemory() throws {
        let result = try measureMemory(config: "tiny", steps: 120, threads: 1, earlyStep: 100)
        #expect(result.steps == 120 && result.finalLoss.isFinite)
        #expect((result.earlyRSSMiB ?? 0) > 0 && (result.finalRSSMiB ?? 0) > 0)
        #expect(memoryCheckJSON(result).contains("\"rss_mib_after_100\":"))
    }

    /// 6 (12 L d^2 + V d) + 12 L T d per token, worked out by hand for each config.
    @Test func trainingFlopsPerToken() {
        // tiny: 6 (12*2*64^2 + 256*64) + 12*2*64*64 = 6 * 114,688 + 98,304
        #expect(BenchmarkConfig.tiny.trainingFlopsPerToken == 786_432)
        // small: 6 (12*4*128^2 + 1024*128) + 12*4*128*128 = 6 * 917,504 + 786,432
        #expect(BenchmarkConfig.small.trainingFlopsPerToken == 6_291_456)
        // medium: 6 (12*6*256^2 + 4096*256) + 12*6*256*256 = 6 * 5,767,168 + 4,718,592
        #expect(BenchmarkConfig.medium.trainingFlopsPerToken == 39_321_600)
    }

    @Test func figuresAreFormattedWithSeparators() {
        #expect(formatFigure(65_700, decimals: 0) == "65,700")
        #expect(formatFigure(1234567.891, decimals: 1) == "1,234,567.9")
        #expect(formatFigure(0.0712, decimals: 2) == "0.07")
        #expect(jsonNumber(3.5) == "3.5" && jsonNumber(2) == "2" && jsonNumber(.nan) == "null")
        #expect(median([3, 1, 2]) == 2 && median([4, 1, 2, 3]) == 2.5)
    }
}
