import ArgumentParser
import Foundation
import Lab

/// `rlhf bench`: the speed of the numeric core on standard tiny GPT-2 configurations.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training, sampling and reward-model speed on tiny GPT-2 configs (release build).",
        discussion: """
            Each figure is the median of several timed repetitions after a warm-up. Configs: \
            tiny (vocab 256, n_ctx 64, d 64, 2 layers), small (1024, 128, 128, 4), medium \
            (4096, 256, 256, 6). Without --threads it measures a session's default thread count \
            (one per core, at most 8). Compare only ratios measured in one run: the machine is shared. \
            Train GFLOP/s counts 6 (12 L d^2 + V d) + 12 L T d operations per token (the matrix \
            products only); compare it with the machine's peak or with sgemm GFLOP/s. \
            --memory instead trains the tiny config for 10,000 steps and reports the resident \
            memory after 100 and after 10,000 steps (it should stay flat).
            """)

    @Option(help: "tiny, small, medium or all; repeat it to measure several (--config tiny --config small). (default: all)")
    var config: [String] = []
    var configs: [String] { config.isEmpty ? ["all"] : config }

    /// `--threads N` (repeatable) and `--json` are the shared session options (the root command
    /// declares them, so they are read from here): thread counts to measure, JSON output.
    @OptionGroup var options: SessionOptions
    var threads: [Int] { options.threads.isEmpty ? [defaultBenchmarkThreads] : options.threads }
    var json: Bool { options.json }

    @Option(help: "Measure only this part: train, sample, rm, ppo or gemm; repeat it for several (e.g. to profile one). (default: all)")
    var only: [String] = []

    @Flag(help: "One warm-up and one repetition (a smoke test, not a measurement).")
    var quick = false

    @Flag(help: "Check that memory stays flat over 10,000 training steps instead.")
    var memory = false

    @Option(help: "Steps for --memory.")
    var steps: Int = 10_000

    func run() throws {
        for count in threads where !(1...64).contains(count) {
            throw ValidationError("--threads \(count) is out of range (1...64)")
        }
        if memory {
            guard only.isEmpty else { throw ValidationError("--memory measures training memory; leave out --only") }
            guard configs.count == 1 else { throw ValidationError("--memory checks one config; give --config once") }
            print(try runMemoryCheck(config: configs[0] == "all" ? "tiny" : configs[0], steps: steps, threads: threads.first ?? 1, json: json))
            return
        }
        let output = try runBenchmarks(configs: configs, threadCounts: threads, json: json, quick: quick, only: only) { _ in }
        print(output)
    }
}
