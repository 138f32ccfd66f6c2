import Foundation
import Numerics
import GPT2
import Stages
import TinyWorld

// `rlhf bench`: how fast each piece of the RLHF pipeline runs on this machine.
//
// Every figure is the median of several timed repetitions after an untimed warm-up. A
// repetition repeats the work until it lasts at least `minimumSeconds`, so that short steps
// (a tiny training step takes milliseconds) are not dominated by the clock's resolution.
// All models are random: speed does not depend on what a model knows.

/// How often and how long each figure is measured.
public struct BenchmarkSettings: Sendable, Equatable {
    /// Untimed runs first (OpenBLAS starts its threads, caches fill).
    public var warmUps = 1
    /// Timed repetitions; a figure is their median.
    public var repetitions = 5
    /// A repetition repeats the work until it lasts at least this long, in seconds.
    public var minimumSeconds = 0.25

    public init(warmUps: Int = 1, repetitions: Int = 5, minimumSeconds: Double = 0.25) {
        self.warmUps = warmUps
        self.repetitions = repetitions
        self.minimumSeconds = minimumSeconds
    }

    public static let standard = BenchmarkSettings()
    /// One repetition, no minimum: a smoke test that every measurement runs.
    public static let quick = BenchmarkSettings(warmUps: 1, repetitions: 1, minimumSeconds: 0)
}

/// The parts of the benchmark that can be measured on their own (`rlhf bench --only train`), e.g.
/// to profile one of them.
public enum BenchmarkPart: String, CaseIterable, Sendable {
    /// train_tokens_per_s
    case train
    /// sample_tokens_per_s_b1 and sample_tokens_per_s_b8
    case sample
    /// rm_pairs_per_s
    case rm
    /// ppo_step_s (tiny only)
    case ppo
    /// sgemm_gflops and matmul_gflops
    case gemm

    /// The part a name stands for, or an error that lists the names.
    public static func named(_ name: String) throws -> BenchmarkPart {
        guard let part = BenchmarkPart(rawValue: name) else {
            throw BenchmarkError("unknown benchmark part '\(name)'; choose \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return part
    }
}

/// Runs the benchmark and returns the table (or one JSON object per line with `json`).
/// `configs` holds names ("tiny", "small", "medium", "all"); `threads` is the worker thread count.
public func runBenchmarks(configs: [String], threads: Int, json: Bool, quick: Bool) throws -> String {
    try runBenchmarks(configs: configs, threadCounts: [threads], json: json, quick: quick)
}

/// The same for several thread counts (e.g. [1, 2]), so that their ratios come from one run, and
/// for the parts named in `only` (every part when empty).
/// `onResult` sees each result as soon as it is measured (for progress output).
public func runBenchmarks(configs: [String], threadCounts: [Int], json: Bool, quick: Bool, only: [String] = [],
                          onResult: (BenchmarkResult) -> Void = { _ in }) throws -> String {
    var chosen: [BenchmarkConfig] = []
    for name in configs.isEmpty ? ["all"] : configs {
        for config in try BenchmarkConfig.named(name) where !chosen.contains(config) { chosen.append(config) }
    }
    let parts = only.isEmpty ? Set(BenchmarkPart.allCases) : Set(try only.map(BenchmarkPart.named))
    let settings = quick ? BenchmarkSettings.quick : .standard
    let results = try measureBenchmarks(chosen, threadCounts: threadCounts, settings: settings, parts: parts,
                                        onResult: onResult)
    return json ? benchmarkJSONLines(results) : benchmarkTable(results)
}

/// The thread count `rlhf bench` measures when none is given: a session's default.
public var defaultBenchmarkThreads: Int { ComputeThreads.machineDefault }

/// Measures every configuration at every thread count, configuration by configuration.
public func measureBenchmarks(_ configs: [BenchmarkConfig], threadCounts: [Int], settings: BenchmarkSettings,
                              parts: Set<BenchmarkPart> = Set(BenchmarkPart.allCases),
                              onResult: (BenchmarkResult) -> Void = { _ in }) throws -> [BenchmarkResult] {
    for threads in threadCounts where !(1...256).contains(threads) {
        throw BenchmarkError("--threads \(threads) is out of range; use 1 to 256 (this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores)")
    }
    guard settings.repetitions >= 1 && settings.warmUps >= 0 else {
        throw BenchmarkError("benchmark needs at least one repetition, got \(settings.repetitions)")
    }
    let savedThreads = ComputeThreads.count
    defer { ComputeThreads.count = savedThreads }
    var results: [BenchmarkResult] = []
    for config in configs {
        for threads in threadCounts {
            ComputeThreads.count = threads
            let result = try measureBenchmark(config, threads: threads, settings: settings, parts: parts)
            onResult(result)
            results.append(result)
        }
    }
    return results
}

/// The figures of one configuration (those of `parts`) at the current worker thread count.
public func measureBenchmark(_ config: BenchmarkConfig, threads: Int, settings: BenchmarkSettings,
                             parts: Set<BenchmarkPart> = Set(BenchmarkPart.allCases)) throws -> BenchmarkResult {
    func measured(_ part: BenchmarkPart, _ measure: () throws -> Double) rethrows -> Double? {
        parts.contains(part) ? try measure() : nil
    }
    let trainTokensPerSecond = measured(.train) { measureTraining(config, settings) }
    return BenchmarkResult(
        config: config.name, threads: threads, repetitions: settings.repetitions,
        blasVersion: openBLASVersion(), blasCore: BLAS.coreName,
        trainTokensPerSecond: trainTokensPerSecond,
        trainGflops: trainTokensPerSecond.map { $0 * config.trainingFlopsPerToken / 1e9 },
        sampleTokensPerSecondBatch1: measured(.sample) { measureSampling(config, rows: 1, settings) },
        sampleTokensPerSecondBatch8: measured(.sample) { measureSampling(config, rows: 8, settings) },
        rewardPairsPerSecond: measured(.rm) { measureRewardModel(config, settings) },
        ppoStepSeconds: config == .tiny ? try measured(.ppo) { try measurePPO(config, settings) } : nil,
        sgemmGflops: measured(.gemm) { measureSgemm(size: 512, threads: threads, settings) },
        matmulGflops: measured(.gemm) { measureMatmul(size: 512, settings) },
        peakRSSMiB: peakResidentMiB())
}

// MARK: The measurements

/// train_tokens_per_s: one step = forward, loss = mean_i -log softmax(logits_i)[next token],
/// backward, AdamW update; on B rows of n_ctx random tokens (every position is a target).
func measureTraining(_ config: BenchmarkConfig, _ settings: BenchmarkSettings) -> Double {
    let model = GPT2Model(config: config.gpt2Config, seed: 1)
    let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-4)
    var rng = RandomGenerator(seed: 11)
    let (batch, targets) = randomTrainingBatch(config, rng: &rng)
    return medianRate(settings) {
        _ = trainingStep(model, optimizer, batch, targets)
        return Double(batch.rows * batch.time)
    }
}

/// B rows of n_ctx random tokens and their next-token targets (each row is n_ctx + 1 tokens long).
func randomTrainingBatch(_ config: BenchmarkConfig, rng: inout RandomGenerator) -> (TokenBatch, [Int32]) {
    let (rows, time) = (config.batchSize, config.contextLength)
    var tokens: [Int32] = [], targets: [Int32] = []
    for _ in 0..<rows {
        let row = randomTokens(time + 1, below: config.vocabSize, rng: &rng)
        tokens += row.dropLast()
        targets += row.dropFirst()
    }
    let batch = TokenBatch(tokens: tokens, rows: rows, time: time, lengths: [Int](repeating: time, count: rows),
                           promptLengths: [Int](repeating: 0, count: rows))
    return (batch, targets)
}

/// zero gradients -> cross-entropy of the next tokens -> backward -> AdamW. Returns the loss.
func trainingStep(_ model: GPT2Model, _ optimizer: AdamW, _ batch: TokenBatch, _ targets: [Int32]) -> Float {
    optimizer.zeroGradients()
    let loss = crossEntropy(model.logits(batch), targets: targets)
    loss.backward()
    optimizer.step()
    return loss.item
}

/// sample_tokens_per_s_b{rows}: KV-cached sampling at temperature 1 of n_ctx - 8 new tokens after
/// an 8-token random prompt, `rows` prompts at once. EOS is an id outside the vocabulary, so no
/// row stops early; the rate counts the tokens actually generated.
func measureSampling(_ config: BenchmarkConfig, rows: Int, _ settings: BenchmarkSettings) -> Double {
    let model = GPT2Model(config: config.gpt2Config, seed: 2)
    var rng = RandomGenerator(seed: 12)
    let prompts = (0..<rows).map { _ in randomTokens(8, below: config.vocabSize, rng: &rng) }
    let sampling = SamplingSettings(temperature: 1, maxNewTokens: config.contextLength - 8)
    let neverSampled = Int32(config.vocabSize)
    return medianRate(settings) {
        let responses = sampleResponses(model, prompts: prompts, settings: sampling, eos: neverSampled, rng: &rng)
        return Double(responses.reduce(0) { $0 + $1.tokens.count })
    }
}

/// rm_pairs_per_s: one step = rewards of 16 chosen and 16 rejected rows of n_ctx / 2 random
/// tokens, loss = mean -log sigmoid(r_chosen - r_rejected), backward, AdamW update.
func measureRewardModel(_ config: BenchmarkConfig, _ settings: BenchmarkSettings) -> Double {
    let model = GPT2Model(config: config.gpt2Config, seed: 3).rewardModel(seed: 4)
    let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-4)
    let pairs = 16, length = config.contextLength / 2
    var rng = RandomGenerator(seed: 13)
    // rows 0 ..< 16 are the chosen responses, rows 16 ..< 32 the rejected ones
    let batch = TokenBatch(tokens: randomTokens(2 * pairs * length, below: config.vocabSize, rng: &rng),
                           rows: 2 * pairs, time: length, lengths: [Int](repeating: length, count: 2 * pairs),
                           promptLengths: [Int](repeating: 0, count: 2 * pairs))
    return medianRate(settings) {
        optimizer.zeroGradients()
        let rewards = reshape(model.rewards(batch), [2 * pairs, 1])
        let chosen = selectRows(rewards, Array(0..<pairs))
        let rejected = selectRows(rewards, Array(pairs..<(2 * pairs)))
        let loss = negate(mean(logSigmoid(chosen - rejected)))
        loss.backward()
        optimizer.step()
        return Double(pairs)
    }
}

/// ppo_step_s: one PPO iteration on the tiny world (16 rollouts of up to 40 tokens, 4 epochs of
/// 2 minibatches of 8) with random policy and reward models. The model has the configuration's
/// sizes but the tiny world's vocabulary (584 tokens), so that the prompts are real.
func measurePPO(_ config: BenchmarkConfig, _ settings: BenchmarkSettings) throws -> Double {
    let tokenizer = try WordTokenizer(
        words: TinyWorld.vocabulary,
        specialTokens: [TinyWorld.endOfText, TinyWorld.padToken, TinyWorld.questionMarker, TinyWorld.answerMarker],
        unknownToken: TinyWorld.unknownToken)
    let encoder = Encoder(tokenizer: tokenizer, format: PromptFormat(template: TinyWorld.formatPrompt("{prompt}")),
                          maxLength: config.contextLength)
    var modelConfig = config.gpt2Config
    modelConfig.vocabSize = tokenizer.vocabularySize
    modelConfig.eosTokenId = Int(encoder.eos)
    modelConfig.padTokenId = Int(encoder.pad)
    let policy = GPT2Model(config: modelConfig, seed: 5)
    let rewardModel = GPT2Model(config: modelConfig, seed: 6).rewardModel(seed: 7)
    var ppoSettings = PPO.Settings()
    ppoSettings.prompts = 16
    ppoSettings.minibatch = 8
    ppoSettings.epochs = 4
    ppoSettings.sampling.maxNewTokens = TinyWorld.maxResponseWords
    let stage = try PPO(policy: policy, reference: policy.copy(),
                        reward: RewardFunction(model: rewardModel, encoder: encoder), encoder: encoder,
                        trainingPrompts: TinyWorld.trainingPrompts, settings: ppoSettings)
    let stepsPerSecond = try medianRate(settings) {
        _ = try stage.step()
        return 1
    }
    return 1 / stepsPerSecond
}

/// sgemm_gflops: C = A B with A, B [n, n], one cblas_sgemm call on OpenBLAS's own threads (as
/// many as ours); 2 n^3 floating-point operations.
func measureSgemm(size n: Int, threads: Int, _ settings: BenchmarkSettings) -> Double {
    var rng = RandomGenerator(seed: 14)
    let a = (0..<(n * n)).map { _ in rng.nextNormal() }, b = (0..<(n * n)).map { _ in rng.nextNormal() }
    var c = [Float](repeating: 0, count: n * n)
    return medianRate(settings) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemmOnOpenBLASThreads(threads, m: n, n: n, k: n,
                                                a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                }
            }
        }
        return 2 * Double(n * n * n) / 1e9
    }
}

/// matmul_gflops: the same product through the tensor `matmul` (new output tensor each time), split
/// across our threads.
func measureMatmul(size n: Int, _ settings: BenchmarkSettings) -> Double {
    var rng = RandomGenerator(seed: 14)
    let a = Tensor.randomNormal([n, n], std: 1, rng: &rng), b = Tensor.randomNormal([n, n], std: 1, rng: &rng)
    return medianRate(settings) {
        _ = matmul(a, b)
        return 2 * Double(n * n * n) / 1e9
    }
}

// MARK: Timing and memory

/// Runs `work` (which returns how many items it processed) `warmUps` times untimed, then
/// `repetitions` timed repetitions, each looping `work` until `minimumSeconds` have passed
/// (the loop count is fixed from the last warm-up). Returns the median of items per second.
func medianRate(_ settings: BenchmarkSettings, _ work: () throws -> Double) rethrows -> Double {
    var warmUpSeconds = 0.0
    for _ in 0..<settings.warmUps {
        let start = ContinuousClock.now
        _ = try work()
        warmUpSeconds = seconds(since: start)
    }
    let iterations = warmUpSeconds > 0 ? max(1, Int((settings.minimumSeconds / warmUpSeconds).rounded(.up))) : 1
    var rates: [Double] = []
    for _ in 0..<settings.repetitions {
        var items = 0.0
        let start = ContinuousClock.now
        for _ in 0..<iterations { items += try work() }
        rates.append(items / max(seconds(since: start), 1e-9))
    }
    return median(rates)
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// The middle value (the mean of the two middle values for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func randomTokens(_ count: Int, below vocabulary: Int, rng: inout RandomGenerator) -> [Int32] {
    (0..<count).map { _ in Int32(rng.nextInt(below: vocabulary)) }
}

/// The process's peak resident memory so far (VmHWM in /proc/self/status), in MiB; nil where
/// /proc is missing (macOS).
public func peakResidentMiB() -> Double? { procStatusMiB("VmHWM:") }

/// The process's resident memory now (VmRSS), in MiB.
public func residentMiB() -> Double? { procStatusMiB("VmRSS:") }

/// A "Name:   1234 kB" line of /proc/self/status, in MiB.
func procStatusMiB(_ field: String) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count >= 2, let kibibytes = Double(parts[1]) { return kibibytes / 1024 }
    }
    return nil
}

/// OpenBLAS's version: the first word of its configuration that starts with a digit ("0.3.21").
func openBLASVersion() -> String {
    let words = BLAS.configuration.split(separator: " ")
    return words.first { $0.first?.isNumber == true }.map(String.init) ?? BLAS.configuration
}
